using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Metrics;

namespace PhotoStudio.Features.Account;

/// <summary>
/// Limits sign-in attempts per account, whatever address they come from; the per-address limit is
/// <c>[EnableRateLimiting(RateLimits.SignIn)]</c>. The account is the posted <c>Email</c> (normalised as Identity
/// looks it up) or, on the two-factor step, the user waiting for a second factor; with <see cref="SignedInUser"/>,
/// the signed-in user (pages that ask for the current password again). A refusal is an empty 429 with <c>Retry-After</c>, so the friendly error
/// page is rendered by re-execution.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class AccountRateLimitAttribute : Attribute, IAsyncActionFilter
{
    /// <summary>Count against the signed-in user, whatever the request posts or whichever sign-in is pending.</summary>
    public bool SignedInUser { get; set; }

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var account = SignedInUser ? SignedInUserOf(context.HttpContext)
            : PostedEmail(context, out var posted) is { } email ? "email:" + email
            : posted ? null
            : await PendingTwoFactorUserAsync(context.HttpContext);
        if (account is null)
        {
            // Nothing to count against: an empty email (validation answers it) or no sign-in waiting for a second factor.
            await next();
            return;
        }

        var services = context.HttpContext.RequestServices;
        var limiter = services.GetRequiredKeyedService<PartitionedRateLimiter<string>>(RateLimits.SignInPerAccount);
        using var lease = limiter.AttemptAcquire(account);
        if (!lease.IsAcquired)
        {
            services.GetService<StudioMetrics>()?.SignIn("rate_limited");
            RateLimits.SetRetryAfter(context.HttpContext.Response,
                lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : RateLimits.DefaultRetryAfter);
            context.Result = new StatusCodeResult(StatusCodes.Status429TooManyRequests);
            return;
        }
        await next();
    }

    /// <summary>
    /// The <c>Email</c> of the first bound argument with a string <c>Email</c> property, normalised by Identity's own
    /// normaliser: every spelling that finds the account (e.g. "ſ", which upper-cases to "S") shares its partition.
    /// </summary>
    /// <param name="found">Whether such an argument exists, even with a blank email.</param>
    private static string? PostedEmail(ActionExecutingContext context, out bool found)
    {
        foreach (var argument in context.ActionArguments.Values)
        {
            if (argument?.GetType().GetProperty("Email") is not { } property || property.PropertyType != typeof(string)) continue;
            found = true;
            return property.GetValue(argument) is string email && !string.IsNullOrWhiteSpace(email)
                ? context.HttpContext.RequestServices.GetRequiredService<ILookupNormalizer>().NormalizeEmail(email.Trim())
                : null;
        }
        found = false;
        return null;
    }

    // The same key as on the two-factor step: one account, one budget, whichever of its pages asks for a secret.
    private static string? SignedInUserOf(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true
        && http.RequestServices.GetRequiredService<UserManager<StudioUser>>().GetUserId(http.User) is { } id
            ? "user:" + id
            : null;

    private static async Task<string?> PendingTwoFactorUserAsync(HttpContext http)
    {
        var signIn = http.RequestServices.GetRequiredService<SignInManager<StudioUser>>();
        return await signIn.GetTwoFactorAuthenticationUserAsync() is { } user ? "user:" + user.Id : null;
    }
}
