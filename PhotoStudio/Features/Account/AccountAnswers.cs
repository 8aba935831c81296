using Microsoft.AspNetCore.Mvc;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Account;

/// <summary>How the account pages answer an outcome: as every form does, except that a lockout ends at the sign-in page.</summary>
public static class AccountAnswers
{
    /// <param name="view">The page with the form, shown again (with the message at its top) when the step did not go through.</param>
    /// <param name="partial">The form alone, for an htmx swap; null when the page has none.</param>
    /// <param name="model">The page's model as it is now.</param>
    public static Task<IActionResult> AnswerAsync(this Controller controller, Outcome outcome, Func<Outcome.Done, IActionResult> done,
        string view, string? partial, Func<Task<object>> model)
    {
        if (outcome is Outcome.Refused { Reason: LockedOut locked })
        {
            Flash.Info(controller.TempData, controller.Say(locked));
            return Task.FromResult(controller.GoTo("/account/login"));
        }
        return controller.AnswerAsync(outcome, done, async message =>
        {
            if (message is not null) controller.ModelState.AddModelError("", message);
            var shown = await model();
            return partial is null ? controller.View(view, shown) : controller.PageOrFragment(view, partial, shown);
        });
    }

    public static Task<IActionResult> AnswerAsync(this Controller controller, Outcome outcome, Func<Outcome.Done, IActionResult> done,
        string view, string? partial, object model) =>
        controller.AnswerAsync(outcome, done, view, partial, () => Task.FromResult(model));
}
