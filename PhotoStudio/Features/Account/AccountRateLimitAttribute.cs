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
/// <c>[EnableRateLimiting(RateLimits.SignIn)]</c>. The account is the posted <c>Email</c> or, on the
/// two-factor step, the user waiting for a second factor. A refusal is an empty 429 with <c>Retry-After</c>,
/// so the friendly error page is rendered by re-execution.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
public sealed class AccountRateLimitAttribute : Attribute, IAsyncActionFilter
{
    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var account = PostedEmail(context, out var posted) is { } email ? "email:" + email
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

    /// <summary>The trimmed, lower-cased <c>Email</c> of the first bound argument with a string <c>Email</c> property.</summary>
    /// <param name="found">Whether such an argument exists, even with a blank email.</param>
    private static string? PostedEmail(ActionExecutingContext context, out bool found)
    {
        foreach (var argument in context.ActionArguments.Values)
        {
            if (argument?.GetType().GetProperty("Email") is not { } property || property.PropertyType != typeof(string)) continue;
            found = true;
            return property.GetValue(argument) is string email && !string.IsNullOrWhiteSpace(email)
                ? email.Trim().ToLowerInvariant()
                : null;
        }
        found = false;
        return null;
    }

    private static async Task<string?> PendingTwoFactorUserAsync(HttpContext http)
    {
        var signIn = http.RequestServices.GetRequiredService<SignInManager<StudioUser>>();
        return await signIn.GetTwoFactorAuthenticationUserAsync() is { } user ? "user:" + user.Id : null;
    }
}
