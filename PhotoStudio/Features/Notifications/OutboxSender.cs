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

                MimeMessage? message;
                try
                {
                    message = await composer.ComposeAsync(row, ct);
                }
                catch (Exception e) when (e is ParseException or FormatException)
                {
                    // An address no mail program would take: no retry can help, and it must not block the rows behind it.
                    row.Attempts++;
                    row.Status = NotificationStatus.Failed;
                    row.LastError = Truncate("The message could not be written: " + e.Message, 500);
                    await db.SaveChangesAsync(ct);
                    await tx.CommitAsync(ct);
                    metrics.Failed(row.Kind);
                    log.LogWarning("Notification {Id} ({Kind}) could not be written and failed", row.Id, row.Kind);
                    continue;
                }
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
                    log.LogWarning("The mail server is unavailable; notification {Id} ({Kind}) stays pending ({Failure})", row.Id, row.Kind, Failure(e));
                    break;
                }
                catch (SmtpCommandException e)
                {
                    // The server refused this message (a recipient, or the whole message after the "."): charge an
                    // attempt and back off; the session is still good for the next one.
                    if (!committed) await tx.RollbackAsync(CancellationToken.None);
                    await RecordFailureAsync(row.Id, e, CancellationToken.None);
                }
                catch (Exception e) when (committed)
                {
                    // The connection broke (or the sweep was stopped) after the commit point: the server may have the
                    // message. It stays sent, as the commit point promises: a message in doubt may be lost, never sent twice.
                    health.Unreachable(now, e.Message);
                    await RecordInDoubtAsync(row.Id, CancellationToken.None);
                    log.LogWarning("The mail server connection failed after notification {Id} ({Kind}) was handed over; it stays sent ({Failure})",
                        row.Id, row.Kind, Failure(e));
                    break;
                }
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
        }
        return sent;
    }

    /// <summary>
    /// What failed, for a log line: the SMTP status code, or the kind of connection failure. Never the server's text,
    /// which may quote the recipient's address; that goes to the row's last error, for staff.
    /// </summary>
    private static string Failure(Exception error) => error switch
    {
        SmtpCommandException smtp => $"SMTP {(int)smtp.StatusCode}",
        MailServerUnavailableException { InnerException: System.Net.Sockets.SocketException socket } => socket.SocketErrorCode.ToString(),
        MailServerUnavailableException { InnerException: { } inner } => inner.GetType().Name,
        _ => error.GetType().Name,
    };

    private async Task RecordInDoubtAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StudioDb>().Notifications.Where(n => n.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.LastError,
                "The connection to the mail server broke after the message was handed over; it may not have arrived."), ct);
    }

    /// <summary>One more failed attempt: retried after a doubling delay, or failed for good after the studio's maximum.</summary>
    private async Task RecordFailureAsync(long id, SmtpCommandException error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
        var max = await db.Settings.Select(s => s.MaxSendAttempts).FirstAsync(ct);
        var row = await db.Notifications.SingleAsync(n => n.Id == id, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        // A refusal after the commit point was counted as an attempt then; one before it is counted here.
        if (row.Status == NotificationStatus.Pending) row.Attempts++;
        row.SentAt = null;
        row.ProviderMessageId = null;
        row.LastError = Truncate($"{(int)error.StatusCode} {error.Message}", 500);
        if (row.Attempts >= max)
        {
            row.Status = NotificationStatus.Failed;
            metrics.Failed(row.Kind);
            log.LogWarning("Notification {Id} ({Kind}) failed after {Attempts} attempts ({Failure})", row.Id, row.Kind, row.Attempts, Failure(error));
        }
        else
        {
            row.Status = NotificationStatus.Pending;
            var delay = Math.Min(options.Value.RetryBaseSeconds * Math.Pow(2, row.Attempts - 1), TimeSpan.FromHours(6).TotalSeconds);
            row.NextAttemptAt = now.AddSeconds(delay);
            log.LogInformation("Notification {Id} ({Kind}) attempt {Attempts} failed ({Failure}), retrying at {Next:u}",
                row.Id, row.Kind, row.Attempts, Failure(error), row.NextAttemptAt);
        }
        await db.SaveChangesAsync(ct);
    }

    private static string Truncate(string? text, int length) => text is null ? "" : text.Length <= length ? text : text[..length];
}
