using PhotoStudio.Data;

namespace PhotoStudio.Tests.Support;

/// <summary>Outbox rows written straight to the database, as the app's writes and sweeps would leave them.</summary>
public static class TestNotifications
{
    private static int revision = 1000;

    /// <summary>A row of the booking; each call takes a revision of its own, so the outbox's unique key never collides.</summary>
    public static async Task<Notification> AddNotificationAsync(this StudioApp app, int bookingId, NotificationStatus status,
        string kind = "confirmed", string? recipient = null, DateTime? createdAt = null, string lastError = "", int attempts = 0,
        string? messageId = null)
    {
        await using var db = app.NewDb();
        var at = createdAt ?? DateTime.UtcNow;
        var row = new Notification
        {
            BookingId = bookingId,
            Kind = kind,
            Recipient = recipient ?? $"someone-{Guid.NewGuid():N}@example.test",
            Revision = Interlocked.Increment(ref revision),
            Status = status,
            Attempts = attempts,
            NextAttemptAt = at,
            LastError = lastError,
            CreatedAt = at,
            SentAt = status == NotificationStatus.Sent ? at : null,
            ProviderMessageId = messageId,
        };
        db.Notifications.Add(row);
        await db.SaveChangesAsync();
        return row;
    }
}
