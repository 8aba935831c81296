using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using PhotoStudio.Features.Admin.Integrations;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Api;

/// <summary>
/// What every /api/v1 controller shares: JSON in and out, an API key (never a cookie, so no antiforgery token), the
/// per-key rate limit, and errors as problem details. A field error is named by the JSON property or query parameter
/// it is about, as <c>errors</c> in <see cref="HttpValidationProblemDetails"/>.
/// </summary>
[ApiController]
[Authorize(AuthenticationSchemes = ApiKeys.Scheme)]
[EnableRateLimiting(RateLimits.Api)]
[IgnoreAntiforgeryToken]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized, "application/problem+json")]
[ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
public abstract class ApiControllerBase : ControllerBase
{
    /// <summary>422 with a message for each field, in the RFC 9457 form with <c>errors</c>.</summary>
    protected ObjectResult Invalid(Dictionary<string, string[]> errors)
    {
        var problem = new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The request has invalid fields.",
            Type = "https://www.rfc-editor.org/rfc/rfc9110#status.422",
            Instance = Request.Path,
        };
        problem.Extensions["traceId"] = ApiProblems.Problem(HttpContext, 422, null).Extensions["traceId"];
        return new ObjectResult(problem) { StatusCode = StatusCodes.Status422UnprocessableEntity, ContentTypes = { "application/problem+json" } };
    }

    /// <summary>A problem without field errors (404, 409, 412, 428 …).</summary>
    protected ObjectResult Refuse(int status, string detail) =>
        new(ApiProblems.Problem(HttpContext, status, detail)) { StatusCode = status, ContentTypes = { "application/problem+json" } };
}
