using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Writes;
using Quartz;

namespace PhotoStudio.Features.Clients;

/// <summary>
/// Retention (<c>/admin/settings</c>, "Erase clients after N months without a booking"; off by default): clients
/// created more than N months ago with no booking that starts or was made within the last N months (so none upcoming
/// either) are erased, each through <see cref="ClientErasure"/> in its own transaction, as the system.
/// </summary>
public sealed class ClientRetention(StudioDb db, ClientErasure erasure, StudioDay studioDay, TimeProvider clock, ILogger<ClientRetention> log)
{
    /// <summary>The studio-local hour of the nightly run.</summary>
    public const int NightlyHour = 3;
    public const int BatchSize = 100;
    /// <summary>At most this many erasures a night; the rest wait for the next one, so a first run over an old database stays short.</summary>
    public const int MostPerRun = 1000;

    /// <summary>
    /// The job fires every hour at half past (UTC); it erases only in the run that falls in the studio's 03:00–03:59, so
    /// once a day in whichever zone the settings name now, without a restart when the zone changes.
    /// </summary>
    public async Task<int> RunNightlyAsync(CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        return TimeZoneInfo.ConvertTime(studio.Now, studio.Zone).Hour == NightlyHour ? await EraseStaleAsync(ct) : 0;
    }

    public async Task<int> EraseStaleAsync(CancellationToken ct)
    {
        var months = await db.Settings.AsNoTracking().Select(s => s.EraseClientsAfterMonths).SingleAsync(ct);
        if (months is not (>= 1 and <= 240)) return 0;
        var cutoff = clock.GetUtcNow().UtcDateTime.AddMonths(-months.Value);
        var erased = 0;
        var after = 0;
        while (erased < MostPerRun && !ct.IsCancellationRequested)
        {
            var batch = await db.Clients.AsNoTracking()
                .Where(c => c.Id > after && c.ErasedAt == null && c.CreatedAt < cutoff
                            && !db.Bookings.Any(b => b.ClientId == c.Id && (b.StartsAt >= cutoff || b.CreatedAt >= cutoff)))
                .OrderBy(c => c.Id).Select(c => c.Id).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0) break;
            foreach (var id in batch.TakeWhile(_ => erased < MostPerRun))
            {
                db.ChangeTracker.Clear();
                if (await erasure.EraseAsync(id, ct) is Outcome.Done) erased++;
            }
            after = batch[^1];
        }
        if (erased > 0) log.LogInformation("Retention erased {Count} clients without a booking for {Months} months", erased, months);
        return erased;
    }
}

[DisallowConcurrentExecution]
public sealed class ClientRetentionJob(ClientRetention retention) : IJob
{
    public static readonly JobKey Key = new("client-retention", "sweeps");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await retention.RunNightlyAsync(ct);
}
