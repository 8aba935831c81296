using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Audit;
using PhotoStudio.Infrastructure.Metrics;

namespace PhotoStudio.Features.Account;

/// <summary>Signing in: the password, then (when the account has one) the app code or a recovery code.</summary>
public sealed class SignInSteps(
    SignInManager<StudioUser> signIn,
    UserManager<StudioUser> users,
    AuditLog audit,
    StudioMetrics metrics,
    IStringLocalizer<SharedResource> T,
    ILogger<SignInSteps> log)
{
    public async Task<AccountOutcome> PasswordAsync(LoginForm form)
    {
        var email = form.Email.Trim();
        var result = await signIn.PasswordSignInAsync(email, form.Password, isPersistent: false, lockoutOnFailure: true);
        var user = await users.FindByEmailAsync(email);
        if (result.Succeeded)
        {
            metrics.SignIn("success");
            await audit.RecordAsync("signin.succeeded", user?.Id, form.Email);
            return new AccountOutcome.Done();
        }
        if (result.RequiresTwoFactor)
        {
            metrics.SignIn("second_factor");
            return new AccountOutcome.SecondFactorNeeded();
        }

        metrics.SignIn(result.IsLockedOut ? "locked_out" : "failure");
        log.LogInformation("Sign-in refused (locked out: {LockedOut})", result.IsLockedOut);
        await audit.RecordAsync(result.IsLockedOut ? "signin.locked_out" : "signin.failed", user?.Id, form.Email);
        // One message for every failure, so the form tells nobody which accounts exist or are locked.
        return new AccountOutcome.Invalid("", T["Email or password is incorrect, or the account is temporarily locked."]);
    }

    /// <summary>The app-code step; null when no sign-in is waiting for a second factor.</summary>
    public async Task<AccountOutcome?> AuthenticatorCodeAsync(TwoFactorForm form)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is not { } user) return null;

        var code = form.Code.Replace(" ", "").Replace("-", "");
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: form.RememberDevice);
        if (result.Succeeded)
        {
            metrics.SignIn("success");
            await audit.RecordAsync("signin.succeeded", user.Id, user.Email);
            return new AccountOutcome.Done();
        }
        metrics.SignIn(result.IsLockedOut ? "locked_out" : "failure");
        await audit.RecordAsync(result.IsLockedOut ? "signin.locked_out" : "2fa.code_failed", user.Id, user.Email);
        return new AccountOutcome.Invalid(nameof(form.Code), T["That code is not valid. Check your authenticator app and try again."]);
    }

    /// <summary>The recovery-code step; null when no sign-in is waiting for a second factor.</summary>
    public async Task<AccountOutcome?> RecoveryCodeAsync(RecoveryCodeForm form)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is not { } user) return null;

        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(form.Code.Replace(" ", ""));
        if (result.Succeeded)
        {
            metrics.SignIn("success");
            await audit.RecordAsync("2fa.recovery_code_used", user.Id, user.Email);
            return new AccountOutcome.Done();
        }
        // A locked or deactivated account was refused before its code was looked at, as on the app-code step: nothing to count.
        var refused = result.IsLockedOut || result.IsNotAllowed;
        // Identity does not count failed recovery codes towards lockout; this makes guessing them as slow as guessing passwords.
        if (!refused) await users.AccessFailedAsync(user);
        metrics.SignIn(result.IsLockedOut ? "locked_out" : "failure");
        await audit.RecordAsync(result.IsLockedOut ? "signin.locked_out" : "2fa.recovery_code_failed", user.Id, user.Email);
        return new AccountOutcome.Invalid(nameof(form.Code), T["That recovery code is not valid or was already used."]);
    }
}
