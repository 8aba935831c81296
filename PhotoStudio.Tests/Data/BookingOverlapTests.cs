using Microsoft.EntityFrameworkCore;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Data;

/// <summary>The database itself refuses double bookings: SQLSTATE 23P01 from the exclusion constraints.</summary>
public class BookingOverlapTests(StudioApp app) : IClassFixture<StudioApp>
{
    // Far beyond the demo data, so nothing seeded is in the way.
    private static readonly DateTime Start = new(2031, 3, 4, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Overlapping_live_bookings_for_one_room_are_refused()
    {
        await using var db = app.NewDb();
        var (room, otherRoom, service, client, photographers) = await PickAsync(db);
        db.Bookings.Add(NewBooking(service, client, room, null, Start, 60));
        await db.SaveChangesAsync();

        db.Bookings.Add(NewBooking(service, client, room, null, Start.AddMinutes(30), 60));
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.ExclusionViolation, Assert.IsType<PostgresException>(error.InnerException).SqlState);
    }

    [Fact]
    public async Task One_photographer_cannot_be_in_two_rooms_at_once()
    {
        await using var db = app.NewDb();
        var (room, otherRoom, service, client, photographers) = await PickAsync(db);
        var start = Start.AddDays(1);
        db.Bookings.Add(NewBooking(service, client, room, photographers[0], start, 60));
        await db.SaveChangesAsync();

        db.Bookings.Add(NewBooking(service, client, otherRoom, photographers[0], start.AddMinutes(15), 60));
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.ExclusionViolation, Assert.IsType<PostgresException>(error.InnerException).SqlState);
    }

    [Fact]
    public async Task Cancelled_and_no_show_bookings_free_the_slot_and_back_to_back_sessions_fit()
    {
        await using var db = app.NewDb();
        var (room, otherRoom, service, client, photographers) = await PickAsync(db);
        var start = Start.AddDays(2);
        db.Bookings.Add(NewBooking(service, client, room, photographers[0], start, 60, BookingStatus.Cancelled));
        db.Bookings.Add(NewBooking(service, client, room, photographers[0], start, 60, BookingStatus.NoShow));
        db.Bookings.Add(NewBooking(service, client, room, photographers[0], start, 60));
        await db.SaveChangesAsync();

        // Next session starts exactly when the blocked range of the first ends: [) bounds let it fit.
        var next = start.AddMinutes(60 + room.BufferAfterMinutes + room.BufferBeforeMinutes);
        db.Bookings.Add(NewBooking(service, client, room, photographers[0], next, 60));
        await db.SaveChangesAsync();

        Assert.Equal(2, await db.Bookings.CountAsync(b => b.RoomId == room.Id && b.StartsAt >= start && b.StartsAt <= next
            && b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.NoShow));
    }

    [Fact]
    public async Task Reviving_a_cancelled_booking_into_a_taken_slot_is_refused()
    {
        await using var db = app.NewDb();
        var (room, otherRoom, service, client, photographers) = await PickAsync(db);
        var start = Start.AddDays(3);
        var cancelled = NewBooking(service, client, room, null, start, 60, BookingStatus.Cancelled);
        db.Bookings.AddRange(cancelled, NewBooking(service, client, room, null, start, 60));
        await db.SaveChangesAsync();

        cancelled.Status = BookingStatus.Pending;
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.ExclusionViolation, Assert.IsType<PostgresException>(error.InnerException).SqlState);
    }

    private static async Task<(Room, Room, Service, Client, List<Employee>)> PickAsync(StudioDb db)
    {
        var rooms = await db.Rooms.OrderBy(r => r.Id).Take(2).ToListAsync();
        var service = await db.Services.OrderBy(s => s.Id).FirstAsync();
        var client = await db.Clients.OrderBy(c => c.Id).FirstAsync();
        var photographers = await db.Employees.OrderBy(e => e.Id).Take(2).ToListAsync();
        return (rooms[0], rooms[1], service, client, photographers);
    }

    private static Booking NewBooking(Service service, Client client, Room room, Employee? photographer, DateTime start, int minutes,
        BookingStatus status = BookingStatus.Confirmed)
    {
        var booking = new Booking
        {
            Code = BookingCode.New(),
            ClientId = client.Id,
            ServiceId = service.Id,
            RoomId = room.Id,
            PhotographerId = photographer?.Id,
            Status = status,
            Price = service.Price,
            Currency = "EUR",
            ManageTokenHash = ManageToken.Hash(ManageToken.New()),
            CreatedAt = DateTime.UtcNow,
            UpdatedAt = DateTime.UtcNow,
        };
        booking.Block(start, start.AddMinutes(minutes), room);
        return booking;
    }
}
