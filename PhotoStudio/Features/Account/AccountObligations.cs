using Htmx;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Account;

/// <summary>
/// Sends a signed-in user who must first change their password (after an admin reset) or enrol a second
/// factor (their role requires it) to that page, whatever else they ask for.
/// </summary>
public sealed class AccountObligations(RequestDelegate next)
{
    // Pages that stay open while an obligation is pending: the obligation pages themselves, sign-out, errors.
    private static readonly string[] AlwaysOpen = ["/account/logout", "/error/", "/culture", "/health/", "/metrics"];

    public Task InvokeAsync(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true) return next(context);

        var target = user.HasClaim(StudioClaimsFactory.MustChangePassword, "true") ? "/account/password"
            : user.HasClaim(StudioClaimsFactory.MustEnrolTwoFactor, "true") ? "/account/security"
            : null;
        var path = context.Request.Path.Value ?? "/";
        if (target is null || path.StartsWith(target, StringComparison.OrdinalIgnoreCase)
            || AlwaysOpen.Any(p => path.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            return next(context);

        if (context.Request.IsHtmx())
        {
            context.Response.Htmx(h => h.Redirect(target));
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = target;
        }
        return Task.CompletedTask;
    }
}
