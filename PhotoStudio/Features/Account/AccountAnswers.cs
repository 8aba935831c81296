using Microsoft.AspNetCore.Mvc;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Account;

/// <summary>How the account pages answer a step that did not go through.</summary>
public static class AccountAnswers
{
    /// <summary>
    /// The form again with the messages next to its fields: 422, or 409 when the account changed at the same moment
    /// (the page then shows its current state). A lockout instead ends at the sign-in page.
    /// </summary>
    /// <param name="outcome">Null when the form's own validation refused it (the messages are in the model state already).</param>
    public static IActionResult Refused(this Controller controller, string view, string? partial, object model, AccountOutcome? outcome = null)
    {
        switch (outcome)
        {
            case AccountOutcome.LockedOut locked:
                Flash.Info(controller.TempData, locked.Message);
                return controller.GoTo("/account/login");
            case AccountOutcome.Invalid invalid:
                invalid.Errors.AddTo(controller.ModelState);
                break;
            case AccountOutcome.Stale stale:
                controller.ModelState.AddModelError("", stale.Message);
                break;
        }
        controller.Response.StatusCode = outcome is AccountOutcome.Stale ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
        return partial is null ? controller.View(view, model) : controller.PageOrFragment(view, partial, model);
    }
}
