using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace PhotoStudio.Features.Account;

/// <summary>A message for one field of the form ("" for the form as a whole).</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>What an account step came to; the controller only turns it into the answer.</summary>
public abstract record AccountOutcome
{
    /// <summary>Done; <see cref="Codes"/> holds the new recovery codes when the step made some.</summary>
    public sealed record Done(IReadOnlyList<string>? Codes = null) : AccountOutcome;

    /// <summary>The password was right and the second factor is still to come.</summary>
    public sealed record SecondFactorNeeded : AccountOutcome;

    /// <summary>Refused: the form again with these messages next to its fields.</summary>
    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : AccountOutcome
    {
        public Invalid(string field, string message) : this([new FieldError(field, message)]) { }
    }

    /// <summary>The account changed at the same moment (a failed attempt counted elsewhere), so nothing was saved.</summary>
    public sealed record Stale(string Message) : AccountOutcome;

    /// <summary>A wrong secret locked the account: every session has ended, this one included.</summary>
    public sealed record LockedOut(string Message) : AccountOutcome;
}

public static class FieldErrors
{
    /// <summary>Puts the messages into the model state, next to their fields, as the form's own validation does.</summary>
    public static void AddTo(this IEnumerable<FieldError> errors, ModelStateDictionary modelState)
    {
        foreach (var error in errors) modelState.AddModelError(error.Field, error.Message);
    }
}
