using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace PhotoStudio.Features.Api;

/// <summary>
/// Errors of the JSON API as RFC 9457 problem details (<c>application/problem+json</c>) with the trace id, written the
/// same way by the authentication handler, the rate limiter, the error pages and the controllers.
/// </summary>
public static class ApiProblems
{
    public const string PathPrefix = "/api/";

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

    public static async Task WriteAsync(HttpContext context, int status, string? detail)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(Problem(context, status, detail), (System.Text.Json.JsonSerializerOptions?)null,
            "application/problem+json", context.RequestAborted);
    }
}
