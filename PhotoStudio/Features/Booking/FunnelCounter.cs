using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Booking;

/// <summary>The booking wizard's steps as the funnel counts them.</summary>
public enum FunnelStep : short
{
    Service = 1,
    With = 2,
    When = 3,
    Details = 4,
    Review = 5,
    Confirmed = 6,
}

/// <summary>
/// Counts how often each step of the public booking wizard is reached, per studio-local day, and nothing about the
/// visitor: no address, cookie, id or time. Views are counted in memory (a lock held for an increment) and added to
/// <c>funnel_counts</c> by <see cref="FunnelFlush"/> every few seconds and at shutdown, in one statement: one upsert
/// per view made every visitor of <c>/book</c> queue on the same row's lock. A crash loses the last seconds' counts.
/// </summary>
public sealed class FunnelCounter(IServiceScopeFactory scopes, TimeProvider clock, ILogger<FunnelCounter> log)
{
    public const int Steps = 6;

    // By UTC minute: every zone's offset is whole minutes, so PostgreSQL puts each minute on the right local day.
    private Dictionary<(DateTime Minute, short Step), int> pending = [];
    private readonly Lock counting = new();
    private readonly SemaphoreSlim flushing = new(1, 1);

    public void Count(FunnelStep step)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var key = (new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc), (short)step);
        lock (counting) pending[key] = pending.GetValueOrDefault(key) + 1;
    }

    /// <summary>
    /// Adds what was counted to the table; when that fails the counts stay for the next flush. Returns once every view
    /// counted before the call is in the table (or kept after a failure), so a test may read the table right after.
    /// </summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await flushing.WaitAsync(ct);
        try
        {
            Dictionary<(DateTime Minute, short Step), int> taken;
            lock (counting) (taken, pending) = (pending, []);
            if (taken.Count == 0) return;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
                DateTime[] minutes = [.. taken.Keys.Select(k => k.Minute)];
                short[] steps = [.. taken.Keys.Select(k => k.Step)];
                int[] counts = [.. taken.Values];
                // The day is the studio's local date of each minute, worked out from its zone in the same statement.
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO funnel_counts (day, step, count)
                    SELECT (v.minute AT TIME ZONE s.time_zone)::date, v.step, sum(v.count)
                    FROM unnest({minutes}, {steps}, {counts}) AS v(minute, step, count)
                    CROSS JOIN (SELECT time_zone FROM studio_settings ORDER BY id LIMIT 1) s
                    GROUP BY 1, 2
                    ON CONFLICT (day, step) DO UPDATE SET count = funnel_counts.count + EXCLUDED.count
                    """, ct);
            }
            catch (Exception e)
            {
                lock (counting)
                    foreach (var (key, count) in taken) pending[key] = pending.GetValueOrDefault(key) + count;
                if (e is OperationCanceledException) throw;
                log.LogWarning(e, "Could not add {Views} booking funnel views to the table; they are kept for the next flush", taken.Values.Sum());
            }
        }
        finally
        {
            flushing.Release();
        }
    }
}

/// <summary>Adds the <see cref="FunnelCounter"/>'s counts to the table every few seconds, and once more at shutdown.</summary>
public sealed class FunnelFlush(FunnelCounter counter, IConfiguration configuration) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(configuration.GetValue("Funnel:FlushSeconds", 5)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await counter.FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync flushes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await counter.FlushAsync(cancellationToken);
    }
}
