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
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Booking;

public record MyBookingPage(string Token, BookingSummary Booking, bool CanCancel, bool CanReschedule, int CancelCutoffHours,
    string StudioPhone, string StudioEmail);
public record ReschedulePage(string Token, BookingSummary Booking, WhenStep When);

/// <summary>/my/{token}: the client's own booking, reached only through the secret link.</summary>
[AllowAnonymous]
[Route("my/{token}")]
public class MyBookingController(StudioDb db, BookingService booking, IStringLocalizer<SharedResource> T) : Controller
{
    [HttpGet("")]
    public Task<IActionResult> Show(string token, CancellationToken ct) => ShowAsync(token, null, ct);

    [HttpGet("calendar.ics")]
    public async Task<IActionResult> Calendar(string token, CancellationToken ct) =>
        await FindAsync(token, ct) is { } entity && await booking.CalendarFileAsync(entity.Code, ct) is { } ics
            ? File(ics, "text/calendar; charset=utf-8", $"{entity.Code}.ics")
            : NotFound();

    [HttpPost("cancel"), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> Cancel(string token, [StringLength(500)] string? reason, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } entity) return NotFound();
        var outcome = ModelState.IsValid
            ? await booking.CancelByClientAsync(entity, reason, ct)
            : Outcome.Field("", "Please keep the reason to 500 characters or fewer.");
        return await this.AnswerAsync(outcome,
            done: _ => Moved(token, T["Your booking is cancelled."]),
            form: message => ShowAsync(token, message, ct),
            stale: StudioChanged);
    }

    [HttpGet("reschedule")]
    public async Task<IActionResult> Reschedule(string token, string? month, string? day, CancellationToken ct) =>
        await ReschedulePageAsync(token, month, day, null, ct);

    [HttpPost("reschedule"), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> RescheduleTo(string token, string? start, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } entity) return NotFound();
        var outcome = SaneDates.TryParseUtc(start, out var startUtc)
            ? await booking.RescheduleAsync(entity, startUtc, ct)
            : Outcome.Field("", "That time is not available. Please choose another one.");
        return await this.AnswerAsync(outcome,
            done: _ => Moved(token, T["Your booking has been moved."]),
            form: message => ReschedulePageAsync(token, null, null, message, ct),
            current: message => ShowAsync(token, message, ct),
            stale: StudioChanged, slotTaken: "Sorry, this time was just taken. Please choose another one.");
    }

    private const string StudioChanged = "The studio changed this booking just now. Please check it and try again.";

    /// <summary>Back to the booking's page. HX-Redirect under htmx: the reschedule page swaps #wizard, which this page lacks.</summary>
    private IActionResult Moved(string token, string message)
    {
        Flash.Success(TempData, message);
        return this.GoTo($"/my/{token}");
    }

    /// <summary>The booking as it is now, with a message at the top when a change of the client's did not happen.</summary>
    private async Task<IActionResult> ShowAsync(string token, string? message, CancellationToken ct)
    {
        if (await FindAsync(token, ct) is not { } entity) return NotFound();
        if (message is not null) Flash.Error(TempData, message);
        return View("My", await PageAsync(token, entity, ct));
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
        var (canCancel, canReschedule) = booking.ClientMay(entity, studio);
        return new MyBookingPage(token, summary, canCancel, canReschedule, studio.CancelCutoffHours, studio.Phone, studio.Email);
    }
}
