using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Account;

public sealed record SetupForm
{
    public string User { get; init; } = "";
    public string Token { get; init; } = "";

    [Required(ErrorMessage = "Please choose a password."), DataType(DataType.Password), Display(Name = "New password")]
    public string NewPassword { get; init; } = "";

    [Compare(nameof(NewPassword), ErrorMessage = "The two passwords differ."), DataType(DataType.Password), Display(Name = "Repeat the new password")]
    public string ConfirmPassword { get; init; } = "";
}

/// <summary>/account/setup: a new employee chooses a password through the one-time link an admin was shown.</summary>
[AllowAnonymous]
[Route("account/setup")]
public class SetupController(AccountSecurity security, IStringLocalizer<SharedResource> T) : Controller
{
    [HttpGet("")]
    public IActionResult Show(string? user, string? token) =>
        View("Setup", new SetupForm { User = user ?? "", Token = token ?? "" });

    [HttpPost(""), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> Save(SetupForm form) =>
        await this.AnswerAsync(ModelState.IsValid ? await security.SetUpPasswordAsync(form) : new Outcome.Invalid(), _ =>
        {
            Flash.Success(TempData, T["Your password is set. Please sign in."]);
            return this.GoTo("/account/login");
        }, "Setup", null, form with { NewPassword = "", ConfirmPassword = "" });
}
