using Microsoft.Extensions.Primitives;

namespace PhotoStudio.Infrastructure;

/// <summary>htmx request predicates and response headers (Htmx.Net is not in our package feed).</summary>
public static class Htmx
{
    public static bool IsHtmx(this HttpRequest request) => IsTrue(request, "HX-Request");

    public static bool IsBoosted(this HttpRequest request) => IsTrue(request, "HX-Boosted");

    public static bool IsHistoryRestore(this HttpRequest request) => IsTrue(request, "HX-History-Restore-Request");

    /// <summary>True when htmx will swap the answer into part of the page.</summary>
    /// <remarks>Boosted links and history restores replace the whole body, so they need the full page.</remarks>
    public static bool WantsFragment(this HttpRequest request) =>
        request.IsHtmx() && !request.IsBoosted() && !request.IsHistoryRestore();

    public static void HxRedirect(this HttpResponse response, string url) => response.Headers["HX-Redirect"] = url;

    /// <summary>Adds a client-side event; several calls in one response trigger all of them.</summary>
    public static void HxTrigger(this HttpResponse response, string eventName)
    {
        var existing = response.Headers["HX-Trigger"].ToString();
        // A JSON value (event with details) cannot be extended by a comma-separated name.
        if (existing.TrimStart().StartsWith('{'))
            throw new InvalidOperationException("HX-Trigger already holds JSON; set the whole header yourself.");
        if (ContainsToken(existing, eventName)) return;
        response.Headers["HX-Trigger"] = existing.Length == 0 ? eventName : $"{existing}, {eventName}";
    }

    public static void HxRetarget(this HttpResponse response, string selector) => response.Headers["HX-Retarget"] = selector;

    public static void HxReswap(this HttpResponse response, string swap) => response.Headers["HX-Reswap"] = swap;

    public static void HxPushUrl(this HttpResponse response, string url) => response.Headers["HX-Push-Url"] = url;

    /// <summary>Marks the response as varying by <c>HX-Request</c>, so caches never serve a fragment as a page.</summary>
    public static void VaryOnHtmx(this HttpResponse response)
    {
        var vary = response.Headers.Vary.ToString();
        if (ContainsToken(vary, "HX-Request") || ContainsToken(vary, "*")) return;
        response.Headers.Vary = StringValues.IsNullOrEmpty(vary) ? "HX-Request" : $"{vary}, HX-Request";
    }

    private static bool IsTrue(HttpRequest request, string header) =>
        string.Equals(request.Headers[header], "true", StringComparison.OrdinalIgnoreCase);

    private static bool ContainsToken(string list, string token) =>
        list.Split(',', StringSplitOptions.TrimEntries).Contains(token, StringComparer.OrdinalIgnoreCase);
}
