using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin;

// What every admin area's forms share: field ids for messages, the labelled input, errors from a service's rules.

/// <summary>The element id of a model-state key: "Days[0]" becomes "Days-0", so errors can point at their field.</summary>
public static class FieldIds
{
    public static string Of(string key) => key.Replace('[', '-').Replace(']', '-').Replace('.', '-').TrimEnd('-');

    public static bool HasError(this Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary state, string key) =>
        state[key]?.Errors.Count > 0;
}

/// <summary>One labelled input with its message, as <c>_Input</c> renders it.</summary>
public record InputField(string Name, string Label, object? Value, string Type = "text", int? Min = null, int? Max = null,
    string? Autocomplete = null, string? Css = null);

public static class FormErrors
{
    /// <summary>A form's own field errors as validation results, in the user's language.</summary>
    public static IEnumerable<ValidationResult> Said(ValidationContext context, IEnumerable<FieldError> errors)
    {
        var T = (IStringLocalizer<SharedResource>)context.GetService(typeof(IStringLocalizer<SharedResource>))!;
        return errors.Select(e => new ValidationResult(T[e.Key, e.Args], [e.Field]));
    }
}
