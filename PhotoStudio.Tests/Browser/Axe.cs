using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace PhotoStudio.Tests.Browser;

/// <summary>axe-core checks against WCAG 2.0, 2.1 and 2.2, levels A and AA.</summary>
/// <remarks>
/// Pages are checked as served, CSP included: every context keeps <c>BypassCSP = false</c>. Deque's package
/// hands axe-core to the page through Playwright's evaluate (the DevTools protocol), which the page's
/// <c>script-src 'self' 'nonce-…'</c> does not govern, so axe runs and reports without a console error and no
/// context needs to loosen CSP. The layout tests prove both halves: an inline script is still refused, and
/// every page that axe checked ends with <c>AssertNoConsoleErrors</c>.
/// <c>RunAxe</c>, not <c>RunAxeLegacy</c>: legacy is about 4× faster here (no extra page per run) but Deque calls
/// it a last resort due for removal.
/// </remarks>
public static class Axe
{
    // axe-core 4.14 has no "wcag22a" tag: the WCAG 2.2 rules it automates (target-size) are AA.
    private static readonly List<string> Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    /// <summary>Fails with every violation: rule, impact, help and the elements it was found on.</summary>
    /// <param name="state">What the page shows, for the failure message ("dark mode, menu open").</param>
    public static async Task AssertAccessibleAsync(this IPage page, string state = "")
    {
        // Colours measured halfway through a transition (a theme switch, a button's hover fade) are neither the
        // old nor the new ones and fail contrast at random: check the page at rest.
        await page.WaitForFunctionAsync(
            "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity)");
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = Tags },
            ResultTypes = [ResultType.Violations],
        });
        if (result.Violations.Length == 0) return;

        var report = new StringBuilder($"axe found {result.Violations.Length} violation(s) on {page.Url}");
        if (state.Length > 0) report.Append($" ({state})");
        report.Append(':');
        foreach (var violation in result.Violations)
        {
            report.Append($"\n- {violation.Id} [{violation.Impact}]: {violation.Help} ({violation.HelpUrl})");
            foreach (var node in violation.Nodes)
            {
                report.Append($"\n    at {node.Target}: {node.Html}");
                // axe's own failure summary: "any" checks (one must pass), "all" and "none" checks.
                foreach (var check in node.Any.Concat(node.All).Concat(node.None))
                    report.Append($"\n      {check.Id}: {check.Message}");
            }
        }
        Assert.Fail(report.ToString());
    }
}
