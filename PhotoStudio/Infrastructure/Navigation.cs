using Microsoft.AspNetCore.Mvc;

namespace PhotoStudio.Infrastructure;

/// <summary>Page-or-fragment rendering and post-redirect-get, the same way in every controller.</summary>
public static class Navigation
{
    /// <summary>After a successful post: htmx navigates with HX-Redirect, a plain form gets 303 See Other.</summary>
    public static IActionResult GoTo(this Controller controller, string url)
    {
        if (controller.Request.IsHtmx())
        {
            controller.Response.HxRedirect(url);
            return new OkResult();
        }
        return new SeeOtherResult(url);
    }

    /// <summary>The whole page for a normal request, the named partial for an htmx swap.</summary>
    public static IActionResult PageOrFragment(this Controller controller, string view, string partial, object model)
    {
        controller.Response.VaryOnHtmx();
        return controller.Request.WantsFragment() ? controller.PartialView(partial, model) : controller.View(view, model);
    }

    private sealed class SeeOtherResult(string url) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            context.HttpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.HttpContext.Response.Headers.Location = url;
            return Task.CompletedTask;
        }
    }
}
