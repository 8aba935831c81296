using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Calendar;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Account;

public record SecurityPage(bool TwoFactorEnabled, bool TwoFactorRequired, int RecoveryCodesLeft, string? SharedKey, string? QrSvg,
    EnableTwoFactorForm Enable, DisableTwoFactorForm Disable)
{
    /// <summary>The user's calendar subscriptions (<see cref="CalendarFeeds"/>).</summary>
    public IReadOnlyList<FeedLink> Feeds { get; init; } = [];
}

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
/// A signed-in user's own security pages. The pages that ask for the password again are limited like sign-in;
/// <see cref="AccountSecurity"/> counts a wrong answer like a failed sign-in.
/// </summary>
[Authorize]
[Route("account")]
public class SecurityController(AccountSecurity security, CalendarFeeds feeds, IStringLocalizer<SharedResource> T) : Controller
{
    [HttpGet("security"), ChecksPermission(Permissions.BookingsViewAll)]
    public async Task<IActionResult> Index(CancellationToken ct) => View(await PageAsync(ct));

    [HttpPost("security/feeds/rotate"), ChecksPermission(Permissions.BookingsViewAll)]
    public async Task<IActionResult> RotateFeeds(CancellationToken ct) =>
        await AnswerAsync(await feeds.RotateAsync(User, ct), _ =>
        {
            Flash.Success(TempData, T["Your calendar subscriptions have new addresses. The old ones no longer work."]);
            return this.GoTo("/account/security#calendar-feeds");
        });

    [HttpPost("security/enable")]
    public async Task<IActionResult> Enable(EnableTwoFactorForm form) =>
        await AnswerAsync(ModelState.IsValid ? await security.EnableTwoFactorAsync(User, form) : new Outcome.Invalid(), done =>
        {
            Flash.Success(TempData, T["Two-factor sign-in is on."]);
            return View("RecoveryCodes", new RecoveryCodesPage(((Outcome.Done<IReadOnlyList<string>>)done).Value));
        });

    [HttpPost("security/recovery-codes"), EnableRateLimiting(RateLimits.SignIn), AccountRateLimit(SignedInUser = true)]
    public async Task<IActionResult> RegenerateRecoveryCodes(RegenerateRecoveryCodesForm form) =>
        await AnswerAsync(ModelState.IsValid ? await security.RegenerateRecoveryCodesAsync(User, form) : new Outcome.Invalid(), done =>
            done is Outcome.Done<IReadOnlyList<string>> codes
                ? View("RecoveryCodes", new RecoveryCodesPage(codes.Value))
                : this.GoTo("/account/security"));

    [HttpPost("security/disable"), EnableRateLimiting(RateLimits.SignIn), AccountRateLimit(SignedInUser = true)]
    public async Task<IActionResult> Disable(DisableTwoFactorForm form) =>
        await AnswerAsync(ModelState.IsValid ? await security.DisableTwoFactorAsync(User, form) : new Outcome.Invalid(), _ =>
        {
            Flash.Info(TempData, T["Two-factor sign-in is off."]);
            return this.GoTo("/account/security");
        });

    [HttpPost("security/sign-out-everywhere")]
    public async Task<IActionResult> SignOutEverywhere()
    {
        await security.SignOutEverywhereAsync(User);
        Flash.Success(TempData, T["Every other session has been signed out."]);
        return this.GoTo("/account/security");
    }

    [HttpGet("password")]
    public IActionResult Password() => View(new ChangePasswordForm());

    [HttpPost("password"), EnableRateLimiting(RateLimits.SignIn), AccountRateLimit(SignedInUser = true)]
    public async Task<IActionResult> Password(ChangePasswordForm form) =>
        await this.AnswerAsync(ModelState.IsValid ? await security.ChangePasswordAsync(User, form) : new Outcome.Invalid(), _ =>
        {
            Flash.Success(TempData, T["Your password has been changed. Other sessions were signed out."]);
            return this.GoTo("/account/security");
        }, "Password", null, new ChangePasswordForm());

    /// <summary>The answer of a step on the security page, which shows again as it is now when the step did not go through.</summary>
    private Task<IActionResult> AnswerAsync(Outcome outcome, Func<Outcome.Done, IActionResult> done) =>
        this.AnswerAsync(outcome, done, "Index", null, async () => await PageAsync(HttpContext.RequestAborted));

    private async Task<SecurityPage> PageAsync(CancellationToken ct) =>
        await security.PageAsync(User) with { Feeds = await feeds.ListAsync(User, ct) };
}
