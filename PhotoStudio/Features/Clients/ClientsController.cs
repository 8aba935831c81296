using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Clients;

/// <summary>/clients: the client list and each client's profile (clients.view); notes and edits need clients.manage.</summary>
[Authorize(Policy = Permissions.ClientsView)]
[Route("clients")]
public class ClientsController(ClientDirectory clients, IStringLocalizer<SharedResource> T) : Controller
{
    private string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var state = TableState.From(Request, "#clients-table", "q", "tag", "erased", "sort", "dir", "page");
        // A pasted novel is searched by its first 100 characters, and the links of the page carry no more than that.
        if (state.Q is { Length: > ClientDirectory.MaxSearch } q)
            state = state with { Values = new Dictionary<string, string>(state.Values) { ["q"] = q[..ClientDirectory.MaxSearch].Trim() } };
        return this.PageOrFragment("Clients", "_ClientsTable", await clients.ListAsync(state, ct));
    }

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Show(int id, CancellationToken ct) =>
        await clients.ProfileAsync(id, ct) is { } profile ? View("Profile", profile) : NotFound();

    [HttpPost("{id:int}/notes"), Authorize(Policy = Permissions.ClientsManage)]
    public async Task<IActionResult> Note(int id, string? text, CancellationToken ct) =>
        await this.AnswerAsync(await clients.AddNoteAsync(id, text, UserId, ct),
            _ =>
            {
                Flash.Success(TempData, T["Note added."]);
                return this.SeeOther($"/clients/{id}#notes");
            },
            form: async message => await clients.ProfileAsync(id, ct) is { } profile
                ? View("Profile", profile with { NoteError = message, NoteText = text?[..Math.Min(text.Length, 2000)] })
                : NotFound());

    [HttpGet("{id:int}/edit"), Authorize(Policy = Permissions.ClientsManage)]
    public async Task<IActionResult> Edit(int id, CancellationToken ct) =>
        await clients.EditorAsync(id, ct) is { } editor
            ? View("EditClient", editor.Erased ? editor with { Message = T[ClientDirectory.ErasedText] } : editor)
            : NotFound();

    [HttpPost("{id:int}/edit"), Authorize(Policy = Permissions.ClientsManage)]
    public async Task<IActionResult> Save(int id, ClientForm form, CancellationToken ct) =>
        await this.AnswerAsync(await clients.SaveAsync(id, form, ModelState.IsValid, UserId, ct),
            _ =>
            {
                Flash.Success(TempData, T["Client saved."]);
                return this.SeeOther($"/clients/{id}");
            },
            form: async message => await clients.EditorAsync(id, ct) is { } editor ? View("EditClient", editor with { Form = form, Message = message }) : NotFound(),
            current: async message => await clients.EditorAsync(id, ct) is { } editor ? View("EditClient", editor with { Message = message }) : NotFound(),
            stale: ClientDirectory.StaleText);
}
