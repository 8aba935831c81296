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

/// <summary>
/// /account/setup: a new employee chooses a password through the one-time link an admin was shown. The link is
/// Identity's password-reset token: valid for a day and spent once the password is set (the security stamp changes).
/// </summary>
[AllowAnonymous]
[Route("account/setup")]
public class SetupController(UserManager<StudioUser> users, AuditLog audit, IStringLocalizer<SharedResource> T) : Controller
{
    [HttpGet("")]
    public IActionResult Show(string? user, string? token) =>
        View("Setup", new SetupForm { User = user ?? "", Token = token ?? "" });

    [HttpPost(""), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> Save(SetupForm form)
    {
        var user = string.IsNullOrEmpty(form.User) ? null : await users.FindByIdAsync(form.User);
        if (ModelState.IsValid)
        {
            if (user is null)
                ModelState.AddModelError("", T["This set-up link is not valid any more. Ask an administrator for a new one."]);
            else
            {
                var result = await users.ResetPasswordAsync(user, form.Token, form.NewPassword);
                foreach (var error in result.Errors)
                    ModelState.AddModelError(error.Code == "InvalidToken" ? "" : nameof(form.NewPassword),
                        error.Code == "InvalidToken" ? T["This set-up link is not valid any more. Ask an administrator for a new one."] : T[error.Description]);
                if (result.Succeeded)
                {
                    user.MustChangePassword = false;
                    await users.UpdateAsync(user);
                    await audit.RecordAsync("password.set_with_link", user.Id, user.Email);
                    Flash.Success(TempData, T["Your password is set. Please sign in."]);
                    return this.GoTo("/account/login");
                }
            }
        }
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("Setup", form with { NewPassword = "", ConfirmPassword = "" });
    }
}
