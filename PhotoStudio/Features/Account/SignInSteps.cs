using Microsoft.AspNetCore.Identity;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Audit;
using PhotoStudio.Infrastructure.Metrics;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Account;

/// <summary>The password was right; the second factor is still to come.</summary>
public sealed record SecondFactorPending;

/// <summary>Signing in: the password, then (when the account has one) the app code or a recovery code.</summary>
public sealed class SignInSteps(
    SignInManager<StudioUser> signIn,
    UserManager<StudioUser> users,
    AuditLog audit,
    StudioMetrics metrics,
    ILogger<SignInSteps> log)
{
    public async Task<Outcome> PasswordAsync(LoginForm form)
    {
        var email = form.Email.Trim();
        var result = await signIn.PasswordSignInAsync(email, form.Password, isPersistent: false, lockoutOnFailure: true);
        var user = await users.FindByEmailAsync(email);
        if (result.Succeeded)
        {
            metrics.SignIn("success");
            await audit.RecordAsync("signin.succeeded", user?.Id, form.Email);
            return Outcome.Ok;
        }
        if (result.RequiresTwoFactor)
        {
            metrics.SignIn("second_factor");
            return Outcome.With(new SecondFactorPending());
        }

        metrics.SignIn(result.IsLockedOut ? "locked_out" : "failure");
        log.LogInformation("Sign-in refused (locked out: {LockedOut})", result.IsLockedOut);
        await audit.RecordAsync(result.IsLockedOut ? "signin.locked_out" : "signin.failed", user?.Id, form.Email);
        // One message for every failure, so the form tells nobody which accounts exist or are locked.
        return Outcome.Field("", "Email or password is incorrect, or the account is temporarily locked.");
    }

    /// <summary>The app-code step; not found when no sign-in is waiting for a second factor.</summary>
    public async Task<Outcome> AuthenticatorCodeAsync(TwoFactorForm form)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is not { } user) return Outcome.Missing;

        var code = form.Code.Replace(" ", "").Replace("-", "");
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: form.RememberDevice);
        if (result.Succeeded)
        {
            metrics.SignIn("success");
            await audit.RecordAsync("signin.succeeded", user.Id, user.Email);
            return Outcome.Ok;
        }
        metrics.SignIn(result.IsLockedOut ? "locked_out" : "failure");
        await audit.RecordAsync(result.IsLockedOut ? "signin.locked_out" : "2fa.code_failed", user.Id, user.Email);
        return Outcome.Field(nameof(form.Code), "That code is not valid. Check your authenticator app and try again.");
    }

    /// <summary>The recovery-code step; not found when no sign-in is waiting for a second factor.</summary>
    public async Task<Outcome> RecoveryCodeAsync(RecoveryCodeForm form)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is not { } user) return Outcome.Missing;

        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(form.Code.Replace(" ", ""));
        if (result.Succeeded)
        {
            metrics.SignIn("success");
            await audit.RecordAsync("2fa.recovery_code_used", user.Id, user.Email);
            return Outcome.Ok;
        }
        // A locked or deactivated account was refused before its code was looked at, as on the app-code step: nothing to count.
        var refused = result.IsLockedOut || result.IsNotAllowed;
        // Identity does not count failed recovery codes towards lockout; this makes guessing them as slow as guessing passwords.
        if (!refused) await users.AccessFailedAsync(user);
        metrics.SignIn(result.IsLockedOut ? "locked_out" : "failure");
        await audit.RecordAsync(result.IsLockedOut ? "signin.locked_out" : "2fa.recovery_code_failed", user.Id, user.Email);
        return Outcome.Field(nameof(form.Code), "That recovery code is not valid or was already used.");
    }
}
