using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using PhotoStudio.Features.Booking;
using PhotoStudio.Infrastructure.Events;

namespace PhotoStudio.Features.Shared;

/// <summary>
/// The output cache of the pages every anonymous visitor sees alike: the landing page and the wizard's step 1. An entry
/// is kept per UI language (the culture request localization chose from the cookie or Accept-Language) and nothing
/// else, so a cached page must hold nothing of one visitor's:
/// <list type="bullet">
/// <item>no antiforgery token and no antiforgery cookie: the layout leaves both out while <see cref="MayBeShared"/>.
/// The two forms on these pages (the language switcher, step 1's choice of session) post without a token: each only
/// sets the visitor's own cookie, so a forged post could do no more than the visitor's own click. Every later step of
/// the wizard, and every other form, keeps its token.</item>
/// <item>no CSP nonce: every script is a same-origin file, which <c>script-src 'self'</c> allows; these pages have no
/// inline script or style, so the policy sent with a cached copy (its nonce is this response's) and the page agree.</item>
/// <item>no cookie at all: a response that sets one is never stored.</item>
/// </list>
/// Never cached: a signed-in user, a visitor with a booking draft (step 1 shows their choice) or a flash message
/// waiting, an htmx request, a query string (these pages read none, so it could only fill the cache). A change to
/// what the pages show evicts every entry on every instance (<see cref="StudioChanges"/>).
/// </summary>
public static class PublicPages
{
    public const string Landing = "landing";
    public const string BookingStart = "booking-start";

    /// <summary>A safety net only: a change evicts at once, and a lost connection to PostgreSQL evicts when it is back.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private static readonly object GenerationKey = new();

    public static IServiceCollection AddPublicPages(this IServiceCollection services) => services.AddOutputCache(o =>
    {
        // A page is some 10 KB; two pages in two languages need little, and the app stays small whatever happens.
        o.SizeLimit = 16 * 1024 * 1024;
        o.MaximumBodySize = 256 * 1024;
        o.AddPolicy(Landing, new Policy(null));
        o.AddPolicy(BookingStart, new Policy(FunnelStep.Service));
    });

    /// <summary>
    /// True while rendering a response the cache may store and give to other visitors: it must carry nothing of this
    /// visitor's (no antiforgery token, no nonce) and set no cookie.
    /// </summary>
    public static bool MayBeShared(this HttpContext context) =>
        context.Features.Get<IOutputCacheFeature>()?.Context.AllowCacheStorage == true;

    private static bool AlikeForEveryone(HttpContext http)
    {
        var request = http.Request;
        var tempData = http.RequestServices.GetRequiredService<IOptions<CookieTempDataProviderOptions>>().Value.Cookie.Name!;
        return HttpMethods.IsGet(request.Method)
            && !request.QueryString.HasValue
            && http.User.Identity?.IsAuthenticated != true
            && !request.Headers.ContainsKey("HX-Request")
            && !request.Cookies.ContainsKey(BookingDrafts.CookieName)
            && !request.Cookies.ContainsKey(tempData);
    }

    private static StudioChanges Changes(HttpContext http) => http.RequestServices.GetRequiredService<StudioChanges>();

    /// <param name="counts">The funnel step a view of the page counts; a view served from the cache is counted here.</param>
    private sealed class Policy(FunnelStep? counts) : IOutputCachePolicy
    {
        ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken ct)
        {
            var http = context.HttpContext;
            var shared = AlikeForEveryone(http);
            context.EnableOutputCaching = true;
            context.AllowCacheLookup = shared;
            context.AllowCacheStorage = shared;
            context.AllowLocking = true;
            context.ResponseExpirationTimeSpan = Lifetime;
            context.Tags.Add(StudioChanges.PageTag);
            context.CacheVaryByRules.VaryByValues["culture"] = $"{CultureInfo.CurrentUICulture.Name}|{CultureInfo.CurrentCulture.Name}";
            // A page rendered from rows read before a change must not be stored after the change evicted the others.
            http.Items[GenerationKey] = Changes(http).Generation;
            return ValueTask.CompletedTask;
        }

        ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken ct)
        {
            if (counts is { } step) context.HttpContext.RequestServices.GetRequiredService<FunnelCounter>().Count(step);
            return ValueTask.CompletedTask;
        }

        ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken ct)
        {
            var http = context.HttpContext;
            if (http.Response.StatusCode != StatusCodes.Status200OK
                || http.Response.Headers.SetCookie.Count > 0
                || http.Items[GenerationKey] is not long generation || generation != Changes(http).Generation)
                context.AllowCacheStorage = false;
            return ValueTask.CompletedTask;
        }
    }
}
