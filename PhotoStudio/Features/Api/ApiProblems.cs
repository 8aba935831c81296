using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace PhotoStudio.Features.Api;

/// <summary>
/// Errors of the JSON API as RFC 9457 problem details (<c>application/problem+json</c>) with the trace id, written the
/// same way by the authentication handler, the rate limiter, the error pages and the controllers.
/// </summary>
public static class ApiProblems
{
    public static bool IsApi(PathString path) => path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    public static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        412 => "Precondition failed",
        413 => "Request too large",
        415 => "Unsupported media type",
        422 => "Unprocessable content",
        428 => "Precondition required",
        429 => "Too many requests",
        >= 500 => "Server error",
        _ => "Error",
    };

    /// <param name="instance">The address the problem is about, when not this request's (a re-executed error page's original).</param>
    public static ProblemDetails Problem(HttpContext context, int status, string? detail, string? instance = null) => new()
    {
        Status = status,
        Title = Title(status),
        Detail = detail,
        Type = $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}",
        Instance = instance ?? context.Request.Path,
        Extensions = { ["traceId"] = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier },
    };

    /// <summary>Field errors, named as the API's JSON names them, in the RFC 9457 form with <c>errors</c>.</summary>
    public static ObjectResult Fields(HttpContext context, IDictionary<string, string[]> errors, int status)
    {
        var problem = new HttpValidationProblemDetails(errors)
        {
            Status = status,
            Title = "The request has invalid fields.",
            Type = $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}",
            Instance = context.Request.Path,
        };
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        return new ObjectResult(problem) { StatusCode = status, ContentTypes = { "application/problem+json" } };
    }

    /// <summary>A model-state key as the API's JSON names it: <c>Client.Email</c> and <c>$.client.email</c> are <c>client.email</c>.</summary>
    public static string FieldName(string key) =>
        string.Join('.', key.TrimStart('$').TrimStart('.').Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));

    /// <summary>
    /// The answer to a request the binder could not read or whose fields break their limits: 400 with each field's
    /// message; what the JSON reader said (type names, positions) is not repeated.
    /// </summary>
    public static IActionResult Unreadable(ActionContext context) => Fields(context.HttpContext,
        context.ModelState.Where(e => e.Value is { Errors.Count: > 0 })
            .GroupBy(e => FieldName(e.Key))
            .ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value!.Errors)
                .Select(e => e.Exception is not null || e.ErrorMessage.Length == 0 || e.ErrorMessage.Contains("System.")
                    ? "This value could not be read; see the document for its type and format."
                    : e.ErrorMessage)
                .Distinct().ToArray()),
        StatusCodes.Status400BadRequest);

    public static async Task WriteAsync(HttpContext context, int status, string? detail)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(Problem(context, status, detail), (System.Text.Json.JsonSerializerOptions?)null,
            "application/problem+json", context.RequestAborted);
    }
}
