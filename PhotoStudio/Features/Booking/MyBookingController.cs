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

namespace PhotoStudio.Features.Booking;

public record MyBookingPage(string Token, BookingSummary Booking, bool CanCancel, int CancelCutoffHours, string StudioPhone, string StudioEmail);

/// <summary>/my/{token}: the client's own booking, reached only through the secret link.</summary>
[AllowAnonymous]
[Route("my/{token}")]
public class MyBookingController(StudioDb db, BookingService booking, TimeProvider clock, IStringLocalizer<SharedResource> T) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Show(string token, CancellationToken ct) =>
        await PageAsync(token, ct) is { } page ? View("My", page) : NotFound();

    [HttpGet("calendar.ics")]
    public async Task<IActionResult> Calendar(string token, CancellationToken ct)
    {
        if (await PageAsync(token, ct) is not { } page) return NotFound();
        var studio = (await booking.StudioAsync(ct))!;
        return File(System.Text.Encoding.UTF8.GetBytes(CalendarFile.Write(page.Booking, studio.Address, clock.GetUtcNow())),
            "text/calendar; charset=utf-8", $"{page.Booking.Code}.ics");
    }

    [HttpPost("cancel"), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> Cancel(string token, [StringLength(500)] string? reason, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } entity) return NotFound();
        var page = (await PageAsync(token, ct))!;
        if (!page.CanCancel)
        {
            Flash.Error(TempData, T["This booking can no longer be cancelled online. Please call or email the studio."]);
            return this.GoTo($"/my/{token}");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        entity.History.Add(new BookingStatusChange { From = entity.Status, To = BookingStatus.Cancelled, By = "client", At = now, Reason = reason?.Trim() ?? "" });
        entity.Status = BookingStatus.Cancelled;
        entity.UpdatedAt = now;
        db.BoardEvents.Add(new BoardEvent { BookingId = entity.Id, Kind = "cancelled", At = now });
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify('board', {entity.Id.ToString()})", ct);
        await tx.CommitAsync(ct);
        Flash.Success(TempData, T["Your booking is cancelled."]);
        return this.GoTo($"/my/{token}");
    }

    private async Task<Data.Booking?> FindAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return null;
        var hash = ManageToken.Hash(token);
        var found = await db.Bookings.Include(b => b.History).FirstOrDefaultAsync(b => b.ManageTokenHash == hash, ct);
        // The lookup is by an index on the hash; the final comparison does not leak timing either way.
        return found is not null && CryptographicOperations.FixedTimeEquals(found.ManageTokenHash, hash) ? found : null;
    }

    private async Task<MyBookingPage?> PageAsync(string token, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } entity) return null;
        var studio = (await booking.StudioAsync(ct))!;
        var summary = (await booking.SummaryAsync(entity.Code, ct))!;
        var canCancel = entity.Status is BookingStatus.Pending or BookingStatus.Confirmed
            && clock.GetUtcNow().UtcDateTime < entity.StartsAt.AddHours(-studio.CancelCutoffHours);
        return new MyBookingPage(token, summary, canCancel, studio.CancelCutoffHours, studio.Phone, studio.Email);
    }
}
