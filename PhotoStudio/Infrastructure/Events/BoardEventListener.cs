using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Metrics;

namespace PhotoStudio.Infrastructure.Events;

/// <summary>
/// Keeps one PostgreSQL connection per app instance listening on the <c>board</c> channel, reads the new
/// <c>board_events</c> rows when woken, and hands them to the <see cref="BoardEventHub"/>. After a dropped
/// connection it listens again and catches up from the last id it saw, so no change is missed. The same connection
/// listens on <see cref="StudioChanges.Channel"/> and <see cref="ReportChanges.Channel"/> too (one connection per
/// instance, not three) and passes those notifications to <see cref="StudioChanges"/> and <see cref="ReportChanges"/>.
/// </summary>
public sealed class BoardEventListener(
    IConfiguration configuration, BoardEventHub hub, StudioChanges studio, ReportChanges reports, InstanceMetrics metrics,
    IHostApplicationLifetime lifetime, ILogger<BoardEventListener> log)
    : BackgroundService
{
    public const string Channel = "board";

    /// <summary>Shown in pg_stat_activity, so an operator (or a test) can find this connection.</summary>
    public const string ApplicationName = "photostudio-board-listener";

    // Identity values are handed out before commit, so a transaction that took a lower id can commit after one
    // with a higher id. Re-reading this many ids below the newest seen (and skipping the ones already seen)
    // catches such late commits.
    private const long LateCommitWindow = 200;

    // Even without a notification (one lost with a dropped connection), new rows are read this often.
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(15);

    private readonly SortedSet<long> seen = [];
    private long floor = -1; // the newest id at start-up: older events are history, not news
    private long last = -1;

    private long Lowest => Math.Max(floor, last - LateCommitWindow);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lifetime.ApplicationStopping.Register(hub.DisconnectAll);
        var builder = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("Studio"))
        {
            ApplicationName = ApplicationName,
            Pooling = false,
            KeepAlive = 10,
        };
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                // Raised while WaitAsync reads, before it returns; board notifications only wake the loop below.
                connection.Notification += (_, e) =>
                {
                    // The settings (zone, currency), rooms and services are in the report figures too; those are dropped
                    // first, so whoever sees the studio's change next finds the figures dropped already.
                    if (e.Channel is StudioChanges.Channel or ReportChanges.Channel) reports.Changed();
                    if (e.Channel == StudioChanges.Channel) studio.Changed();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}; LISTEN {StudioChanges.Channel}; LISTEN {ReportChanges.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                metrics.ListenerConnected(true);
                // Whatever changed while nobody listened (before start-up, or while the connection was down) was never heard of.
                reports.Changed();
                studio.Changed();
                if (floor < 0)
                {
                    await using var newest = new NpgsqlCommand("SELECT coalesce(max(id), 0) FROM board_events", connection);
                    floor = last = (long)(await newest.ExecuteScalarAsync(stoppingToken))!;
                    hub.Start(last);
                    log.LogInformation("Listening for board events after {EventId}", last);
                }
                else
                    log.LogInformation("Listening for board events again; catching up after {EventId}", last);
                delay = TimeSpan.FromSeconds(1);

                while (!stoppingToken.IsCancellationRequested)
                {
                    await ReadNewAsync(connection, stoppingToken);
                    await connection.WaitAsync(PollEvery, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                metrics.ListenerConnected(false);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                metrics.ListenerConnected(false);
                log.LogWarning(e, "Board event listener lost its connection; retrying in {Delay}", delay);
                await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
                delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
            }
        }
    }

    private async Task ReadNewAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        while (true)
        {
            await using var command = new NpgsqlCommand("""
                SELECT e.id, e.booking_id, e.kind, b.status, b.photographer_id, e.previous_photographer_id
                FROM board_events e JOIN bookings b ON b.id = e.booking_id
                WHERE e.id > $1
                ORDER BY e.id
                LIMIT 500
                """, connection);
            command.Parameters.AddWithValue(Lowest);
            var found = 0;
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                {
                    found++;
                    var id = reader.GetInt64(0);
                    if (id <= Lowest || !seen.Add(id)) continue;
                    last = Math.Max(last, id);
                    hub.Publish(new BoardChange(id, reader.GetInt32(1), reader.GetString(2), Enum.Parse<BookingStatus>(reader.GetString(3)),
                        reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetInt32(5)));
                }
            seen.RemoveWhere(id => id <= Lowest);
            if (found < 500) return;
        }
    }
}
