using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>A confirmation leaves within seconds of the write that queued it, not at the next sweep an hour later.</summary>
public class OutboxNudgeTests(HourlySweepNotificationApp app) : IClassFixture<HourlySweepNotificationApp>
{
    [Fact]
    public async Task A_committed_write_wakes_the_sender_so_its_message_leaves_long_before_the_next_sweep()
    {
        _ = app.Server; // starts the scheduler, whose sweeps fire once at start and then hourly
        await Wait.UntilAsync(FirstOutboxSweepIsOverAsync, "the outbox's first sweep to fire and finish", TimeSpan.FromSeconds(60));
        var booking = await app.AddBookingAsync(BookingStatus.Pending);

        await app.MoveAsync(booking.Id, BookingStatus.Confirmed);

        var received = await app.Smtp.WaitForAsync(1, TimeSpan.FromSeconds(20), m => m.To.Mailboxes.Any(a => a.Address == booking.Client!.Email));
        Assert.Single(received);
    }

    /// <summary>Quartz has fired the outbox trigger (its previous fire time is set) and no firing of it is in progress.</summary>
    private async Task<bool> FirstOutboxSweepIsOverAsync()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM quartz.qrtz_triggers WHERE trigger_name = 'outbox' AND prev_fire_time IS NOT NULL)
               AND NOT EXISTS (SELECT 1 FROM quartz.qrtz_fired_triggers WHERE job_name = 'outbox')
            """, connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
