using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Audit;
using PhotoStudio.Infrastructure.Writes;
using QRCoder;

namespace PhotoStudio.Features.Account;

/// <summary>The refusal of the wrong secret that locked the account: every session has ended, this one included.</summary>
public sealed record LockedOut() : Text("Too many wrong attempts: your account is locked for a while and you have been signed out.");

/// <summary>
/// A user's own security: second factor, recovery codes, password, sessions, and the first password chosen through a
/// set-up link. A wrong current password or code counts like a failed sign-in: someone holding a stolen session cannot
/// guess the password through these steps.
/// </summary>
public sealed class AccountSecurity(
    UserManager<StudioUser> users,
    SignInManager<StudioUser> signIn,
    RoleManager<StudioRole> roles,
    AuditLog audit)
{
    private const string Issuer = "PhotoStudio";
    private const int RecoveryCodeCount = 10;

    public async Task<SecurityPage> PageAsync(ClaimsPrincipal me)
    {
        var user = await UserAsync(me);
        var required = await TwoFactorRequiredAsync(me, user);
        if (user.TwoFactorEnabled)
            return new SecurityPage(true, required, await users.CountRecoveryCodesAsync(user), null, null, new(), new());

        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = (await users.GetAuthenticatorKeyAsync(user))!;
        }
        var uri = $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(user.Email!)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6";
        using var data = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(4, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
        return new SecurityPage(false, required, 0, FormatKey(key), svg, new(), new());
    }

    /// <summary>Switches the second factor on once the app's first code is right; the outcome holds new recovery codes.</summary>
    public async Task<Outcome> EnableTwoFactorAsync(ClaimsPrincipal me, EnableTwoFactorForm form)
    {
        var user = await UserAsync(me);
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, form.Code))
        {
            await audit.RecordAsync("2fa.code_failed", user.Id, user.Email);
            return Outcome.Field(nameof(form.Code), "That code is not valid. Check your authenticator app and try again.");
        }
        if (!await SavedAsync(() => users.SetTwoFactorEnabledAsync(user, true))) return Stale();

        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount);
        await audit.RecordAsync("2fa.enabled", user.Id, user.Email);
        await signIn.RefreshSignInAsync(user);
        return Outcome.With<IReadOnlyList<string>>([.. codes!]);
    }

    /// <summary>New recovery codes for the password or a current app code; done without codes when two-factor sign-in is off.</summary>
    public async Task<Outcome> RegenerateRecoveryCodesAsync(ClaimsPrincipal me, RegenerateRecoveryCodesForm form)
    {
        var user = await UserAsync(me);
        if (!user.TwoFactorEnabled) return Outcome.Ok;
        if (!await IsPasswordOrCurrentCodeAsync(user, form.PasswordOrCode))
            return await WrongSecretAsync(user) ?? Outcome.Field(nameof(form.PasswordOrCode), "That password or code is not right.");

        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount);
        await audit.RecordAsync("2fa.recovery_codes_regenerated", user.Id, user.Email);
        return Outcome.With<IReadOnlyList<string>>([.. codes!]);
    }

    public async Task<Outcome> DisableTwoFactorAsync(ClaimsPrincipal me, DisableTwoFactorForm form)
    {
        var user = await UserAsync(me);
        if (await TwoFactorRequiredAsync(me, user))
            return Outcome.Because("Your role requires two-factor sign-in, so it cannot be switched off.");
        if (!await users.CheckPasswordAsync(user, form.Password))
            return await WrongSecretAsync(user) ?? Outcome.Field(nameof(form.Password), "That password is not right.");
        if (!await SavedAsync(() => users.SetTwoFactorEnabledAsync(user, false))) return Stale();

        await users.ResetAuthenticatorKeyAsync(user);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await audit.RecordAsync("2fa.disabled", user.Id, user.Email);
        await signIn.RefreshSignInAsync(user);
        return Outcome.Ok;
    }

    public async Task SignOutEverywhereAsync(ClaimsPrincipal me)
    {
        var user = await UserAsync(me);
        // A new security stamp invalidates every cookie issued before; this browser gets a fresh one.
        await users.UpdateSecurityStampAsync(user);
        await signIn.RefreshSignInAsync(user);
        await audit.RecordAsync("session.signed_out_everywhere", user.Id, user.Email);
    }

    /// <summary>Changes the password (and clears a forced change after an admin reset); every other session ends.</summary>
    public async Task<Outcome> ChangePasswordAsync(ClaimsPrincipal me, ChangePasswordForm form)
    {
        var user = await UserAsync(me);
        var result = await users.ChangePasswordAsync(user, form.CurrentPassword, form.NewPassword);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code == "PasswordMismatch") && await WrongSecretAsync(user) is { } lockedOut)
                return lockedOut;
            return new Outcome.Invalid([.. result.Errors.Select(e => e.Code == "PasswordMismatch"
                ? new FieldError(nameof(form.CurrentPassword), "That password is not right.")
                : new FieldError(nameof(form.NewPassword), e.Description))]);
        }

        if (user.MustChangePassword)
        {
            await SavedAsync(() =>
            {
                user.MustChangePassword = false;
                return users.UpdateAsync(user);
            });
        }
        // ChangePasswordAsync renewed the security stamp: every other session ends, this one is re-issued.
        await signIn.RefreshSignInAsync(user);
        await audit.RecordAsync("password.changed", user.Id, user.Email);
        return Outcome.Ok;
    }

    /// <summary>
    /// A new employee's first password, through the one-time link an admin was shown: Identity's password-reset token,
    /// valid for a day and spent once the password is set (the security stamp changes).
    /// </summary>
    public async Task<Outcome> SetUpPasswordAsync(SetupForm form)
    {
        var user = string.IsNullOrEmpty(form.User) ? null : await users.FindByIdAsync(form.User);
        var linkSpent = new FieldError("", "This set-up link is not valid any more. Ask an administrator for a new one.");
        if (user is null) return new Outcome.Invalid(linkSpent);

        var result = await users.ResetPasswordAsync(user, form.Token, form.NewPassword);
        if (!result.Succeeded)
            return new Outcome.Invalid([.. result.Errors.Select(e => e.Code == "InvalidToken"
                ? linkSpent
                : new FieldError(nameof(form.NewPassword), e.Description))]);

        await SavedAsync(() =>
        {
            user.MustChangePassword = false;
            return users.UpdateAsync(user);
        });
        await audit.RecordAsync("password.set_with_link", user.Id, user.Email);
        return Outcome.Ok;
    }

    private async Task<bool> IsPasswordOrCurrentCodeAsync(StudioUser user, string secret)
    {
        // A code is checked (and spent) only when it looks like one; anything else is taken for the password.
        var code = secret.Replace(" ", "").Replace("-", "");
        if (code.Length == 6 && code.All(char.IsAsciiDigit)
            && await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
            return true;
        return await users.CheckPasswordAsync(user, secret);
    }

    /// <summary>
    /// Counts a wrong password or code like a failed sign-in. The one that locks the account also ends every session
    /// (this one at once, copies of its cookie at their next security-stamp check); otherwise null, and the caller
    /// gives its own message.
    /// </summary>
    private async Task<Outcome?> WrongSecretAsync(StudioUser user)
    {
        await users.AccessFailedAsync(user);
        if (!await users.IsLockedOutAsync(user)) return null;

        await SavedAsync(() => users.UpdateSecurityStampAsync(user));
        await signIn.SignOutAsync();
        await audit.RecordAsync("signin.locked_out", user.Id, user.Email);
        return new Outcome.Refused(new LockedOut());
    }

    /// <summary>
    /// Saves a change of the user, trying again a few times: a failed attempt counted at the same moment (another
    /// session, the sign-in page) renews the row's concurrency stamp and Identity refuses the save; the store has then
    /// read the user again, so the next try applies the change to the fresh row.
    /// </summary>
    private static async Task<bool> SavedAsync(Func<Task<IdentityResult>> save)
    {
        for (var tries = 0; tries < 5; tries++)
            if ((await save()).Succeeded) return true;
        return false;
    }

    private static Outcome.Stale Stale() => new(new Text("Your account changed at the same moment, so nothing was saved. Please try again."));

    private async Task<StudioUser> UserAsync(ClaimsPrincipal me) =>
        await users.GetUserAsync(me) ?? throw new InvalidOperationException("Signed-in user not found");

    private async Task<bool> TwoFactorRequiredAsync(ClaimsPrincipal me, StudioUser user)
    {
        if (me.HasClaim(StudioClaimsFactory.MustEnrolTwoFactor, "true")) return true;
        if (!user.TwoFactorEnabled) return false;
        var names = await users.GetRolesAsync(user);
        return roles.Roles.Any(r => names.Contains(r.Name!) && r.RequiresTwoFactor);
    }

    // Groups of four for typing: "ABCD EFGH …".
    private static string FormatKey(string key) =>
        string.Join(" ", Enumerable.Range(0, (key.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - i * 4)))).ToLowerInvariant();
}
