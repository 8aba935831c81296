using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Audit;
using QRCoder;

namespace PhotoStudio.Features.Account;

public record SecurityPage(bool TwoFactorEnabled, bool TwoFactorRequired, int RecoveryCodesLeft, string? SharedKey, string? QrSvg,
    EnableTwoFactorForm Enable, DisableTwoFactorForm Disable);

public record RecoveryCodesPage(IReadOnlyList<string> Codes);

public record EnableTwoFactorForm
{
    [Required(ErrorMessage = "Enter the code from your authenticator app.")]
    [Display(Name = "Code from the app")]
    public string Code { get; init; } = "";
}

public record RegenerateRecoveryCodesForm
{
    [Required(ErrorMessage = "Enter your password or a code from your authenticator app.")]
    [DataType(DataType.Password)]
    [Display(Name = "Your password or a code from your authenticator app")]
    public string PasswordOrCode { get; init; } = "";
}

public record DisableTwoFactorForm
{
    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    [Display(Name = "Your password")]
    public string Password { get; init; } = "";
}

public record ChangePasswordForm
{
    [Required(ErrorMessage = "Enter your current password.")]
    [DataType(DataType.Password)]
    [Display(Name = "Current password")]
    public string CurrentPassword { get; init; } = "";

    [Required(ErrorMessage = "Enter a new password.")]
    [StringLength(256, MinimumLength = 12, ErrorMessage = "Use at least 12 characters.")]
    [DataType(DataType.Password)]
    [Display(Name = "New password")]
    public string NewPassword { get; init; } = "";

    [Compare(nameof(NewPassword), ErrorMessage = "The two new passwords differ.")]
    [DataType(DataType.Password)]
    [Display(Name = "New password again")]
    public string ConfirmPassword { get; init; } = "";
}

/// <summary>
/// A signed-in user's own security: second factor, recovery codes, password, sessions. The pages that ask for the
/// password again are limited like sign-in, and a wrong answer counts like a failed sign-in: someone holding a stolen
/// session cannot guess the password through them.
/// </summary>
[Authorize]
[Route("account")]
public class SecurityController(
    UserManager<StudioUser> users,
    SignInManager<StudioUser> signIn,
    AuditLog audit,
    IStringLocalizer<SharedResource> T) : Controller
{
    private const string Issuer = "PhotoStudio";

    [HttpGet("security")]
    public async Task<IActionResult> Index() => View(await PageAsync(await CurrentUserAsync()));

    [HttpPost("security/enable")]
    public async Task<IActionResult> Enable(EnableTwoFactorForm form)
    {
        var user = await CurrentUserAsync();
        if (ModelState.IsValid && !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, form.Code))
        {
            await audit.RecordAsync("2fa.code_failed", user.Id, user.Email);
            ModelState.AddModelError(nameof(form.Code), T["That code is not valid. Check your authenticator app and try again."]);
        }
        if (!ModelState.IsValid)
            return View("Index", await PageAsync(user) with { Enable = form with { Code = "" } });

        if (!await SavedAsync(() => users.SetTwoFactorEnabledAsync(user, true)))
        {
            ModelState.AddModelError("", T["Your account changed at the same moment, so nothing was saved. Please try again."]);
            return View("Index", await PageAsync(user) with { Enable = form with { Code = "" } });
        }
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10);
        await audit.RecordAsync("2fa.enabled", user.Id, user.Email);
        await signIn.RefreshSignInAsync(user);
        Flash.Success(TempData, T["Two-factor sign-in is on."]);
        return View("RecoveryCodes", new RecoveryCodesPage([.. codes!]));
    }

    [HttpPost("security/recovery-codes"), EnableRateLimiting(RateLimits.SignIn), AccountRateLimit(SignedInUser = true)]
    public async Task<IActionResult> RegenerateRecoveryCodes(RegenerateRecoveryCodesForm form)
    {
        var user = await CurrentUserAsync();
        if (!user.TwoFactorEnabled) return this.GoTo("/account/security");
        if (ModelState.IsValid && !await IsPasswordOrCurrentCodeAsync(user, form.PasswordOrCode))
        {
            if (await WrongSecretAsync(user) is { } lockedOut) return lockedOut;
            ModelState.AddModelError(nameof(form.PasswordOrCode), T["That password or code is not right."]);
        }
        if (!ModelState.IsValid)
            return View("Index", await PageAsync(user));

        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10);
        await audit.RecordAsync("2fa.recovery_codes_regenerated", user.Id, user.Email);
        return View("RecoveryCodes", new RecoveryCodesPage([.. codes!]));
    }

    [HttpPost("security/disable"), EnableRateLimiting(RateLimits.SignIn), AccountRateLimit(SignedInUser = true)]
    public async Task<IActionResult> Disable(DisableTwoFactorForm form)
    {
        var user = await CurrentUserAsync();
        var page = await PageAsync(user);
        if (page.TwoFactorRequired)
            ModelState.AddModelError("", T["Your role requires two-factor sign-in, so it cannot be switched off."]);
        else if (ModelState.IsValid && !await users.CheckPasswordAsync(user, form.Password))
        {
            if (await WrongSecretAsync(user) is { } lockedOut) return lockedOut;
            ModelState.AddModelError(nameof(form.Password), T["That password is not right."]);
        }
        if (!ModelState.IsValid)
            return View("Index", page with { Disable = new DisableTwoFactorForm() });

        if (!await SavedAsync(() => users.SetTwoFactorEnabledAsync(user, false)))
        {
            ModelState.AddModelError("", T["Your account changed at the same moment, so nothing was saved. Please try again."]);
            return View("Index", page with { Disable = new DisableTwoFactorForm() });
        }
        await users.ResetAuthenticatorKeyAsync(user);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await audit.RecordAsync("2fa.disabled", user.Id, user.Email);
        await signIn.RefreshSignInAsync(user);
        Flash.Info(TempData, T["Two-factor sign-in is off."]);
        return this.GoTo("/account/security");
    }

    [HttpPost("security/sign-out-everywhere")]
    public async Task<IActionResult> SignOutEverywhere()
    {
        var user = await CurrentUserAsync();
        // A new security stamp invalidates every cookie issued before; this browser gets a fresh one.
        await users.UpdateSecurityStampAsync(user);
        await signIn.RefreshSignInAsync(user);
        await audit.RecordAsync("session.signed_out_everywhere", user.Id, user.Email);
        Flash.Success(TempData, T["Every other session has been signed out."]);
        return this.GoTo("/account/security");
    }

    [HttpGet("password")]
    public IActionResult Password() => View(new ChangePasswordForm());

    [HttpPost("password"), EnableRateLimiting(RateLimits.SignIn), AccountRateLimit(SignedInUser = true)]
    public async Task<IActionResult> Password(ChangePasswordForm form)
    {
        var user = await CurrentUserAsync();
        if (ModelState.IsValid)
        {
            var result = await users.ChangePasswordAsync(user, form.CurrentPassword, form.NewPassword);
            if (result.Errors.Any(e => e.Code == "PasswordMismatch") && await WrongSecretAsync(user) is { } lockedOut)
                return lockedOut;
            foreach (var error in result.Errors)
                ModelState.AddModelError(error.Code == "PasswordMismatch" ? nameof(form.CurrentPassword) : nameof(form.NewPassword),
                    error.Code == "PasswordMismatch" ? T["That password is not right."] : error.Description);
        }
        if (!ModelState.IsValid)
            return View(new ChangePasswordForm());

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
        Flash.Success(TempData, T["Your password has been changed. Other sessions were signed out."]);
        return this.GoTo("/account/security");
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
    /// (this one at once, copies of its cookie at their next security-stamp check) and sends the browser to sign in;
    /// otherwise null, and the caller shows its message.
    /// </summary>
    private async Task<IActionResult?> WrongSecretAsync(StudioUser user)
    {
        await users.AccessFailedAsync(user);
        if (!await users.IsLockedOutAsync(user)) return null;

        await SavedAsync(() => users.UpdateSecurityStampAsync(user));
        await signIn.SignOutAsync();
        await audit.RecordAsync("signin.locked_out", user.Id, user.Email);
        Flash.Info(TempData, T["Too many wrong attempts: your account is locked for a while and you have been signed out."]);
        return this.GoTo("/account/login");
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

    private async Task<StudioUser> CurrentUserAsync() =>
        await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed-in user not found");

    private async Task<SecurityPage> PageAsync(StudioUser user)
    {
        var required = User.HasClaim(StudioClaimsFactory.MustEnrolTwoFactor, "true") || (user.TwoFactorEnabled && await RoleRequiresTwoFactorAsync(user));
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

    private async Task<bool> RoleRequiresTwoFactorAsync(StudioUser user)
    {
        var names = await users.GetRolesAsync(user);
        var roles = HttpContext.RequestServices.GetRequiredService<RoleManager<StudioRole>>();
        return roles.Roles.Any(r => names.Contains(r.Name!) && r.RequiresTwoFactor);
    }

    // Groups of four for typing: "ABCD EFGH …".
    private static string FormatKey(string key) =>
        string.Join(" ", Enumerable.Range(0, (key.Length + 3) / 4).Select(i => key.Substring(i * 4, Math.Min(4, key.Length - i * 4)))).ToLowerInvariant();
}
