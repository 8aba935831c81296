using PhotoStudio.Features.Clients;
using PhotoStudio.Features.Notifications;
using Quartz;

namespace PhotoStudio.Infrastructure.Jobs;

/// <summary>
/// Quartz.NET with its PostgreSQL job store, clustered: every instance runs a scheduler (instance id generated), the store
/// hands each firing to one of them, and a node that dies has its work taken over after the check-in threshold. A
/// few named sweep jobs, each repeating every <c>Jobs:SweepSeconds</c> (60 by default), rather than a trigger per
/// booking; what makes each effect happen once is in the data they work on (unique keys, row locks), so a sweep run
/// twice does no harm. The tables live in the <c>quartz</c> schema, created by our migrations.
/// </summary>
public static class StudioJobs
{
    public const string TablePrefix = "quartz.qrtz_";

    /// <summary>The outbox sender's job, which <see cref="OutboxNudge"/> asks to run at once.</summary>
    public static readonly JobKey OutboxJobKey = new("outbox", "sweeps");

    public static IServiceCollection AddStudioJobs(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        services.Configure<OutboxOptions>(configuration.GetSection("Outbox"));
        services.AddSingleton<OutboxHealth>();
        services.AddSingleton<NotificationMetrics>();
        services.AddSingleton<OutboxSender>();
        services.AddSingleton<OutboxNudge>();
        services.AddScoped<ManageLinks>();
        services.AddScoped<Outbox>();
        services.AddScoped<MessageComposer>();
        services.AddScoped<ReminderSweep>();
        services.AddScoped<ExpirySweep>();
        services.AddScoped<RetentionSweep>();
        services.Configure<PhotoStudio.Features.Admin.Integrations.WebhookOptions>(configuration.GetSection(PhotoStudio.Features.Admin.Integrations.WebhookOptions.Section));
        services.AddSingleton<PhotoStudio.Features.Admin.Integrations.WebhookTargets>();
        services.AddSingleton<PhotoStudio.Features.Admin.Integrations.WebhookSender>();
        services.AddScoped<PhotoStudio.Features.Admin.Integrations.Webhooks>();

        // Jobs:Enabled=false leaves the outbox filling but unsent (the test suite's apps, unless a test is about jobs).
        if (!configuration.GetValue("Jobs:Enabled", true)) return services;
        var sweep = TimeSpan.FromSeconds(Math.Clamp(configuration.GetValue("Jobs:SweepSeconds", 60), 1, 3600));
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "PhotoStudio";
                // Each node needs an id of its own (host name and start time): Quartz 4 takes "AUTO" literally, and
                // nodes sharing one id never see each other fail and recover each other's running jobs as their own.
                o.GenerateInstanceId = true;
            });
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseSystemTextJsonSerializer(null);
                store.UseClustering(c =>
                {
                    c.CheckinInterval = TimeSpan.FromSeconds(Math.Min(7.5, Math.Max(1, sweep.TotalSeconds)));
                    c.CheckinMisfireThreshold = c.CheckinInterval * 2;
                });
                store.ConfigureStore(o =>
                {
                    o.TablePrefix = TablePrefix;
                    o.SchemaProvisioning = SchemaProvisioning.Validate;
                });
            });
            Sweep<OutboxJob>(q, "outbox", sweep);
            Sweep<WebhookJob>(q, "webhooks", sweep);
            Sweep<ReminderJob>(q, "reminders", sweep);
            Sweep<ExpiryJob>(q, "expiry", sweep);
            Sweep<RetentionJob>(q, "retention", TimeSpan.FromHours(1));
            // Client retention erases in the run at 03:30 studio time only (ClientRetention.RunNightlyAsync); a run
            // missed while no node was up is skipped, not caught up, so it never erases twice a day.
            q.AddJob<ClientRetentionJob>(j => j.WithIdentity(ClientRetentionJob.Key).StoreDurably().DisallowConcurrentExecution());
            q.AddTrigger(t => t.ForJob(ClientRetentionJob.Key).WithIdentity("client-retention", "sweeps")
                .WithCronSchedule("0 30 * * * ?", c => c.InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)));
        });
        // Shutting down waits for a running sweep; the host's shutdown timeout is the outer bound.
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }

    private static void Sweep<T>(IQuartzBuilder q, string name, TimeSpan every) where T : IJob
    {
        var key = new JobKey(name, "sweeps");
        q.AddJob<T>(j => j.WithIdentity(key).StoreDurably().DisallowConcurrentExecution());
        q.AddTrigger<T>(t => t.ForJob(key).WithIdentity(name, "sweeps").StartNow()
            // After downtime one run catches up; missed runs are not replayed one by one.
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(every).RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
    }
}

[DisallowConcurrentExecution]
public sealed class OutboxJob(OutboxSender sender) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await sender.SendDueAsync(ct);
}

[DisallowConcurrentExecution]
public sealed class WebhookJob(PhotoStudio.Features.Admin.Integrations.WebhookSender sender) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await sender.SendDueAsync(ct);
}

[DisallowConcurrentExecution]
public sealed class ReminderJob(ReminderSweep sweep) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await sweep.QueueDueAsync(ct);
}

[DisallowConcurrentExecution]
public sealed class ExpiryJob(ExpirySweep sweep) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await sweep.ExpireAsync(ct);
}

[DisallowConcurrentExecution]
public sealed class RetentionJob(RetentionSweep sweep) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await sweep.PruneAsync(ct);
}
