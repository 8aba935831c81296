using Htmx;

namespace PhotoStudio.Infrastructure;

/// <summary>What Htmx.Net leaves to us: which htmx requests get a fragment, and an idempotent <c>Vary</c>.</summary>
public static class HtmxPages
{
    /// <summary>True when htmx will swap the answer into part of the page.</summary>
    /// <remarks>
    /// Boosted links and history restores replace the whole body, so they need the full page;
    /// Htmx.Net counts a history restore as an ordinary htmx request.
    /// </remarks>
    public static bool WantsFragment(this HttpRequest request) =>
        request.IsHtmxNonBoosted() && !request.IsHtmxHistoryRestoreRequest();

    /// <summary>Marks the response as varying by <c>HX-Request</c>, so caches never serve a fragment as a page.</summary>
    /// <remarks>Htmx.Net's <c>WithVary()</c> appends on every call; this adds the token once.</remarks>
    public static void VaryOnHtmx(this HttpResponse response)
    {
        var tokens = response.Headers.Vary.ToString().Split(',', StringSplitOptions.TrimEntries);
        if (tokens.Contains("HX-Request", StringComparer.OrdinalIgnoreCase) || tokens.Contains("*")) return;
        response.Htmx(h => h.WithVary());
    }
}
