using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Shared;

namespace PhotoStudio.Infrastructure.Writes;

/// <summary>
/// Turns an <see cref="Outcome"/> into the response, the same way in every controller:
/// <list type="bullet">
/// <item>done: what <c>done</c> says, usually <see cref="SeeOther"/> (303, which a boosted form follows);</item>
/// <item>invalid: the form again with the typed values and a message next to each field, 422;</item>
/// <item>slot taken: the form again with the typed values, 409, so the user picks another time;</item>
/// <item>stale: the current state (the posted values cleared so they do not shadow it), 409;</item>
/// <item>refused: the current state with the reason, 422 (403 when this user may not do it);</item>
/// <item>not found: 404.</item>
/// </list>
/// The status is set before the callback runs, so a page or fragment rendered by it keeps it (htmx swaps 409 and 422).
/// </summary>
public static class Answers
{
    public const string StaleText = "Someone else changed this a moment ago. This is how it is now; please check and try again.";
    public const string SlotTakenText = "Sorry, that time was just taken. Please choose another one.";

    /// <param name="done">The answer to a committed change.</param>
    /// <param name="form">The form again, given the message for its top (field messages are in ModelState already).</param>
    /// <param name="current">The current state, given the message for its top; <paramref name="form"/> when null.</param>
    /// <param name="prefix">What field names carry in this form's ModelState (e.g. "Form.").</param>
    /// <param name="stale">The message for a stale outcome that brings none of its own.</param>
    /// <param name="slotTaken">The message for a taken slot that brings none of its own.</param>
    public static async Task<IActionResult> AnswerAsync(this Controller controller, Outcome outcome,
        Func<Outcome.Done, IActionResult> done, Func<string?, Task<IActionResult>> form, Func<string?, Task<IActionResult>>? current = null,
        string prefix = "", string stale = StaleText, string slotTaken = SlotTakenText)
    {
        var response = controller.Response;
        current ??= form;
        switch (outcome)
        {
            case Outcome.Done success:
                return done(success);
            case Outcome.Invalid invalid:
                controller.AddErrors(invalid.Errors, prefix);
                response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return await form(null);
            case Outcome.SlotTaken taken:
                response.StatusCode = StatusCodes.Status409Conflict;
                return await form(controller.Say(taken.Message ?? new Text(slotTaken)));
            case Outcome.Stale changed:
                // The posted values must not shadow the current ones in the page rendered next.
                controller.ModelState.Clear();
                controller.AddErrors(changed.Errors ?? [], prefix);
                response.StatusCode = StatusCodes.Status409Conflict;
                return await current(controller.Say(changed.Message ?? new Text(stale)));
            case Outcome.Refused refused:
                response.StatusCode = refused.Forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status422UnprocessableEntity;
                return await current(controller.Say(refused.Reason));
            default:
                return controller.NotFound();
        }
    }

    /// <summary>Field errors into ModelState, where the form's tag helpers put them next to their fields.</summary>
    public static void AddErrors(this Controller controller, IEnumerable<FieldError> errors, string prefix = "")
    {
        foreach (var error in errors)
            controller.ModelState.AddModelError(error.Field.Length == 0 ? "" : prefix + error.Field, controller.Say(error));
    }

    /// <summary>The message in the user's language; arguments that are messages themselves (a status name) too.</summary>
    public static string Say(this Controller controller, Text text)
    {
        var T = controller.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        return T[text.Key, [.. text.Args.Select(a => a is Text inner ? controller.Say(inner) : a)]];
    }

    /// <summary>
    /// After a change: 303 See Other, which a plain form and a boosted one both follow (htmx swaps the page it lands
    /// on and pushes its URL); HX-Redirect only when a fragment request must become a whole page.
    /// </summary>
    public static IActionResult SeeOther(this Controller controller, string url)
    {
        url = Navigation.HeaderSafe(url);
        if (controller.Request.WantsFragment())
        {
            controller.Response.Htmx(h => h.Redirect(url));
            return new OkResult();
        }
        controller.Response.StatusCode = StatusCodes.Status303SeeOther;
        controller.Response.Headers.Location = url;
        return new EmptyResult();
    }
}
