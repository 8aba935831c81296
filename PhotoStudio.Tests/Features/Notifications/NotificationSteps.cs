using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Features.Board;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>The steps the notification tests share: the app's own write paths, sweeps and sender, run from a scope of the app.</summary>
public static class NotificationSteps
{
    /// <summary>The demo receptionist, who may move, cancel and reassign every booking.</summary>
    public static async Task<Staff> ReceptionAsync(this StudioApp app)
    {
        await using var db = app.NewDb();
        var id = await db.Users.Where(u => u.Email == "reception@demo.studio").Select(u => u.Id).SingleAsync();
        return new Staff(id, SeesAll: true, Manages: true, Moves: true);
    }

    /// <summary>Moves a booking on the board as the receptionist would, over the version it has now.</summary>
    public static async Task MoveAsync(this StudioApp app, int bookingId, BookingStatus to, string? reason = null)
    {
        var staff = await app.ReceptionAsync();
        await using var scope = app.Scope();
        var version = (await app.ReloadAsync(bookingId)).Version;
        var outcome = await scope.ServiceProvider.GetRequiredService<BoardService>().MoveAsync(bookingId, to, version, reason, staff, CancellationToken.None);
        Assert.IsAssignableFrom<Outcome.Done>(outcome);
    }

    /// <summary>Gives the booking's client another address (one the test's SMTP server treats specially).</summary>
    public static async Task SetClientEmailAsync(this StudioApp app, PhotoStudio.Data.Booking booking, string email)
    {
        await using var db = app.NewDb();
        await db.Clients.Where(c => c.Id == booking.ClientId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Email, email));
    }

    /// <summary>One run of the reminder sweep; returns how many reminders it queued.</summary>
    public static async Task<int> QueueRemindersAsync(this StudioApp app)
    {
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<ReminderSweep>().QueueDueAsync(CancellationToken.None);
    }

    /// <summary>One run of the sender; returns how many messages went out.</summary>
    public static Task<int> SendDueAsync(this StudioApp app) =>
        app.Services.GetRequiredService<OutboxSender>().SendDueAsync(CancellationToken.None);

    public static async Task<List<Notification>> OutboxAsync(this StudioApp app, params int[] bookingIds)
    {
        await using var db = app.NewDb();
        return await db.Notifications.AsNoTracking().Where(n => bookingIds.Contains(n.BookingId)).OrderBy(n => n.Id).ToListAsync();
    }

    /// <summary>A room of its own with no buffers, so sessions minutes apart clash with nothing (the demo's bookings included).</summary>
    public static async Task<Room> AddRoomAsync(this StudioApp app, string name)
    {
        await using var db = app.NewDb();
        var room = new Room { Name = name, Capacity = 1 };
        db.Rooms.Add(room);
        await db.SaveChangesAsync();
        return room;
    }

    /// <summary>
    /// Confirmed one-minute sessions in <paramref name="room"/>, two minutes apart from <paramref name="firstStart"/>,
    /// each with a client of its own, booked and scheduled at <paramref name="bookedAt"/>.
    /// </summary>
    public static async Task<int[]> AddSessionsAsync(this StudioApp app, Room room, DateTime firstStart, int count, string codePrefix, DateTime bookedAt)
    {
        await using var db = app.NewDb();
        var service = await db.Services.SingleAsync(s => s.Name == "Portrait session");
        var bookings = Enumerable.Range(0, count).Select(i => TestBookings.NewBooking($"{codePrefix}{i:D3}", $"Client {codePrefix}{i:D3}",
            $"{codePrefix.ToLowerInvariant()}{i:D3}-{Guid.NewGuid():N}@example.test", service, room, null, BookingStatus.Confirmed,
            firstStart.AddMinutes(2 * i), firstStart.AddMinutes(2 * i + 1), bookedAt)).ToList();
        db.Bookings.AddRange(bookings);
        await db.SaveChangesAsync();
        return [.. bookings.Select(b => b.Id)];
    }

    /// <summary>
    /// Waits until the outbox job has been fired <paramref name="firings"/> more times. Quartz runs it on one node of the
    /// cluster at a time (DisallowConcurrentExecution), so a firing means the sweep before it has ended: one firing,
    /// and the sweep running now is over (its last message answered by the server); two, and a whole sweep ran after this call.
    /// </summary>
    public static async Task WaitForOutboxFiringsAsync(string connectionString, int firings)
    {
        const string lastFired = "SELECT prev_fire_time FROM quartz.qrtz_triggers WHERE trigger_name = 'outbox'";
        var seen = await ScalarAsync<long>(connectionString, lastFired);
        for (var i = 0; i < firings; i++)
            seen = await Wait.UntilAsync(() => ScalarAsync<long>(connectionString, lastFired), fired => fired != seen, "the outbox job to fire again");
    }

    public static Task<T> ScalarAsync<T>(string connectionString, string sql, int[]? ids = null) =>
        ids is null ? ScalarAsync<T>(connectionString, sql, parameters: []) : ScalarAsync<T>(connectionString, sql, ("ids", ids));

    /// <summary>The first column of the first row, read on a connection of its own; <c>@name</c> in the SQL for each parameter.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, given) in parameters) command.Parameters.AddWithValue(name, given);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)value;
    }

    /// <summary>The messages the server received for one address.</summary>
    public static List<MimeMessage> To(this SmtpServer smtp, string address) =>
        [.. smtp.Messages().Where(m => m.To.Mailboxes.Any(a => a.Address.Equals(address, StringComparison.OrdinalIgnoreCase)))];
}
