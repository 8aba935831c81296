using Microsoft.AspNetCore.Hosting;

namespace PhotoStudio.Tests.Support;

/// <summary>
/// The demo studio with its jobs running (sweeps every second, retries after a second) and its mail going to a
/// real SMTP server of its own (<see cref="Smtp"/>); links in messages are built from https://studio.test.
/// </summary>
public class NotificationApp : StudioApp
{
    public const string PublicUrl = "https://studio.test";

    public SmtpServer Smtp { get; private set; } = null!;

    /// <summary>Whether the scheduler runs; a test that drives the sweeps itself turns it off.</summary>
    protected virtual bool JobsEnabled => true;

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpServer.StartAsync();
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

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
