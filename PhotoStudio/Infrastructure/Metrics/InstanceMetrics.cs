using System.Diagnostics.Metrics;
using Npgsql;
using PhotoStudio.Infrastructure.Events;
using Prometheus;

namespace PhotoStudio.Infrastructure.Metrics;

/// <summary>
/// The health of this instance's connections, for alerts: whether the board's LISTEN connection is up, how many
/// <c>/board/events</c> streams are open, and how full the database connection pool is.
/// </summary>
/// <remarks>
/// The pool figures come from Npgsql's own meter (<c>db.client.connection.count</c> by state, and
/// <c>db.client.connection.max</c>), read at each scrape and summed over the pools of this app's connection string
/// (Npgsql names a pool by its connection string without the password). The board listener's connection is not
/// pooled and is not among them.
/// </remarks>
public sealed class InstanceMetrics : IDisposable
{
    private const string NpgsqlMeter = "Npgsql";
    private const string ConnectionCount = "db.client.connection.count";
    private const string ConnectionMax = "db.client.connection.max";

    private readonly Gauge listenerConnected;
    private readonly MeterListener listener = new();
    private readonly Lock gate = new();
    private readonly string poolName;
    private int used, idle, max;

    public InstanceMetrics(CollectorRegistry registry, BoardEventHub hub, IConfiguration configuration)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        listenerConnected = factory.CreateGauge("photostudio_board_listener_connected",
            "1 while the board's LISTEN connection to PostgreSQL is up, 0 while it reconnects.");
        var subscribers = factory.CreateGauge("photostudio_board_subscribers", "Open /board/events streams on this instance.");
        var connections = factory.CreateGauge("photostudio_db_pool_connections",
            "Connections in the database pool, by state (used: lent to a request or job; idle: open and waiting).", "state");
        var maxConnections = factory.CreateGauge("photostudio_db_pool_max_connections",
            "The database pool's limit (Maximum Pool Size); requests wait for a connection beyond it.");

        poolName = PoolName(configuration.GetConnectionString("Studio") ?? "");
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NpgsqlMeter && instrument.Name is ConnectionCount or ConnectionMax) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>(Measured);
        listener.Start();

        registry.AddBeforeCollectCallback(() =>
        {
            subscribers.Set(hub.Subscribers);
            lock (gate)
            {
                used = idle = max = 0;
                listener.RecordObservableInstruments();
                connections.WithLabels("used").Set(used);
                connections.WithLabels("idle").Set(idle);
                maxConnections.Set(max);
            }
        });
    }

    /// <summary>Called by the <see cref="BoardEventListener"/> as its connection comes up (after LISTEN) and goes down.</summary>
    public void ListenerConnected(bool connected) => listenerConnected.Set(connected ? 1 : 0);

    public void Dispose() => listener.Dispose();

    // Called back synchronously from RecordObservableInstruments, under the gate.
    private void Measured(Instrument instrument, int value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? pool = null, connectionState = null;
        foreach (var (key, tag) in tags)
        {
            if (key == "db.client.connection.pool.name") pool = tag as string;
            else if (key == "db.client.connection.state") connectionState = tag as string;
        }
        if (pool is null || PoolName(pool) != poolName) return;
        if (instrument.Name == ConnectionMax) max += value;
        else if (connectionState == "used") used += value;
        else if (connectionState == "idle") idle += value;
    }

    /// <summary>A connection string in one canonical form without its password, so two spellings of it compare equal.</summary>
    private static string PoolName(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Password = null };
            return string.Join(';', builder.Keys.Where(k => builder[k] is not null and not "").Order(StringComparer.OrdinalIgnoreCase)
                .Select(k => $"{k.ToLowerInvariant()}={builder[k]}"));
        }
        catch (ArgumentException)
        {
            return connectionString; // a data source named otherwise
        }
    }
}
