using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Settings;

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
    public async Task<IActionResult> Save(SettingsForm form, CancellationToken ct) =>
        await AnswerAsync(ModelState.IsValid ? await settings.SaveAsync(form, ct) : new Outcome.Invalid(), "Settings saved.", "_SettingsForm",
            async () => await settings.PageAsync(form, ct: ct), ct);

    [HttpPost("closures")]
    public async Task<IActionResult> AddClosure(ClosureForm closure, CancellationToken ct) =>
        await AnswerAsync(ModelState.IsValid ? await settings.AddClosureAsync(closure, ct) : new Outcome.Invalid(), "Closure added.", "_Closures",
            async () => await settings.PageAsync(closure: closure, ct: ct), ct);

    [HttpPost("closures/{id:int}/delete")]
    public async Task<IActionResult> DeleteClosure(int id, CancellationToken ct) =>
        await AnswerAsync(await settings.DeleteClosureAsync(id, ct), "Closure removed.", "_SettingsForm", async () => await settings.PageAsync(ct: ct), ct);

    /// <summary>
    /// Done: a flash and back to the page. Invalid: the page (or, under htmx, the form's fragment) with what was typed.
    /// Stale: nothing was written, and the admin sees the settings as they are now and decides again.
    /// </summary>
    private Task<IActionResult> AnswerAsync(Outcome outcome, string done, string partial, Func<Task<SettingsPage>> typed, CancellationToken ct) =>
        this.AnswerAsync(outcome,
            _ =>
            {
                Flash.Success(TempData, T[done]);
                return this.SeeOther(Page);
            },
            form: async _ => this.PageOrFragment("Settings", partial, await typed()),
            current: async _ => this.PageOrFragment("Settings", partial, await settings.PageAsync(stale: true, ct: ct)));
}
