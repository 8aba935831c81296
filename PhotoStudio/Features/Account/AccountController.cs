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
using PhotoStudio.Infrastructure.Metrics;

namespace PhotoStudio.Features.Account;

public record LoginForm
{
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [Display(Name = "Email")]
    public string Email { get; init; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    [Display(Name = "Password")]
    public string Password { get; init; } = "";

    public string? ReturnUrl { get; init; }
}

public record RecoveryCodeForm
{
    [Required(ErrorMessage = "Enter one of your recovery codes.")]
    [Display(Name = "Recovery code")]
    public string Code { get; init; } = "";

    public string? ReturnUrl { get; init; }
}

public record TwoFactorForm
{
    [Required(ErrorMessage = "Enter the code from your authenticator app.")]
    [Display(Name = "Authentication code")]
    public string Code { get; init; } = "";

    [Display(Name = "Remember this device for 30 days")]
    public bool RememberDevice { get; init; }

    public string? ReturnUrl { get; init; }
}

[Route("account")]
public class AccountController(
    SignInManager<StudioUser> signIn,
    UserManager<StudioUser> users,
    AuditLog audit,
    StudioMetrics metrics,
    IStringLocalizer<SharedResource> T,
    ILogger<AccountController> log) : Controller
{
    private const string StaffHome = "/board";

    [HttpGet("login"), AllowAnonymous]
    public IActionResult Login(string? returnUrl)
    {
        if (User.Identity?.IsAuthenticated == true) return Redirect(Navigation.HeaderSafe(SafeReturnUrl(returnUrl)));
        return this.PageOrFragment("Login", "_LoginForm", new LoginForm { ReturnUrl = returnUrl });
    }

    [HttpPost("login"), AllowAnonymous, EnableRateLimiting(RateLimits.SignIn), AccountRateLimit]
    public async Task<IActionResult> Login(LoginForm form)
    {
        if (!ModelState.IsValid)
            return this.PageOrFragment("Login", "_LoginForm", form with { Password = "" });

        var result = await signIn.PasswordSignInAsync(form.Email.Trim(), form.Password, isPersistent: false, lockoutOnFailure: true);
        var user = await users.FindByEmailAsync(form.Email.Trim());
        if (result.Succeeded)
        {
            metrics.SignIn("success");
            await audit.RecordAsync("signin.succeeded", user?.Id, form.Email);
            return this.GoTo(SafeReturnUrl(form.ReturnUrl));
        }
        if (result.RequiresTwoFactor)
        {
            metrics.SignIn("second_factor");
            return this.GoTo($"/account/2fa?returnUrl={Uri.EscapeDataString(SafeReturnUrl(form.ReturnUrl))}");
        }

        metrics.SignIn(result.IsLockedOut ? "locked_out" : "failure");
        log.LogInformation("Sign-in refused (locked out: {LockedOut})", result.IsLockedOut);
        await audit.RecordAsync(result.IsLockedOut ? "signin.locked_out" : "signin.failed", user?.Id, form.Email);
        // One message for every failure, so the form tells nobody which accounts exist or are locked.
        ModelState.AddModelError("", T["Email or password is incorrect, or the account is temporarily locked."]);
        return this.PageOrFragment("Login", "_LoginForm", form with { Password = "" });
    }

    [HttpGet("2fa"), AllowAnonymous]
    public async Task<IActionResult> TwoFactor(string? returnUrl)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null) return Redirect("/account/login");
        return this.PageOrFragment("TwoFactor", "_TwoFactorForm", new TwoFactorForm { ReturnUrl = returnUrl });
    }

    [HttpPost("2fa"), AllowAnonymous, EnableRateLimiting(RateLimits.SignIn), AccountRateLimit]
    public async Task<IActionResult> TwoFactor(TwoFactorForm form)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null) return this.GoTo("/account/login");
        if (!ModelState.IsValid) return this.PageOrFragment("TwoFactor", "_TwoFactorForm", form with { Code = "" });

        var code = form.Code.Replace(" ", "").Replace("-", "");
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: form.RememberDevice);
        if (result.Succeeded)
        {
            metrics.SignIn("success");
            await audit.RecordAsync("signin.succeeded", user.Id, user.Email);
            return this.GoTo(SafeReturnUrl(form.ReturnUrl));
        }
        metrics.SignIn(result.IsLockedOut ? "locked_out" : "failure");
        await audit.RecordAsync(result.IsLockedOut ? "signin.locked_out" : "2fa.code_failed", user.Id, user.Email);
        ModelState.AddModelError(nameof(TwoFactorForm.Code), T["That code is not valid. Check your authenticator app and try again."]);
        return this.PageOrFragment("TwoFactor", "_TwoFactorForm", form with { Code = "" });
    }

    [HttpGet("2fa/recovery"), AllowAnonymous]
    public async Task<IActionResult> Recovery(string? returnUrl)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null) return Redirect("/account/login");
        return this.PageOrFragment("Recovery", "_RecoveryForm", new RecoveryCodeForm { ReturnUrl = returnUrl });
    }

    [HttpPost("2fa/recovery"), AllowAnonymous, EnableRateLimiting(RateLimits.SignIn), AccountRateLimit]
    public async Task<IActionResult> Recovery(RecoveryCodeForm form)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null) return this.GoTo("/account/login");
        if (!ModelState.IsValid) return this.PageOrFragment("Recovery", "_RecoveryForm", form with { Code = "" });

        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(form.Code.Replace(" ", ""));
        if (result.Succeeded)
        {
            metrics.SignIn("success");
            await audit.RecordAsync("2fa.recovery_code_used", user.Id, user.Email);
            Flash.Info(TempData, T["You signed in with a recovery code. It cannot be used again; make new codes on your security page if you are running low."]);
            return this.GoTo(SafeReturnUrl(form.ReturnUrl));
        }
        // A locked or deactivated account was refused before its code was looked at, as on the app-code step: nothing to count.
        var refused = result.IsLockedOut || result.IsNotAllowed;
        // Identity does not count failed recovery codes towards lockout; this makes guessing them as slow as guessing passwords.
        if (!refused) await users.AccessFailedAsync(user);
        metrics.SignIn(result.IsLockedOut ? "locked_out" : "failure");
        await audit.RecordAsync(result.IsLockedOut ? "signin.locked_out" : "2fa.recovery_code_failed", user.Id, user.Email);
        ModelState.AddModelError(nameof(RecoveryCodeForm.Code), T["That recovery code is not valid or was already used."]);
        return this.PageOrFragment("Recovery", "_RecoveryForm", form with { Code = "" });
    }

    [HttpGet("logout"), AllowAnonymous]
    public IActionResult Logout() => User.Identity?.IsAuthenticated == true ? View() : Redirect("/account/login");

    [HttpPost("logout"), AllowAnonymous]
    [ActionName("Logout")]
    public async Task<IActionResult> LogoutPost()
    {
        if (User.Identity?.IsAuthenticated == true)
            await audit.RecordAsync("signout");
        await signIn.SignOutAsync();
        Flash.Info(TempData, T["You have signed out."]);
        return this.GoTo("/account/login");
    }

    private string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) && !returnUrl.StartsWith("/account/", StringComparison.OrdinalIgnoreCase)
            ? returnUrl
            : StaffHome;
}
