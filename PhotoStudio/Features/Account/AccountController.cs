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
using PhotoStudio.Infrastructure.Writes;

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
public class AccountController(SignInSteps steps, AuditLog audit, SignInManager<StudioUser> signIn, IStringLocalizer<SharedResource> T) : Controller
{
    private const string StaffHome = "/board";

    [HttpGet("login"), AllowAnonymous]
    public IActionResult Login(string? returnUrl)
    {
        if (User.Identity?.IsAuthenticated == true) return Redirect(Navigation.HeaderSafe(SafeReturnUrl(returnUrl)));
        return this.PageOrFragment("Login", "_LoginForm", new LoginForm { ReturnUrl = returnUrl });
    }

    [HttpPost("login"), AllowAnonymous, EnableRateLimiting(RateLimits.SignIn), AccountRateLimit]
    public async Task<IActionResult> Login(LoginForm form) =>
        await this.AnswerAsync(ModelState.IsValid ? await steps.PasswordAsync(form) : new Outcome.Invalid(), done => done switch
        {
            Outcome.Done<SecondFactorPending> => this.GoTo($"/account/2fa?returnUrl={Uri.EscapeDataString(SafeReturnUrl(form.ReturnUrl))}"),
            _ => this.GoTo(SafeReturnUrl(form.ReturnUrl)),
        }, "Login", "_LoginForm", form with { Password = "" });

    [HttpGet("2fa"), AllowAnonymous]
    public async Task<IActionResult> TwoFactor(string? returnUrl)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null) return Redirect("/account/login");
        return this.PageOrFragment("TwoFactor", "_TwoFactorForm", new TwoFactorForm { ReturnUrl = returnUrl });
    }

    [HttpPost("2fa"), AllowAnonymous, EnableRateLimiting(RateLimits.SignIn), AccountRateLimit]
    public async Task<IActionResult> TwoFactor(TwoFactorForm form) =>
        await SecondFactorAsync(() => steps.AuthenticatorCodeAsync(form),
            _ => this.GoTo(SafeReturnUrl(form.ReturnUrl)), "TwoFactor", "_TwoFactorForm", form with { Code = "" });

    [HttpGet("2fa/recovery"), AllowAnonymous]
    public async Task<IActionResult> Recovery(string? returnUrl)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null) return Redirect("/account/login");
        return this.PageOrFragment("Recovery", "_RecoveryForm", new RecoveryCodeForm { ReturnUrl = returnUrl });
    }

    [HttpPost("2fa/recovery"), AllowAnonymous, EnableRateLimiting(RateLimits.SignIn), AccountRateLimit]
    public async Task<IActionResult> Recovery(RecoveryCodeForm form) =>
        await SecondFactorAsync(() => steps.RecoveryCodeAsync(form), _ =>
        {
            Flash.Info(TempData, T["You signed in with a recovery code. It cannot be used again; make new codes on your security page if you are running low."]);
            return this.GoTo(SafeReturnUrl(form.ReturnUrl));
        }, "Recovery", "_RecoveryForm", form with { Code = "" });

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

    /// <summary>A second-factor step, or back to the password when no sign-in is waiting for one.</summary>
    private async Task<IActionResult> SecondFactorAsync(Func<Task<Outcome>> step, Func<Outcome.Done, IActionResult> done,
        string view, string partial, object model)
    {
        var outcome = ModelState.IsValid ? await step()
            : await signIn.GetTwoFactorAuthenticationUserAsync() is null ? Outcome.Missing
            : new Outcome.Invalid();
        if (outcome is Outcome.NotFound) return this.GoTo("/account/login");
        return await this.AnswerAsync(outcome, done, view, partial, model);
    }

    private string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) && !returnUrl.StartsWith("/account/", StringComparison.OrdinalIgnoreCase)
            ? returnUrl
            : StaffHome;
}
