using Htmx;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Account;

/// <summary>The sign-in cookie: short idle timeout, hard 12-hour cap, and htmx-aware redirects.</summary>
public static class StudioCookies
{
    public const string Name = "PhotoStudio";
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(12);

    public static void Configure(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = Name;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.CookieManager = new HostPrefixCookieManager();
        o.ExpireTimeSpan = IdleTimeout;
        o.SlidingExpiration = true;
        o.LoginPath = "/account/login";
        o.LogoutPath = "/account/logout";
        o.AccessDeniedPath = "/error/403";

        o.Events.OnValidatePrincipal = async context =>
        {
            // Sliding expiry alone would let a busy session live for ever.
            var clock = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
            var signedInAt = StudioSignInManager.SignedInAt(context.Properties) ?? context.Properties.IssuedUtc;
            if (signedInAt is null || clock.GetUtcNow() - signedInAt > AbsoluteLifetime)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                return;
            }
            await SecurityStampValidator.ValidatePrincipalAsync(context);
        };
        o.Events.OnRedirectToLogin = context =>
        {
            // A login form must never be swapped into a fragment: tell htmx to navigate instead.
            if (context.Request.IsHtmx())
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Htmx(h => h.Redirect(context.RedirectUri));
            }
            else context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        };
        o.Events.OnRedirectToAccessDenied = context =>
        {
            // Answer 403 in place; the status-code page renders the friendly page (or fragment).
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
    }

    /// <summary>Names the cookie <c>__Host-…</c> over HTTPS, where browsers then pin it to this host, path and Secure.</summary>
    private sealed class HostPrefixCookieManager : ICookieManager
    {
        private readonly ChunkingCookieManager inner = new();

        private static string Key(HttpContext context, string key) => context.Request.IsHttps ? "__Host-" + key : key;

        public string? GetRequestCookie(HttpContext context, string key) => inner.GetRequestCookie(context, Key(context, key));

        public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options)
        {
            if (context.Request.IsHttps)
            {
                options.Secure = true;
                options.Path = "/";
                options.Domain = null;
            }
            inner.AppendResponseCookie(context, Key(context, key), value, options);
        }

        public void DeleteCookie(HttpContext context, string key, CookieOptions options) =>
            inner.DeleteCookie(context, Key(context, key), options);
    }
}
