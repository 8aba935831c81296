using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Account;

/// <summary>Identity's sign-in manager, plus the moment of the first sign-in kept in the cookie for the absolute lifetime.</summary>
public class StudioSignInManager(
    UserManager<StudioUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<StudioUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<StudioUser>> logger,
    Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider schemes,
    IUserConfirmation<StudioUser> confirmation,
    TimeProvider clock)
    : SignInManager<StudioUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public const string SignedInAtItem = "ps.signed_in_at";

    // Called for a fresh sign-in and again whenever the security stamp validator refreshes the cookie;
    // only the first call stamps the time, so refreshes and sliding renewals never extend the 12 hours.
    public override Task SignInWithClaimsAsync(StudioUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        authenticationProperties ??= new AuthenticationProperties();
        if (!authenticationProperties.Items.ContainsKey(SignedInAtItem))
            authenticationProperties.Items[SignedInAtItem] = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return base.SignInWithClaimsAsync(user, authenticationProperties, additionalClaims);
    }

    /// <summary>A deactivated employee cannot sign in, whatever their password or lockout state.</summary>
    public override async Task<bool> CanSignInAsync(StudioUser user) =>
        await base.CanSignInAsync(user)
        && await UserManager.Users.Where(u => u.Id == user.Id).AllAsync(u => u.Employee == null || u.Employee.IsActive);

    public static DateTimeOffset? SignedInAt(AuthenticationProperties properties) =>
        properties.Items.TryGetValue(SignedInAtItem, out var value) && long.TryParse(value, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
