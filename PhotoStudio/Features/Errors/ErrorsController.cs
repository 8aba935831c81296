using Htmx;
using System.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Api;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Errors;

public record ErrorPage(int Status, string TraceId)
{
    public (string Heading, string Text) Describe(IStringLocalizer T) => Status switch
    {
        404 => (T["Page not found"], T["The page you asked for does not exist or has moved."]),
        403 => (T["Not allowed"], T["Your account does not have permission to open this page. Ask an administrator if you need it."]),
        400 => (T["Bad request"], T["The request could not be understood. Reload the page and try again."]),
        413 => (T["Request too large"], T["What you sent is larger than this page accepts. Shorten it and try again."]),
        429 => (T["Too many requests"], T["Please wait a moment and try again."]),
        >= 500 => (T["Something went wrong"], T["An unexpected error happened on our side. Please try again; if it keeps happening, tell the studio the trace id below."]),
        _ => (T["Something went wrong"], T["The request could not be completed."]),
    };
}

/// <summary>Friendly 4xx/5xx pages with a trace id; reached by re-execution, so never a stack trace.</summary>
[AllowAnonymous]
[ApiExplorerSettings(IgnoreApi = true)]
public class ErrorsController(ILogger<ErrorsController> log) : Controller
{
    [Route("error/{status:int}")]
    [IgnoreAntiforgeryToken]
    public IActionResult Show()
    {
        // Read from the route, never by model binding: that would read the failed request's body again (a form the
        // server refused to parse), fail, and turn a 400 into a "page not found".
        if (!int.TryParse(RouteData.Values["status"]?.ToString(), out var status) || status is < 400 or > 599) status = 404;
        var traceId = Activity.Current?.TraceId.ToString() ?? HttpContext.TraceIdentifier;
        if (status >= 500 && HttpContext.Features.Get<IExceptionHandlerPathFeature>() is { } failure)
            log.LogError(failure.Error, "Unhandled exception on {Path} (trace {TraceId})", RequestRoutes.RedactPath(failure.Path), traceId);

        Response.StatusCode = status;
        // The JSON API answers its errors in its own format, problem details, never with a page.
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath
                       ?? HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path;
        if (original is not null && ApiProblems.IsApi(original))
            return new ObjectResult(ApiProblems.Problem(HttpContext, status, ApiDetail(status), RequestRoutes.RedactPath(original))) { StatusCode = status, ContentTypes = { "application/problem+json" } };
        if (Request.WantsFragment())
        {
            // htmx swaps these statuses (see htmx-config in _Layout) into the flash area, never into the fragment's target.
            Response.Htmx(h => h.Retarget("#flash").Reswap("innerHTML"));
        }
        return this.PageOrFragment("Error", "_ErrorAlert", new ErrorPage(status, traceId));
    }

    private static string? ApiDetail(int status) => status switch
    {
        404 => "There is no such operation or resource.",
        413 => "The request body is larger than this API accepts.",
        429 => "This key sent too many requests; wait for the seconds in Retry-After.",
        >= 500 => "An unexpected error happened on our side; quote the traceId if it keeps happening.",
        _ => null,
    };
}
