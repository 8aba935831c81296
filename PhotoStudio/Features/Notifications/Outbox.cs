using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Notifications;

/// <summary>Where a client's messages go: their address on file, unless the client was erased.</summary>
public sealed record ClientAddress(string Email, DateTime? ErasedAt);

/// <summary>
/// Queues messages inside the write that causes them: the rows are added to the same unit of work, so they are
/// committed with the change or not at all. What is switched off in the settings is not queued; an erased client
/// gets nothing. The sender (<see cref="OutboxSender"/>) delivers them later.
/// </summary>
public sealed class Outbox(StudioDb db, StudioDay studioDay, StudioWrites writes, OutboxNudge nudge, TimeProvider clock)
{
    private WriteScope? nudging;

    /// <summary>A message to the booking's client (the client's address on file at this moment).</summary>
    public async Task ToClientAsync(Data.Booking booking, string kind, CancellationToken ct, int? revision = null)
    {
        var client = booking.Client is { } loaded ? new ClientAddress(loaded.Email, loaded.ErasedAt)
            : await db.Clients.Where(c => c.Id == booking.ClientId).Select(c => new ClientAddress(c.Email, c.ErasedAt)).SingleAsync(ct);
        await ToClientAsync(booking, kind, client, ct, revision);
    }

    /// <summary>The same, when the write has just read the client's address itself.</summary>
    public async Task ToClientAsync(Data.Booking booking, string kind, ClientAddress client, CancellationToken ct, int? revision = null)
    {
        if (client.ErasedAt is not null || client.Email.Length == 0) return;
        await QueueAsync(booking, kind, client.Email, ct, revision);
    }

    /// <summary>A message to each of the staff addresses given (a new web booking, an assignment).</summary>
    public async Task ToStaffAsync(Data.Booking booking, string kind, IEnumerable<string> recipients, CancellationToken ct)
    {
        foreach (var recipient in recipients.Select(r => r.Trim().ToLowerInvariant()).Where(r => r.Length > 0).Distinct())
            await QueueAsync(booking, kind, recipient, ct);
    }

    /// <summary>The new web booking to the addresses the studio set in its settings.</summary>
    public async Task ToStudioAsync(Data.Booking booking, string kind, CancellationToken ct) =>
        await ToStaffAsync(booking, kind, (await studioDay.ClockAsync(ct)).Settings.StaffRecipients, ct);

    /// <summary>The photographer's own address, for an assignment.</summary>
    public async Task ToPhotographerAsync(Data.Booking booking, CancellationToken ct)
    {
        if (booking.PhotographerId is not { } id) return;
        var email = await db.Employees.Where(e => e.Id == id && e.IsActive).Select(e => e.User!.Email).FirstOrDefaultAsync(ct);
        if (email is { Length: > 0 }) await ToStaffAsync(booking, NotificationKind.Assigned, [email], ct);
    }

    /// <summary>
    /// Reminders still waiting for this booking are withdrawn (it was cancelled or moved: a moved booking is owed
    /// reminders for its new time, which the reminder sweep queues under the new revision).
    /// </summary>
    public async Task WithdrawRemindersAsync(int bookingId, CancellationToken ct) =>
        await db.Notifications
            .Where(n => n.BookingId == bookingId && n.Status == NotificationStatus.Pending && n.Kind.StartsWith(NotificationKind.ReminderPrefix))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.Status, NotificationStatus.Withdrawn)
                .SetProperty(n => n.LastError, "The booking was moved or cancelled before it was sent."), ct);

    private async Task QueueAsync(Data.Booking booking, string kind, string recipient, CancellationToken ct, int? revision = null)
    {
        var settings = (await studioDay.ClockAsync(ct)).Settings;
        if (!NotificationKind.IsOn(settings, kind)) return;
        var rev = revision ?? booking.Revision;
        // The same effect twice (a booking confirmed, sent back to pending, confirmed again) is still one message.
        if (db.Notifications.Local.Any(n => n.Booking == booking && n.Kind == kind && n.Recipient == recipient && n.Revision == rev)) return;
        // A booking being added has no messages in the database yet.
        if (booking.Id != 0 && db.Entry(booking).State != EntityState.Added && await db.Notifications.AnyAsync(n =>
                n.BookingId == booking.Id && n.Kind == kind && n.Recipient == recipient && n.Revision == rev, ct)) return;
        var now = clock.GetUtcNow().UtcDateTime;
        db.Notifications.Add(new Notification
        {
            Booking = booking,
            Kind = kind,
            Recipient = recipient,
            // Staff read the studio's language choice of the day; clients the one they booked in.
            Language = booking.Language,
            Revision = rev,
            Status = NotificationStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        });
        // Once committed, the sender is woken rather than left to its next sweep (once per write).
        if (writes.Current is { } write && !ReferenceEquals(write, nudging))
        {
            nudging = write;
            write.AfterCommit(nudge.Nudge);
        }
    }
}
