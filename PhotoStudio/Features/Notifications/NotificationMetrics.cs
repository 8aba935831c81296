using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using Prometheus;

namespace PhotoStudio.Features.Notifications;

/// <summary>
/// Messages sent and failed by kind (counted by the instance that sent them), and the outbox's backlog and the age of
/// its oldest pending row (read from the database at each scrape, so every instance reports the same truth).
/// </summary>
public sealed class NotificationMetrics
{
    private readonly Counter sent;
    private readonly Counter failed;

    public NotificationMetrics(CollectorRegistry registry, IServiceScopeFactory scopes, TimeProvider clock)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        sent = factory.CreateCounter("photostudio_notifications_sent_total", "Messages handed to the mail server, by kind.", "kind");
        failed = factory.CreateCounter("photostudio_notifications_failed_total", "Messages given up after the last attempt, by kind.", "kind");
        var backlog = factory.CreateGauge("photostudio_outbox_backlog", "Messages waiting in the outbox (pending).");
        var oldest = factory.CreateGauge("photostudio_outbox_oldest_pending_age_seconds", "How long the oldest pending message has waited.");
        var failedRows = factory.CreateGauge("photostudio_outbox_failed", "Messages in the outbox marked failed (they stay until sent again).");
        registry.AddBeforeCollectCallback(async ct =>
        {
            try { await ReadOutboxAsync(ct); }
            // A database that is away leaves the last figures; readiness reports the database itself.
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException) { }
        });

        async Task ReadOutboxAsync(CancellationToken ct)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
            var counts = await db.Notifications.Where(n => n.Status == NotificationStatus.Pending || n.Status == NotificationStatus.Failed)
                .GroupBy(n => n.Status)
                .Select(g => new { g.Key, Count = g.Count(), Oldest = g.Min(n => n.CreatedAt) })
                .ToListAsync(ct);
            var pending = counts.FirstOrDefault(c => c.Key == NotificationStatus.Pending);
            backlog.Set(pending?.Count ?? 0);
            oldest.Set(pending is null ? 0 : Math.Max(0, (clock.GetUtcNow().UtcDateTime - pending.Oldest).TotalSeconds));
            failedRows.Set(counts.FirstOrDefault(c => c.Key == NotificationStatus.Failed)?.Count ?? 0);
        }
    }

    public void Sent(string kind) => sent.WithLabels(Label(kind)).Inc();

    public void Failed(string kind) => failed.WithLabels(Label(kind)).Inc();

    // Reminder kinds carry their offset; the label says "reminder" so the set stays small whatever the settings.
    private static string Label(string kind) => NotificationKind.IsReminder(kind) ? "reminder" : kind;
}
