using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
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

    // A password hash of nothing anyone knows, made once with the configured hasher (so with its iteration count).
    private static string? dummyHash;

    /// <summary>An unknown account costs the same password hash as a known one, so the answer's timing does not tell them apart.</summary>
    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        if (await UserManager.FindByNameAsync(userName) is { } user)
            return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        SpendDummyHash(password);
        return SignInResult.Failed;
    }

    /// <summary>A locked or deactivated account, or one without a password, costs a password hash too (Identity answers them without one).</summary>
    public override async Task<SignInResult> CheckPasswordSignInAsync(StudioUser user, string password, bool lockoutOnFailure)
    {
        if (await PreSignInCheck(user) is { } refused)
        {
            SpendDummyHash(password);
            return refused;
        }
        if (!await UserManager.HasPasswordAsync(user)) SpendDummyHash(password);
        return await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
    }

    /// <summary>
    /// Identity redeems a recovery code without asking whether the account may sign in now; the app-code step does
    /// (<c>PreSignInCheck</c>), so a locked or deactivated account is refused here the same way, and keeps its code.
    /// </summary>
    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        if (await GetTwoFactorAuthenticationUserAsync() is { } user && await PreSignInCheck(user) is { } refused)
            return refused;
        return await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
    }

    private void SpendDummyHash(string password)
    {
        var hasher = UserManager.PasswordHasher;
        var hash = dummyHash ??= hasher.HashPassword(new StudioUser(), Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        hasher.VerifyHashedPassword(new StudioUser(), hash, password);
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
