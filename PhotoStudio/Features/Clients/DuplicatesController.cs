using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Clients;

/// <summary>/clients/duplicates: clients that may be one person, and /clients/merge, which makes them one.</summary>
[Authorize(Policy = Permissions.ClientsManage)]
public class DuplicatesController(DuplicateFinder finder, ClientMerge merger, IStringLocalizer<SharedResource> T) : Controller
{
    [HttpGet("clients/duplicates")]
    public async Task<IActionResult> Index(string? client, CancellationToken ct)
    {
        var state = TableState.From(Request, "#duplicates-table", "client", "page");
        int? id = null;
        if (!string.IsNullOrEmpty(client))
        {
            if (!int.TryParse(client, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                return NotFound();
            id = parsed;
        }
        return await finder.ListAsync(state, id, ct) is { } list ? this.PageOrFragment("Duplicates", "_DuplicatesTable", list) : NotFound();
    }

    [HttpGet("clients/merge")]
    public async Task<IActionResult> Merge(int keep, int merge, CancellationToken ct) => await ScreenAsync(keep, merge, null, null, ct);

    [HttpPost("clients/merge")]
    public async Task<IActionResult> Merge(MergeForm form, CancellationToken ct)
    {
        // A tag longer than any tag is no tag of these clients: the form was not sent by the screen.
        if (form.Tags.Any(t => t is null || t.Length > 100)) ModelState.AddModelError(nameof(form.Tags), T["Choose whose value to keep for every field."]);
        if (!ModelState.IsValid) return await ScreenAsync(form.Keep, form.Merge, form, T["Choose whose value to keep for every field."], ct, 422);
        var (page, refusal) = await merger.PageAsync(form.Keep, form.Merge, form, ct);
        if (page is null) return Refused(refusal);
        return await this.AnswerAsync(await merger.MergeAsync(form, ct),
            done =>
            {
                Flash.Success(TempData, T["The two clients are one now: bookings, notes and consents were moved to {0}.", page.Form.Name == ClientMerge.Merge ? page.Merge.Name : page.Keep.Name]);
                return this.SeeOther($"/clients/{form.Keep}");
            },
            form: message => ScreenAsync(form.Keep, form.Merge, form, message, ct),
            current: message => ScreenAsync(form.Keep, form.Merge, null, message, ct),
            stale: ClientMerge.StaleText);
    }

    /// <summary>The merge screen: with what was posted, or (null) the current values and default choices.</summary>
    private async Task<IActionResult> ScreenAsync(int keep, int merge, MergeForm? form, string? message, CancellationToken ct, int? status = null)
    {
        var (page, refusal) = await merger.PageAsync(keep, merge, form, ct);
        if (page is null) return Refused(refusal);
        if (status is { } s) Response.StatusCode = s;
        return View("Merge", page with { Message = message });
    }

    /// <summary>Two ids that cannot be merged: 404 for an unknown one, else 400 with the reason.</summary>
    private IActionResult Refused(MergeRefusal refusal)
    {
        if (refusal is not (MergeRefusal.SameClient or MergeRefusal.Erased)) return NotFound();
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View("MergeRefused", refusal == MergeRefusal.SameClient
            ? T["A client cannot be merged with itself: choose two different clients."].Value
            : T["Erased clients cannot be merged."].Value);
    }
}
