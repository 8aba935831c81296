using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.RateLimiting;
using PhotoStudio.Features.Admin.Integrations;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Api;

/// <summary>
/// What every /api/v1 controller shares: JSON in and out, an API key (never a cookie, so no antiforgery token), the
/// per-key rate limit, and errors as problem details. A field error is named by the JSON property or query parameter
/// it is about, as <c>errors</c> in <see cref="HttpValidationProblemDetails"/>. Outcomes of the services map as the
/// pages map them: invalid 422, not found 404, slot taken 409, stale 412 (the <c>If-Match</c> version is not the
/// current one), refused 422 (403 when the key may not).
/// </summary>
[ApiController]
[Authorize(AuthenticationSchemes = ApiKeys.Scheme)]
[EnableRateLimiting(RateLimits.Api)]
[IgnoreAntiforgeryToken]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
public abstract class ApiControllerBase : ControllerBase, IActionFilter
{
    public const string SlotTaken = "Sorry, that time was just taken. Please choose another one.";

    /// <summary>
    /// A NUL character can be neither searched for nor stored (PostgreSQL text refuses it), so a value with one is
    /// malformed: 400 naming the field, as for a value the binder could not read, before the action runs.
    /// </summary>
    void IActionFilter.OnActionExecuting(ActionExecutingContext context)
    {
        var fields = context.ActionArguments.SelectMany(a => WithNul(a.Key, a.Value, depth: 0)).Distinct().ToList();
        if (fields.Count > 0)
            context.Result = Invalid(fields.ToDictionary(f => f, _ => new[] { "A NUL character (U+0000) is not allowed." }), StatusCodes.Status400BadRequest);
    }

    void IActionFilter.OnActionExecuted(ActionExecutedContext context) { }

    /// <summary>The fields of a bound value (a string, a list of strings or one of the API's records) that hold a NUL.</summary>
    private static IEnumerable<string> WithNul(string name, object? value, int depth) => value switch
    {
        string s => s.Contains('\0') ? [name] : [],
        IEnumerable<string> list => list.Any(s => s?.Contains('\0') == true) ? [name] : [],
        not null when depth < 2 && value.GetType().Namespace == typeof(ApiControllerBase).Namespace => value.GetType().GetProperties()
            .Where(p => p.GetIndexParameters().Length == 0)
            .SelectMany(p => WithNul(depth == 0 ? Camel(p.Name) : $"{name}.{Camel(p.Name)}", p.GetValue(value), depth + 1)),
        _ => [],
    };

    /// <summary>The id of the key this request came with.</summary>
    protected int KeyId => ApiKeyAuthentication.KeyId(User);

    /// <summary>422 (or <paramref name="status"/>) with a message for each field, in the RFC 9457 form with <c>errors</c>.</summary>
    protected ObjectResult Invalid(Dictionary<string, string[]> errors, int status = StatusCodes.Status422UnprocessableEntity) =>
        ApiProblems.Fields(HttpContext, errors, status);

    /// <summary>A problem without field errors (404, 409, 412, 428 …).</summary>
    protected ObjectResult Refuse(int status, string detail) =>
        new(ApiProblems.Problem(HttpContext, status, detail)) { StatusCode = status, ContentTypes = { "application/problem+json" } };

    /// <summary>The answer to a service's outcome; <paramref name="field"/> names a service's field in the API's terms.</summary>
    protected async Task<IActionResult> AnswerAsync(Outcome outcome, Func<Outcome.Done, Task<IActionResult>> done, Func<string, string>? field = null)
    {
        field ??= Camel;
        return outcome switch
        {
            Outcome.Done success => await done(success),
            Outcome.Invalid invalid => Invalid(invalid.Errors.GroupBy(e => field(e.Field))
                .ToDictionary(g => g.Key, g => g.Select(Say).ToArray())),
            Outcome.NotFound => Refuse(StatusCodes.Status404NotFound, "There is no such resource."),
            Outcome.SlotTaken taken => Refuse(StatusCodes.Status409Conflict, Say(taken.Message ?? new Text(SlotTaken))),
            Outcome.Stale => Refuse(StatusCodes.Status412PreconditionFailed,
                "It changed since the version in If-Match. GET it again, check, and send the new ETag."),
            Outcome.Refused { Forbidden: true } refused => Refuse(StatusCodes.Status403Forbidden, Say(refused.Reason)),
            Outcome.Refused refused => Refuse(StatusCodes.Status422UnprocessableEntity, Say(refused.Reason)),
            _ => throw new InvalidOperationException($"Unexpected outcome {outcome}"),
        };
    }

    /// <summary>A service's message in the API's language (English), its arguments filled in.</summary>
    protected static string Say(Text text) =>
        string.Format(CultureInfo.InvariantCulture, text.Key, [.. text.Args.Select(a => a is Text inner ? Say(inner) : a)]);

    protected static string Camel(string name) => name.Length == 0 ? "" : char.ToLowerInvariant(name[0]) + name[1..];

    /// <summary>A row version as an entity tag.</summary>
    protected static string ETag(uint version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// The version the client last saw, from <c>If-Match</c>: null with the answer to give when it is missing (428) or
    /// is not one of ours (412, as a tag that matches nothing).
    /// </summary>
    protected (uint? Version, IActionResult? Refusal) IfMatch()
    {
        var header = Request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0)
            return (null, Refuse(StatusCodes.Status428PreconditionRequired, "Send the ETag of the version you saw as If-Match, so nobody's change is overwritten unseen."));
        if (header.StartsWith("W/", StringComparison.Ordinal)) header = header[2..];
        return header.Length > 2 && header[0] == '"' && header[^1] == '"'
               && uint.TryParse(header[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (version, null)
            : (null, Refuse(StatusCodes.Status412PreconditionFailed, "If-Match names no version of this resource."));
    }
}
