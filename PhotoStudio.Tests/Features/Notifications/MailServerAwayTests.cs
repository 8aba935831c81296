using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>
/// The mail server goes away with the scheduler running: messages wait in the outbox uncharged, the app stays ready,
/// and each arrives once when the server is back. A class of its own, as it stops its app's SMTP server.
/// </summary>
public class MailServerAwayTests(NotificationApp app) : IClassFixture<NotificationApp>
{
    [Fact]
    public async Task Messages_wait_uncharged_while_the_mail_server_is_away_and_each_arrives_once_when_it_is_back()
    {
        using var http = app.CreateClient();
        await app.Smtp.StopAsync();
        var bookings = new List<PhotoStudio.Data.Booking>();
        for (var i = 0; i < 3; i++) bookings.Add(await app.AddBookingAsync(BookingStatus.Pending));
        foreach (var booking in bookings) await app.MoveAsync(booking.Id, BookingStatus.Confirmed);
        var ids = bookings.Select(b => b.Id).ToArray();

        // A whole sweep ran after the confirmations were queued, and met a server that is not there.
        await NotificationSteps.WaitForOutboxFiringsAsync(app.ConnectionString, 2);
        Assert.NotNull(app.Services.GetRequiredService<OutboxHealth>().MailServerUnavailable);
        var waiting = await app.OutboxAsync(ids);
        Assert.Equal(3, waiting.Count);
        Assert.All(waiting, n =>
        {
            Assert.Equal(NotificationKind.Confirmed, n.Kind);
            Assert.Equal(NotificationStatus.Pending, n.Status);
            Assert.Equal(0, n.Attempts);
            Assert.Equal("", n.LastError);
        });
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);

        await app.Smtp.StartAgainAsync();
        await Wait.UntilAsync(async () => (await app.OutboxAsync(ids)).Count(n => n.Status == NotificationStatus.Sent), sent => sent == 3,
            "the confirmations to be sent");
        await NotificationSteps.WaitForOutboxFiringsAsync(app.ConnectionString, 1);

        foreach (var row in await app.OutboxAsync(ids))
        {
            Assert.Equal(1, row.Attempts);
            var message = Assert.Single(app.Smtp.To(row.Recipient));
            Assert.Equal(row.ProviderMessageId, message.MessageId);
        }
        Assert.Null(app.Services.GetRequiredService<OutboxHealth>().MailServerUnavailable);
    }
}
