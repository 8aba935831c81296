using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;

namespace PhotoStudio.Tests.Support;

/// <summary>Bookings made straight in the database, each on a Monday of its own far in the future unless told otherwise.</summary>
public static class TestBookings
{
    private static int sequence;

    // Weeks are counted apart from booking codes: a test adding a hundred bookings into one week must not push every
    // later test's Monday two years on, past the staff's ten-year horizon.
    private static int weeks;

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>10:00 in the studio's zone (Europe/Berlin) on a Monday from 2031 on, one week further for every call, in UTC.</summary>
    /// <remarks>Clocks change on Sundays, so on that Monday "n hours later" is n hours later on the wall clock too.</remarks>
    public static DateTime NextMonday() => TimeZoneInfo.ConvertTimeToUtc(
        new DateTime(2031, 1, 6, 10, 0, 0, DateTimeKind.Unspecified).AddDays(7 * Interlocked.Increment(ref weeks)), Berlin);

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
        var booking = NewBooking($"PS-T{n:D5}", client ?? $"Test Client {n}", $"client-{n}-{Guid.NewGuid():N}@example.test",
            service, where, photographer.Id, status, start, start.AddMinutes(service.DurationMinutes), DateTime.UtcNow);
        db.Bookings.Add(booking);
        await db.SaveChangesAsync();
        return booking;
    }

    /// <summary>
    /// Cancels the live bookings of the Daylight Loft and of Anna around this time (two hours before to three after):
    /// a test that must book near the real "now" (the scheduler reads the wall clock) would otherwise meet the demo
    /// studio's sessions there, which are seeded relative to today.
    /// </summary>
    public static async Task ClearAroundAsync(this StudioApp app, DateTime startsAt)
    {
        await using var db = app.NewDb();
        var loft = await db.Rooms.Where(r => r.Name == "Daylight Loft").Select(r => r.Id).SingleAsync();
        var anna = await db.Employees.Where(e => e.User!.Email == "anna@demo.studio").Select(e => e.Id).SingleAsync();
        await db.Bookings.Where(b => (b.RoomId == loft || b.PhotographerId == anna) && b.Status != BookingStatus.Cancelled
                && b.Status != BookingStatus.NoShow && b.StartsAt < startsAt.AddHours(3) && b.EndsAt > startsAt.AddHours(-2))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BookingStatus.Cancelled));
    }

    /// <summary>A booking of a new client, not yet added to a context; made, scheduled and last changed at <paramref name="at"/>.</summary>
    public static Booking NewBooking(string code, string client, string email, Service service, Room room, int? photographerId,
        BookingStatus status, DateTime startsAt, DateTime endsAt, DateTime at)
    {
        var booking = new Booking
        {
            Code = code,
            Client = new Client { Name = client, Email = email, CreatedAt = at },
            ServiceId = service.Id,
            RoomId = room.Id,
            PhotographerId = photographerId,
            Status = status,
            Price = service.Price,
            Currency = "EUR",
            ManageTokenHash = RandomNumberGenerator.GetBytes(32),
            CreatedAt = at,
            UpdatedAt = at,
            ScheduledAt = at,
            History = [new BookingStatusChange { From = null, To = status, By = "system", At = at }],
        };
        booking.Block(startsAt, endsAt, room);
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
