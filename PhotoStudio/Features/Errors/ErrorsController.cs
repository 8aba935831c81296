using System.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Errors;

public record ErrorPage(int Status, string TraceId);

/// <summary>Friendly 4xx/5xx pages with a trace id; reached by re-execution, so never a stack trace.</summary>
[AllowAnonymous]
[ApiExplorerSettings(IgnoreApi = true)]
public class ErrorsController(ILogger<ErrorsController> log) : Controller
{
    [Route("error/{status:int}")]
    [IgnoreAntiforgeryToken]
    public IActionResult Show(int status)
    {
        if (status is < 400 or > 599) status = 404;
        var traceId = Activity.Current?.TraceId.ToString() ?? HttpContext.TraceIdentifier;
        if (status >= 500 && HttpContext.Features.Get<IExceptionHandlerPathFeature>() is { } failure)
            log.LogError(failure.Error, "Unhandled exception on {Path} (trace {TraceId})", failure.Path, traceId);

        Response.StatusCode = status;
        return this.PageOrFragment("Error", "_Error", new ErrorPage(status, traceId));
    }
}
