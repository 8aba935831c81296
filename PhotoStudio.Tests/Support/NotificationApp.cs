using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace PhotoStudio.Tests.Support;

/// <summary>
/// The demo studio with its jobs running (sweeps every second, retries after a second) and its mail going to a
/// real SMTP server of its own (<see cref="Smtp"/>); links in messages are built from https://studio.test.
/// </summary>
public class NotificationApp : StudioApp
{
    public const string PublicUrl = "https://studio.test";

    private IHost? host;

    public SmtpServer Smtp { get; private set; } = null!;

    /// <summary>Whether the scheduler runs; a test that drives the sweeps itself turns it off.</summary>
    protected virtual bool JobsEnabled => true;

    /// <summary>How long the SMTP server dwells on each message (see smtp_sink.py); a test that must catch a sweep in the middle slows it.</summary>
    protected virtual int SmtpDelayMilliseconds => 0;

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpServer.StartAsync(SmtpDelayMilliseconds);
        await base.InitializeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Jobs:Enabled", JobsEnabled ? "true" : "false");
        builder.UseSetting("Jobs:SweepSeconds", "1");
        builder.UseSetting("Outbox:RetryBaseSeconds", "1");
        builder.UseSetting("PHOTOSTUDIO_PUBLIC_URL", PublicUrl);
        foreach (var (key, value) in Smtp.Settings) builder.UseSetting(key, value);
    }

    protected override IHost CreateHost(IHostBuilder builder) => host = base.CreateHost(builder);

    /// <summary>
    /// Stops the app as its host stops on SIGTERM (hosted services, the scheduler among them, stop in turn) while the
    /// database and the SMTP server stay for the test to read.
    /// </summary>
    public async Task StopHostAsync()
    {
        _ = Server;
        await host!.StopAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>A <see cref="NotificationApp"/> without the scheduler: the test calls the sweeps and the sender itself, when it chooses.</summary>
public class ManualNotificationApp : NotificationApp
{
    protected override bool JobsEnabled => false;
}

/// <summary>
/// The scheduler running with an hour between sweeps: a message that leaves within seconds was sent because the write
/// that queued it woke the sender (<c>OutboxNudge</c>), not because a sweep came round.
/// </summary>
public class HourlySweepNotificationApp : NotificationApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Jobs:SweepSeconds", "3600");
    }
}
