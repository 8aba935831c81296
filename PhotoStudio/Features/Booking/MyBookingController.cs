using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Events;

namespace PhotoStudio.Features.Booking;

public record MyBookingPage(string Token, BookingSummary Booking, bool CanCancel, bool CanReschedule, int CancelCutoffHours,
    string StudioPhone, string StudioEmail);
public record ReschedulePage(string Token, BookingSummary Booking, WhenStep When);

/// <summary>/my/{token}: the client's own booking, reached only through the secret link.</summary>
[AllowAnonymous]
[Route("my/{token}")]
public class MyBookingController(StudioDb db, BookingService booking, TimeProvider clock, IStringLocalizer<SharedResource> T) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Show(string token, CancellationToken ct) =>
        await FindAsync(token, ct) is { } entity ? View("My", await PageAsync(token, entity, ct)) : NotFound();

    [HttpGet("calendar.ics")]
    public async Task<IActionResult> Calendar(string token, CancellationToken ct) =>
        await FindAsync(token, ct) is { } entity && await booking.CalendarFileAsync(entity.Code, ct) is { } ics
            ? File(ics, "text/calendar; charset=utf-8", $"{entity.Code}.ics")
            : NotFound();

    [HttpPost("cancel"), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> Cancel(string token, [StringLength(500)] string? reason, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } entity) return NotFound();
        if (!(await PageAsync(token, entity, ct)).CanCancel)
        {
            Flash.Error(TempData, T["This booking can no longer be cancelled online. Please call or email the studio."]);
            return this.GoTo($"/my/{token}");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        entity.History.Add(new BookingStatusChange { From = entity.Status, To = BookingStatus.Cancelled, By = "client", At = now, Reason = reason?.Trim() ?? "" });
        entity.Status = BookingStatus.Cancelled;
        entity.UpdatedAt = now;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveAndAnnounceAsync(entity.Id, "cancelled", now, ct);
            await tx.CommitAsync(ct);
        }
        Flash.Success(TempData, T["Your booking is cancelled."]);
        return this.GoTo($"/my/{token}");
    }

    [HttpGet("reschedule")]
    public async Task<IActionResult> Reschedule(string token, string? month, string? day, CancellationToken ct) =>
        await ReschedulePageAsync(token, month, day, null, ct);

    [HttpPost("reschedule"), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> RescheduleTo(string token, string? start, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } entity) return NotFound();
        if (!(await PageAsync(token, entity, ct)).CanReschedule) return this.GoTo($"/my/{token}");
        if (!SaneDates.TryParseUtc(start, out var startUtc))
            return await ReschedulePageAsync(token, null, null, T["That time is not available. Please choose another one."], ct);
        switch (await booking.RescheduleAsync(entity, startUtc, ct))
        {
            case ConfirmResult.Confirmed:
                Flash.Success(TempData, T["Your booking has been moved."]);
                return this.GoTo($"/my/{token}");
            case ConfirmResult.SlotTaken:
                Response.StatusCode = StatusCodes.Status409Conflict;
                return await ReschedulePageAsync(token, null, null, T["Sorry, this time was just taken. Please choose another one."], ct);
            default:
                Flash.Error(TempData, T["The studio changed this booking just now. Please check it and try again."]);
                return this.GoTo($"/my/{token}");
        }
    }

    private async Task<IActionResult> ReschedulePageAsync(string token, string? month, string? day, string? message, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } entity) return NotFound();
        var page = await PageAsync(token, entity, ct);
        if (!page.CanReschedule) return this.GoTo($"/my/{token}");
        var when = await booking.WhenAsync(entity.ServiceId, entity.RoomId, entity.PhotographerId, month, day, entity.Id, ct);
        if (when is null) return NotFound();
        var url = $"/my/{token}/reschedule";
        when = when with { Step = new WizardStep(3, message), PageUrl = url, PostUrl = url };
        if (Request.WantsFragment() && message is null)
        {
            Response.VaryOnHtmx();
            return PartialView("_When", when);
        }
        return View("Reschedule", new ReschedulePage(token, page.Booking, when));
    }

    private async Task<Data.Booking?> FindAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return null;
        var hash = ManageToken.Hash(token);
        var found = await db.Bookings.Include(b => b.History).FirstOrDefaultAsync(b => b.ManageTokenHash == hash, ct);
        // The lookup is by an index on the hash; the final comparison does not leak timing either way.
        return found is not null && CryptographicOperations.FixedTimeEquals(found.ManageTokenHash, hash) ? found : null;
    }

    private async Task<MyBookingPage> PageAsync(string token, Data.Booking entity, CancellationToken ct)
    {
        var studio = (await booking.StudioAsync(ct))!;
        var summary = (await booking.SummaryAsync(entity.Code, ct))!;
        var live = entity.Status is BookingStatus.Pending or BookingStatus.Confirmed;
        var now = clock.GetUtcNow().UtcDateTime;
        return new MyBookingPage(token, summary, live && now < entity.StartsAt.AddHours(-studio.CancelCutoffHours),
            live && now < entity.StartsAt.AddHours(-studio.RescheduleCutoffHours), studio.CancelCutoffHours, studio.Phone, studio.Email);
    }
}
