using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Clients;

/// <summary>What the erase page shows: the client, how much will be replaced, and why the last attempt did nothing.</summary>
public record ErasePage(int Id, string Name, DateTime? ErasedAtLocal, int Bookings, int StaffNotes, int BookingNotes, int Messages,
    string TimeZone, string? Message = null);

/// <summary>The erase form: nothing happens unless the box is ticked.</summary>
public record EraseForm
{
    public bool Confirm { get; init; }
}

/// <summary>
/// A client's GDPR requests, reached from their profile: <c>/clients/{id}/export</c> (a page, and <c>export.json</c> to
/// download) and <c>/clients/{id}/erase</c> (a confirmation page, then the erasure).
/// </summary>
[Route("clients")]
public class PrivacyController(ClientExport export, ClientErasure erasure, StudioDb db, StudioDay studioDay,
    IStringLocalizer<SharedResource> T) : Controller
{
    public const string ConfirmMissing = "Tick the box to confirm that this client's personal data is to be erased.";

    [HttpGet("{id:int}/export")]
    [Authorize(Policy = Permissions.ClientsExport)]
    [ChecksPermission(Permissions.ClientsErase)]
    public async Task<IActionResult> Export(int id, CancellationToken ct)
    {
        if (await export.LoadAsync(id, ct) is not { } record) return NotFound();
        await export.AuditAsync(id, "html", ct);
        return View("Export", record);
    }

    [HttpGet("{id:int}/export.json")]
    [Authorize(Policy = Permissions.ClientsExport)]
    public async Task<IActionResult> ExportJson(int id, CancellationToken ct)
    {
        if (await export.LoadAsync(id, ct) is not { } record) return NotFound();
        await export.AuditAsync(id, "json", ct);
        return File(ClientExport.ToJson(record), "application/json", $"client-{id}.json");
    }

    [HttpGet("{id:int}/erase")]
    [Authorize(Policy = Permissions.ClientsErase)]
    [ChecksPermission(Permissions.ClientsExport)]
    public async Task<IActionResult> Erase(int id, CancellationToken ct) =>
        await PageAsync(id, null, ct) is { } page ? View("Erase", page) : NotFound();

    [HttpPost("{id:int}/erase")]
    [Authorize(Policy = Permissions.ClientsErase)]
    public async Task<IActionResult> Erase(int id, EraseForm form, CancellationToken ct)
    {
        if (await PageAsync(id, null, ct) is not { } page) return NotFound();
        if (!form.Confirm && page.ErasedAtLocal is null)
        {
            ModelState.AddModelError(nameof(form.Confirm), T[ConfirmMissing]);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Erase", page);
        }
        return await this.AnswerAsync(await erasure.EraseAsync(id, ct),
            done =>
            {
                var report = ((Outcome.Done<ErasureReport>)done).Value;
                Flash.Success(TempData, T["The client's personal data was erased: {0} bookings, {1} staff notes, {2} messages and {3} audit entries were made anonymous.",
                    report.Bookings, report.StaffNotes, report.Messages, report.AuditEntries]);
                return this.SeeOther($"/clients/{id}");
            },
            form: async message => await PageAsync(id, message, ct) is { } again ? View("Erase", again) : NotFound());
    }

    private async Task<ErasePage?> PageAsync(int id, string? message, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().Where(c => c.Id == id).Select(c => new
        {
            c.Name, c.ErasedAt,
            Bookings = db.Bookings.Count(b => b.ClientId == c.Id),
            StaffNotes = c.StaffNotes.Count,
            BookingNotes = db.BookingNotes.Count(n => db.Bookings.Any(b => b.Id == n.BookingId && b.ClientId == c.Id)),
            Messages = db.Notifications.Count(n => n.Booking!.ClientId == c.Id),
        }).SingleOrDefaultAsync(ct);
        if (client is null) return null;
        var studio = await studioDay.ClockAsync(ct);
        return new ErasePage(id, client.Name, client.ErasedAt is { } at ? studio.ToLocal(at) : null, client.Bookings, client.StaffNotes,
            client.BookingNotes, client.Messages, studio.Zone.Id, message);
    }
}
