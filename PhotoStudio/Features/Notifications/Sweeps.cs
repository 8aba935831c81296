using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Notifications;

/// <summary>
/// Queues the reminders that are due: one row per booking, offset and revision, inserted by one statement whose
/// unique key makes a second sweep (another instance, a re-run after a crash) add nothing. A reminder is due from
/// its moment until the session starts, and only if the booking had its time before that moment: a session booked
/// three hours ahead gets the 2-hour reminder, not a 24-hour one at booking time.
/// </summary>
public sealed class ReminderSweep(StudioDb db, OutboxNudge nudge, TimeProvider clock, ILogger<ReminderSweep> log)
{
    public async Task<int> QueueDueAsync(CancellationToken ct)
    {
        var settings = await db.Settings.AsNoTracking().SingleAsync(ct);
        if (!NotificationKind.IsOn(settings, NotificationKind.Reminder(0))) return 0;
        var now = clock.GetUtcNow().UtcDateTime;
        var queued = 0;
        foreach (var minutes in settings.ReminderOffsetsMinutes.Where(m => m > 0).Distinct())
        {
            var kind = NotificationKind.Reminder(minutes);
            var offset = TimeSpan.FromMinutes(minutes);
            queued += await db.Database.ExecuteSqlAsync($"""
                INSERT INTO notifications (booking_id, kind, recipient, language, revision, status, attempts, next_attempt_at, last_error, subject, created_at)
                SELECT b.id, {kind}, c.email, b.language, b.revision, 'Pending', 0, {now}, '', '', {now}
                FROM bookings b JOIN clients c ON c.id = b.client_id
                WHERE b.status IN ('Pending', 'Confirmed') AND c.erased_at IS NULL AND c.email <> ''
                  AND b.starts_at > {now} AND b.starts_at <= {now} + {offset}
                  AND b.scheduled_at <= b.starts_at - {offset}
                ON CONFLICT (booking_id, kind, recipient, revision) DO NOTHING
                """, ct);
        }
        if (queued > 0)
        {
            log.LogInformation("Queued {Count} reminders", queued);
            nudge.Nudge();
        }
        return queued;
    }
}

/// <summary>
/// Cancels requests the studio did not confirm in time (a setting in hours, 0 = never): the slot is freed, the
/// board hears of it, the client is told. Each booking in its own write, over the version read, so a confirmation
/// that lands at the same moment wins and the request is left alone.
/// </summary>
public sealed class ExpirySweep(StudioDb db, StudioWrites writes, Outbox outbox, TimeProvider clock, ILogger<ExpirySweep> log)
{
    public const string Reason = "not confirmed in time";

    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        var hours = await db.Settings.AsNoTracking().Select(s => s.ExpirePendingAfterHours).SingleAsync(ct);
        if (hours <= 0) return 0;
        var cutoff = clock.GetUtcNow().UtcDateTime.AddHours(-hours);
        var ids = await db.Bookings.AsNoTracking()
            .Where(b => b.Status == BookingStatus.Pending && b.CreatedAt <= cutoff)
            .OrderBy(b => b.CreatedAt).Select(b => b.Id).Take(200).ToListAsync(ct);
        var expired = 0;
        foreach (var id in ids)
        {
            db.ChangeTracker.Clear();
            var booking = await db.Bookings.FirstOrDefaultAsync(b => b.Id == id && b.Status == BookingStatus.Pending, ct);
            if (booking is null) continue;
            var now = clock.GetUtcNow().UtcDateTime;
            var outcome = await writes.RunAsync(async w =>
            {
                w.Expect(booking, booking.Version);
                booking.History.Add(new BookingStatusChange { From = booking.Status, To = BookingStatus.Cancelled, By = "system", At = now, Reason = Reason });
                booking.Status = BookingStatus.Cancelled;
                booking.Revision++;
                booking.UpdatedAt = now;
                w.Announce(booking, "cancelled", now);
                await outbox.WithdrawRemindersAsync(booking.Id, ct);
                await outbox.ToClientAsync(booking, NotificationKind.Expired, ct);
                return Outcome.Ok;
            }, ct);
            if (outcome is Outcome.Done) expired++;
        }
        if (expired > 0) log.LogInformation("Expired {Count} unconfirmed requests", expired);
        return expired;
    }
}

/// <summary>
/// Housekeeping: board events are only there for live screens to catch up after a reconnect, so those older than
/// a week go. (Erasing clients without bookings for N months joins this sweep with the client records.)
/// </summary>
public sealed class RetentionSweep(StudioDb db, TimeProvider clock, ILogger<RetentionSweep> log)
{
    public static readonly TimeSpan BoardEventsKept = TimeSpan.FromDays(7);

    public async Task<int> PruneAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - BoardEventsKept;
        var pruned = await db.BoardEvents.Where(e => e.At < cutoff).ExecuteDeleteAsync(ct);
        if (pruned > 0) log.LogInformation("Pruned {Count} board events older than {Days} days", pruned, BoardEventsKept.TotalDays);
        return pruned;
    }
}
