using PhotoStudio.Infrastructure.Jobs;
using Quartz;

namespace PhotoStudio.Features.Notifications;

/// <summary>
/// Wakes the outbox sender as soon as a write has committed messages, so a client's confirmation leaves within
/// seconds rather than at the next sweep. It asks the clustered scheduler to run the outbox job now: any instance
/// may pick it up, and a sweep already running is followed by another (the job never runs twice at once). The
/// regular sweep stays the safety net; without a scheduler on this instance (<c>Jobs:Enabled=false</c>) this does nothing.
/// </summary>
public sealed class OutboxNudge(IServiceProvider services, ILogger<OutboxNudge> log)
{
    public void Nudge()
    {
        if (services.GetService<ISchedulerFactory>() is not { } factory) return;
        _ = Task.Run(async () =>
        {
            try
            {
                var scheduler = await factory.GetScheduler();
                if (scheduler.Status == SchedulerStatus.Running) await scheduler.TriggerJob(StudioJobs.OutboxJobKey, CancellationToken.None);
            }
            catch (Exception e) when (e is SchedulerException or InvalidOperationException or System.Data.Common.DbException)
            {
                log.LogWarning("Could not wake the outbox sender ({Error}); the next sweep sends the messages", e.GetType().Name);
            }
        });
    }
}
