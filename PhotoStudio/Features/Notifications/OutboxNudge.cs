using PhotoStudio.Infrastructure.Jobs;
using Quartz;

namespace PhotoStudio.Features.Notifications;

/// <summary>
/// Wakes the outbox sender as soon as a write has committed messages, so a client's confirmation leaves within
/// seconds rather than at the next sweep. It asks the clustered scheduler to run the outbox job now: any instance
/// may pick it up, and a sweep already running is followed by another (the job never runs twice at once). The
/// regular sweep stays the safety net; without a scheduler on this instance (<c>Jobs:Enabled=false</c>) this does nothing.
/// </summary>
/// <remarks>
/// A trigger is a few locked rows in the job store and a sweep of the whole outbox, so nudges are coalesced: the
/// first one triggers at once, and all that come within <see cref="Spacing"/> after it become one more trigger at
/// the end of that time. A busy hour of bookings costs a trigger a second at most, not one per write.
/// </remarks>
public sealed class OutboxNudge(IServiceProvider services, ILogger<OutboxNudge> log)
{
    public static readonly TimeSpan Spacing = TimeSpan.FromSeconds(1);

    // 1 while a nudge is waiting for a trigger; 1 while the loop that triggers runs (at most one loop at a time).
    private int wanted;
    private int running;

    public void Nudge()
    {
        if (services.GetService<ISchedulerFactory>() is not { } factory) return;
        Volatile.Write(ref wanted, 1);
        if (Interlocked.CompareExchange(ref running, 1, 0) == 0) _ = Task.Run(() => TriggerWhileWantedAsync(factory));
    }

    private async Task TriggerWhileWantedAsync(ISchedulerFactory factory)
    {
        while (true)
        {
            while (Interlocked.Exchange(ref wanted, 0) == 1)
            {
                await TriggerAsync(factory);
                await Task.Delay(Spacing);
            }
            Volatile.Write(ref running, 0);
            // A nudge that came between the last look and the line above started no loop of its own: this one goes on.
            if (Volatile.Read(ref wanted) == 0 || Interlocked.CompareExchange(ref running, 1, 0) != 0) return;
        }
    }

    private async Task TriggerAsync(ISchedulerFactory factory)
    {
        try
        {
            var scheduler = await factory.GetScheduler();
            if (scheduler.Status == SchedulerStatus.Running) await scheduler.TriggerJob(StudioJobs.OutboxJobKey, CancellationToken.None);
        }
        catch (Exception e) when (e is SchedulerException or InvalidOperationException or System.Data.Common.DbException)
        {
            // The reason is logged too (a lock timeout in the job store under a burst of writes is not the same
            // trouble as a scheduler shutting down); the sweep sends the messages either way.
            log.LogWarning("Could not wake the outbox sender ({Error}: {Reason}); the next sweep sends the messages",
                e.GetType().Name, e.Message);
        }
    }
}
