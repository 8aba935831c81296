using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;

namespace PhotoStudio.Tests.Support;

/// <summary>Bookings made straight in the database, each on a Monday of its own far in the future unless told otherwise.</summary>
public static class TestBookings
{
    private static int sequence;

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>10:00 in the studio's zone (Europe/Berlin) on a Monday from 2031 on, one week further for every call, in UTC.</summary>
    /// <remarks>Clocks change on Sundays, so on that Monday "n hours later" is n hours later on the wall clock too.</remarks>
    public static DateTime NextMonday() => TimeZoneInfo.ConvertTimeToUtc(
        new DateTime(2031, 1, 6, 10, 0, 0, DateTimeKind.Unspecified).AddDays(7 * Interlocked.Increment(ref sequence)), Berlin);

    /// <summary>A "Portrait session" (60 min, needs a photographer) in the Daylight Loft, or as given.</summary>
    public static async Task<Booking> AddBookingAsync(this StudioApp app, BookingStatus status,
        string photographerEmail = "anna@demo.studio", DateTime? startsAt = null, string? client = null, string room = "Daylight Loft")
    {
        await using var db = app.NewDb();
        var n = Interlocked.Increment(ref sequence);
        var photographer = await db.Employees.SingleAsync(e => e.User!.Email == photographerEmail);
        var service = await db.Services.SingleAsync(s => s.Name == "Portrait session");
        var where = await db.Rooms.SingleAsync(r => r.Name == room);
        var start = startsAt ?? NextMonday();
        var now = DateTime.UtcNow;
        var booking = new Booking
        {
            Code = $"PS-T{n:D5}",
            Client = new Client { Name = client ?? $"Test Client {n}", Email = $"client-{n}-{Guid.NewGuid():N}@example.test", CreatedAt = now },
            ServiceId = service.Id,
            RoomId = where.Id,
            PhotographerId = photographer.Id,
            Status = status,
            Price = service.Price,
            Currency = "EUR",
            ManageTokenHash = RandomNumberGenerator.GetBytes(32),
            CreatedAt = now,
            UpdatedAt = now,
            ScheduledAt = now,
            History = [new BookingStatusChange { From = null, To = status, By = "system", At = now }],
        };
        booking.Block(start, start.AddMinutes(service.DurationMinutes), where);
        db.Bookings.Add(booking);
        await db.SaveChangesAsync();
        return booking;
    }

    public static async Task<Booking> ReloadAsync(this StudioApp app, int id)
    {
        await using var db = app.NewDb();
        return await db.Bookings.AsNoTracking().Include(b => b.History).SingleAsync(b => b.Id == id);
    }

    /// <summary>The board showing just the day of this booking.</summary>
    public static string BoardUrl(DateTime startsAt, string extra = "") =>
        $"/board?range=dates&from={startsAt:yyyy-MM-dd}&to={startsAt:yyyy-MM-dd}{extra}";
}
