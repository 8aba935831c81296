using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Admin;

/// <summary>/admin/settings: studio details, booking rules, weekly business hours and closures.</summary>
[Authorize(Policy = Permissions.SettingsManage)]
[Route("admin/settings")]
public class SettingsController(StudioSettingsService settings, IStringLocalizer<SharedResource> T) : Controller
{
    private const string Page = "/admin/settings";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) =>
        this.PageOrFragment("Settings", "_SettingsForm", await settings.PageAsync(ct: ct));

    [HttpPost("")]
    public async Task<IActionResult> Save(SettingsForm form, CancellationToken ct)
    {
        foreach (var error in StudioSettingsService.Check(form))
            ModelState.AddModelError(error.Field, T[error.Message]);
        if (!ModelState.IsValid)
            return Refuse(StatusCodes.Status422UnprocessableEntity, "_SettingsForm", await settings.PageAsync(form, ct: ct));

        if (await settings.SaveAsync(form, ct) == SettingsSaved.Stale)
        {
            // Nothing was written: the admin sees the settings as they are now and decides again.
            ModelState.Clear();
            return Refuse(StatusCodes.Status409Conflict, "_SettingsForm", await settings.PageAsync(stale: true, ct: ct));
        }
        Flash.Success(TempData, T["Settings saved."]);
        return this.GoTo(Page);
    }

    [HttpPost("closures")]
    public async Task<IActionResult> AddClosure(ClosureForm closure, CancellationToken ct)
    {
        if (closure is { FirstDay: { } first, LastDay: { } last } && first > last)
            ModelState.AddModelError(nameof(closure.LastDay), T["The last day cannot be before the first day."]);
        if (StudioSettingsService.HasNul(closure.Reason))
            ModelState.AddModelError(nameof(closure.Reason), T[StudioSettingsService.NulMessage]);
        if (!ModelState.IsValid)
            return Refuse(StatusCodes.Status422UnprocessableEntity, "_Closures", await settings.PageAsync(closure: closure, ct: ct));

        await settings.AddClosureAsync(closure.FirstDay!.Value, closure.LastDay!.Value, closure.Reason, ct);
        Flash.Success(TempData, T["Closure added."]);
        return this.GoTo(Page);
    }

    [HttpPost("closures/{id:int}/delete")]
    public async Task<IActionResult> DeleteClosure(int id, CancellationToken ct)
    {
        if (!await settings.DeleteClosureAsync(id, ct)) return NotFound();
        Flash.Success(TempData, T["Closure removed."]);
        return this.GoTo(Page);
    }

    /// <summary>The page (or, under htmx, the form's fragment) with its errors, under the given status.</summary>
    private IActionResult Refuse(int status, string partial, SettingsPage page)
    {
        Response.StatusCode = status;
        return this.PageOrFragment("Settings", partial, page);
    }
}
