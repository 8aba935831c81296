using System.Linq.Expressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Catalogue;

/// <summary>
/// What /admin/rooms and /admin/services share: an htmx table, a form that saves only over the version the user saw,
/// deactivation, and deletion while no booking refers to the row. Subclasses name their views, texts and queries.
/// </summary>
/// <param name="kind">"Room" or "Service": it names the address (/admin/rooms), the table (#rooms-table) and the views
/// (Rooms, _RoomsTable, RoomForm, _RoomForm).</param>
[Authorize(Policy = Permissions.CatalogueManage)]
public abstract class CatalogueController<TEntity, TForm>(string kind, CatalogueService catalogue, IStringLocalizer<SharedResource> T)
    : Controller
    where TEntity : class
    where TForm : CatalogueForm, new()
{
    protected CatalogueService Catalogue => catalogue;

    private string ListUrl => $"/admin/{kind.ToLowerInvariant()}s";
    private string TableTarget => $"#{kind.ToLowerInvariant()}s-table";
    private (string Page, string Table, string Form, string Editor) Views => ($"{kind}s", $"_{kind}sTable", $"{kind}Form", $"_{kind}Form");

    /// <summary>The localization keys of "saved" and of the stale-version message.</summary>
    protected abstract (string Saved, string Stale) Texts { get; }

    protected abstract Task<object> TableAsync(TableState state, CancellationToken ct);
    protected abstract Task<Editor<TForm>?> CurrentAsync(int id, CancellationToken ct);
    protected abstract Task<Editor<TForm>?> TypedAsync(int? id, TForm form, CancellationToken ct);
    protected abstract Task<Outcome> SaveAsync(int? id, TForm form, bool valid, CancellationToken ct);
    protected abstract Expression<Func<Data.Booking, bool>> References(int id);

    /// <summary>The bookings' foreign key to this kind of row.</summary>
    protected abstract string BookingsKey { get; }

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) =>
        this.PageOrFragment(Views.Page, Views.Table,
            await TableAsync(TableState.From(Request, TableTarget, "q", "active", "sort", "dir", "page"), ct));

    [HttpGet("new")]
    public async Task<IActionResult> New(CancellationToken ct) => FormPage(await TypedAsync(null, new TForm(), ct));

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, CancellationToken ct) => FormPage(await CurrentAsync(id, ct));

    [HttpPost("new")]
    public Task<IActionResult> Create([Bind(Prefix = "Form")] TForm form, CancellationToken ct) => SaveFormAsync(null, form, ct);

    [HttpPost("{id:int}")]
    public Task<IActionResult> Update(int id, [Bind(Prefix = "Form")] TForm form, CancellationToken ct) => SaveFormAsync(id, form, ct);

    [HttpPost("{id:int}/deactivate")]
    public async Task<IActionResult> Deactivate(int id, uint version, CancellationToken ct) =>
        await AnswerAsync(id, null, await catalogue.SetActiveAsync<TEntity>(id, version, false, ct),
            "“{0}” is now inactive and no longer offered for booking.", ct);

    [HttpPost("{id:int}/activate")]
    public async Task<IActionResult> Activate(int id, uint version, CancellationToken ct) =>
        await AnswerAsync(id, null, await catalogue.SetActiveAsync<TEntity>(id, version, true, ct),
            "“{0}” is active again.", ct);

    [HttpPost("{id:int}/delete")]
    public async Task<IActionResult> Delete(int id, uint version, CancellationToken ct) =>
        await AnswerAsync(id, null, await catalogue.DeleteAsync<TEntity>(id, version, References(id), BookingsKey, ct), "“{0}” deleted.", ct);

    private async Task<IActionResult> SaveFormAsync(int? id, TForm form, CancellationToken ct) =>
        await AnswerAsync(id, form, await SaveAsync(id, form, ModelState.IsValid, ct), Texts.Saved, ct);

    private IActionResult FormPage(Editor<TForm>? editor) => editor is null ? NotFound() : View(Views.Form, editor);

    /// <summary>
    /// Success: a flash and back to the list. A refusal: the form again, as a fragment under htmx (422 with what the
    /// user typed, 409 with the current values after someone else's save), as the whole page without JavaScript.
    /// </summary>
    private Task<IActionResult> AnswerAsync(int? id, TForm? typed, Outcome outcome, string done, CancellationToken ct) =>
        this.AnswerAsync(outcome,
            saved =>
            {
                Flash.Success(TempData, T[done, ((Outcome.Done<string>)saved).Value]);
                return this.SeeOther(ListUrl);
            },
            form: async message => EditorPage(typed is null ? await CurrentAsync(id!.Value, ct) : await TypedAsync(id, typed, ct), message),
            current: async message => EditorPage(id is { } existing ? await CurrentAsync(existing, ct) : null, message),
            prefix: "Form.", stale: Texts.Stale);

    private IActionResult EditorPage(Editor<TForm>? editor, string? message) =>
        editor is null ? NotFound() : this.PageOrFragment(Views.Form, Views.Editor, editor with { Message = message });
}
