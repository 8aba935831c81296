using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;

namespace PhotoStudio.Features.Board;

public record TodayList(DateOnly Day, string TimeZone, IReadOnlyList<TodayBooking> Bookings);
public record TodayBooking(string Code, DateTime StartsLocal, DateTime EndsLocal, string Client, string Service, string Room, string? Photographer, BookingStatus Status);

/// <summary>
/// The staff home. The live kanban board is a later piece of work; until then this page honestly
/// says so and lists the day's bookings the user may see.
/// </summary>
[Authorize(Policy = Permissions.BookingsViewOwn)]
public class BoardController(StudioDb db, TimeProvider clock, IAuthorizationService authorization) : Controller
{
    [HttpGet("board")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var studio = await db.Settings.AsNoTracking().OrderBy(s => s.Id).FirstOrDefaultAsync(ct);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(studio?.TimeZone ?? "UTC");
        var localToday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
        var from = TimeZoneInfo.ConvertTimeToUtc(localToday.ToDateTime(TimeOnly.MinValue), zone);
        var to = TimeZoneInfo.ConvertTimeToUtc(localToday.AddDays(1).ToDateTime(TimeOnly.MinValue), zone);

        var query = db.Bookings.AsNoTracking().Where(b => b.StartsAt >= from && b.StartsAt < to);
        if (!(await authorization.AuthorizeAsync(User, Permissions.BookingsViewAll)).Succeeded)
        {
            var userId = User.FindFirstValue(ClaimTypes.NameIdentifier);
            query = query.Where(b => b.Photographer != null && b.Photographer.UserId == userId);
        }
        var rows = await query.OrderBy(b => b.StartsAt)
            .Select(b => new { b.Code, b.StartsAt, b.EndsAt, Client = b.Client!.Name, Service = b.Service!.Name, Room = b.Room!.Name, Photographer = b.Photographer!.FullName, b.Status })
            .ToListAsync(ct);
        var bookings = rows.Select(b => new TodayBooking(b.Code,
            TimeZoneInfo.ConvertTimeFromUtc(b.StartsAt, zone), TimeZoneInfo.ConvertTimeFromUtc(b.EndsAt, zone),
            b.Client, b.Service, b.Room, b.Photographer, b.Status)).ToList();
        return View(new TodayList(localToday, zone.Id, bookings));
    }
}
