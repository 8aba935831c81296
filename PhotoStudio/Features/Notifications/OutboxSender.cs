using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Notifications;

/// <summary>How the sender retries: the first retry after <see cref="RetryBaseSeconds"/>, then doubling, at most six hours apart.</summary>
public sealed class OutboxOptions
{
    public int RetryBaseSeconds { get; set; } = 60;
    /// <summary>At most this many messages per sweep, so one sweep never runs for ever.</summary>
    public int BatchSize { get; set; } = 500;
}

/// <summary>What the last sweep found, for the admin page and the metrics (per instance).</summary>
public sealed class OutboxHealth
{
    private readonly Lock gate = new();
    private (DateTime At, string Error)? unavailable;

    public (DateTime At, string Error)? MailServerUnavailable { get { lock (gate) return unavailable; } }

    public void Reachable() { lock (gate) unavailable = null; }

    public void Unreachable(DateTime at, string error) { lock (gate) unavailable ??= (at, error); }
}

/// <summary>
/// Delivers the outbox. Each message is claimed in its own transaction with <c>FOR UPDATE SKIP LOCKED</c>, so any
/// number of instances may sweep at once and never take the same row; the row stays locked while it is sent and is
/// committed as sent at the transport's commit point (<see cref="IMailSession.SendAsync"/>). A process killed
/// before that point leaves the row pending (its lock dies with the connection), and the message was never
/// completed at the server: it goes out once, at the next sweep.
/// </summary>
public sealed class OutboxSender(IServiceScopeFactory scopes, IMailTransport transport, OutboxHealth health, NotificationMetrics metrics,
    TimeProvider clock, Microsoft.Extensions.Options.IOptions<OutboxOptions> options, ILogger<OutboxSender> log)
{
    /// <summary>Sends what is due; returns how many messages went out.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var sent = 0;
        IMailSession? session = null;
        try
        {
            for (var i = 0; i < options.Value.BatchSize && !ct.IsCancellationRequested; i++)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
                var composer = scope.ServiceProvider.GetRequiredService<MessageComposer>();
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var now = clock.GetUtcNow().UtcDateTime;
                var row = await db.Notifications
                    .FromSql($"""
                        SELECT * FROM notifications WHERE status = 'Pending' AND next_attempt_at <= {now}
                        ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
                        """)
                    .SingleOrDefaultAsync(ct);
                if (row is null) break;

                var message = await composer.ComposeAsync(row, ct);
                if (message is null)
                {
                    row.Status = NotificationStatus.Withdrawn;
                    row.LastError = "No longer relevant when it was due (the booking changed).";
                    await db.SaveChangesAsync(ct);
                    await tx.CommitAsync(ct);
                    continue;
                }

                row.Attempts++;
                row.Status = NotificationStatus.Sent;
                row.SentAt = now;
                row.Subject = Truncate(message.Subject, 300);
                row.ProviderMessageId = message.MessageId;
                row.LastError = "";
                var committed = false;
                try
                {
                    session ??= await transport.OpenAsync(ct);
                    health.Reachable();
                    await session.SendAsync(message, () =>
                    {
                        db.SaveChanges();
                        tx.Commit();
                        committed = true;
                    }, ct);
                    sent++;
                    metrics.Sent(row.Kind);
                    log.LogInformation("Sent {Kind} notification {Id} for booking {BookingId}", row.Kind, row.Id, row.BookingId);
                }
                catch (MailServerUnavailableException e) when (!committed)
                {
                    // Nobody's fault but the server's: nothing is charged, the row goes back as it was.
                    await tx.RollbackAsync(CancellationToken.None);
                    health.Unreachable(now, e.Message);
                    log.LogWarning("The mail server is unavailable; {Pending} stays pending: {Error}", row.Id, e.Message);
                    break;
                }
                catch (Exception e) when (e is SmtpCommandException || committed)
                {
                    // The server refused this message (or failed after taking it): charge an attempt and back off.
                    if (!committed) await tx.RollbackAsync(CancellationToken.None);
                    await RecordFailureAsync(row.Id, e, CancellationToken.None);
                    if (e is not SmtpCommandException) break;
                }
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
        }
        return sent;
    }

    /// <summary>One more failed attempt: retried after a doubling delay, or failed for good after the studio's maximum.</summary>
    private async Task RecordFailureAsync(long id, Exception error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
        var max = await db.Settings.Select(s => s.MaxSendAttempts).FirstAsync(ct);
        var row = await db.Notifications.SingleAsync(n => n.Id == id, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        // A failure after the commit point was counted as an attempt then; one before it is counted here.
        if (row.Status == NotificationStatus.Pending) row.Attempts++;
        row.SentAt = null;
        row.ProviderMessageId = null;
        row.LastError = Truncate(error.Message, 500);
        if (row.Attempts >= max)
        {
            row.Status = NotificationStatus.Failed;
            metrics.Failed(row.Kind);
            log.LogWarning("Notification {Id} ({Kind}) failed after {Attempts} attempts: {Error}", row.Id, row.Kind, row.Attempts, error.Message);
        }
        else
        {
            row.Status = NotificationStatus.Pending;
            var delay = Math.Min(options.Value.RetryBaseSeconds * Math.Pow(2, row.Attempts - 1), TimeSpan.FromHours(6).TotalSeconds);
            row.NextAttemptAt = now.AddSeconds(delay);
            log.LogInformation("Notification {Id} ({Kind}) attempt {Attempts} failed, retrying at {Next:u}: {Error}",
                row.Id, row.Kind, row.Attempts, row.NextAttemptAt, error.Message);
        }
        await db.SaveChangesAsync(ct);
    }

    private static string Truncate(string? text, int length) => text is null ? "" : text.Length <= length ? text : text[..length];
}
