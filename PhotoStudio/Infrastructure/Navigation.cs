using Htmx;
using Microsoft.AspNetCore.Mvc;

namespace PhotoStudio.Infrastructure;

/// <summary>Page-or-fragment rendering and post-redirect-get, the same way in every controller.</summary>
public static class Navigation
{
    /// <summary>After a successful post: htmx navigates with HX-Redirect, a plain form gets 303 See Other.</summary>
    public static IActionResult GoTo(this Controller controller, string url)
    {
        url = HeaderSafe(url);
        if (controller.Request.IsHtmx())
        {
            controller.Response.Htmx(h => h.Redirect(url));
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

    /// <summary>
    /// The URL with every byte outside printable ASCII percent-encoded, as a Location or HX-Redirect header needs
    /// (a local return URL may carry "é"; Kestrel refuses such a header outright).
    /// </summary>
    public static string HeaderSafe(string url)
    {
        if (url.All(c => c is > ' ' and < (char)0x7f)) return url;
        var sb = new System.Text.StringBuilder(url.Length * 2);
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(url))
            sb.Append(b is > 0x20 and < 0x7f ? ((char)b).ToString() : $"%{b:X2}");
        return sb.ToString();
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
