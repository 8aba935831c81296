using System.Security.Cryptography;

namespace PhotoStudio.Infrastructure;

/// <summary>Registers the security-headers middleware and hands views the request's CSP nonce.</summary>
public static class SecurityHeaders
{
    private static readonly object NonceKey = new();

    /// <summary>Put first in the pipeline so static files and error pages get the headers too.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.UseMiddleware<SecurityHeadersMiddleware>();

    /// <summary>The nonce that <c>script-src</c> and <c>style-src</c> allow for this request (<c>nonce="@Context.CspNonce()"</c>).</summary>
    public static string CspNonce(this HttpContext context)
    {
        if (context.Items.TryGetValue(NonceKey, out var value) && value is string nonce) return nonce;
        nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        return nonce;
    }
}

internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        // OnStarting, not now: error handlers clear the headers before they write their page.
        context.Response.OnStarting(static state =>
        {
            Apply((HttpContext)state);
            return Task.CompletedTask;
        }, context);
        return next(context);
    }

    private static void Apply(HttpContext context)
    {
        var nonce = context.CspNonce();
        // Set only when absent, so one endpoint can deliberately loosen a header for itself.
        Set(context, "Content-Security-Policy",
            "default-src 'self'; " +
            $"script-src 'self' 'nonce-{nonce}'; " +
            $"style-src 'self' 'nonce-{nonce}'; " +
            "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
            "frame-ancestors 'none'; base-uri 'self'; object-src 'none'");
        Set(context, "X-Content-Type-Options", "nosniff");
        // /my/{token} URLs carry a secret: never send them to another site as a Referer.
        Set(context, "Referrer-Policy", "no-referrer");
        Set(context, "X-Frame-Options", "DENY");
        Set(context, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        Set(context, "Cross-Origin-Opener-Policy", "same-origin");
    }

    private static void Set(HttpContext context, string name, string value) =>
        context.Response.Headers.TryAdd(name, value);
}
