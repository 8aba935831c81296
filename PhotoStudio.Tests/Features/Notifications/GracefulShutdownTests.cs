using PhotoStudio.Data;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>An app stopped (as SIGTERM stops it) while its sender is in the middle of a sweep.</summary>
public class GracefulShutdownTests(GracefulShutdownTests.SlowMailApp app, ITestOutputHelper output) : IClassFixture<GracefulShutdownTests.SlowMailApp>
{
    /// <summary>A mail server that takes some milliseconds per message, so a stop can land in the middle of a sweep.</summary>
    public class SlowMailApp : NotificationApp
    {
        protected override int SmtpDelayMilliseconds => 15;
    }

    private const int Reminders = 60;

    [Fact]
    public async Task Stopping_the_app_mid_sweep_lets_the_sweep_finish_and_leaves_no_message_half_done()
    {
        var monday = TestBookings.NextMonday();
        var room = await app.AddRoomAsync("Shutdown room");
        var ids = await app.AddSessionsAsync(room, monday, Reminders, "PS-G", monday.AddDays(-7));
        app.Clock.MoveTo(monday.AddHours(-20));
        _ = app.Server; // the scheduler starts: the reminders are queued, and the sender starts on them

        var receivedAtStop = await Wait.UntilAsync(() => Task.FromResult(app.Smtp.Count()), n => n >= 5, "the sweep to be under way",
            pollMilliseconds: 10);
        await app.StopHostAsync();

        var rows = await app.OutboxAsync(ids);
        var received = app.Smtp.Messages().Select(m => m.MessageId).ToList();
        output.WriteLine($"Stopped with {receivedAtStop} of {Reminders} received; after the stop: {rows.Count(n => n.Status == NotificationStatus.Sent)} rows Sent, " +
            $"{received.Count} messages, {received.Distinct().Count()} distinct");
        Assert.InRange(receivedAtStop, 5, Reminders - 1);
        Assert.Equal(Reminders, rows.Count);
        Assert.All(rows, n => Assert.Equal(NotificationStatus.Sent, n.Status));
        Assert.Equal(rows.Select(n => n.ProviderMessageId).Order(), received.Order());
    }
}
