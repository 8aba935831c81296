using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>/admin/notifications with the sender running against a real SMTP server: "send again" delivers, and a dead server shows.</summary>
public class OutboxAdminDeliveryTests(NotificationApp app) : IClassFixture<NotificationApp>
{
    private const string Admin = "admin@demo.studio";

    [Fact]
    public async Task A_failed_message_sent_again_reaches_the_mail_server()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var row = await app.AddNotificationAsync(booking.Id, NotificationStatus.Failed, recipient: booking.Client!.Email,
            lastError: "451 try later", attempts: 8);
        var client = await app.SignedInClientAsync(Admin);
        var page = await client.GetDocumentAsync($"/admin/notifications?q={row.Recipient}");

        var response = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>($"#notification-{row.Id} form")!);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        var received = await app.Smtp.WaitForAsync(1, TimeSpan.FromSeconds(30), m => m.To.Mailboxes.Any(a => a.Address == row.Recipient));
        Assert.Single(received);
        await using var db = app.NewDb();
        var sent = await WaitForAsync(db, row.Id, n => n.Status == NotificationStatus.Sent);
        Assert.Equal((1, "", received[0].MessageId), (sent.Attempts, sent.LastError, sent.ProviderMessageId));
        var after = await client.GetDocumentAsync($"/admin/notifications?q={row.Recipient}");
        Assert.Equal("Sent", after.Single($"#notification-{row.Id}").GetAttribute("data-status"));
    }

    [Fact]
    public async Task With_the_mail_server_stopped_the_page_says_so_and_the_message_waits_until_it_is_back()
    {
        var client = await app.SignedInClientAsync(Admin);
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        await app.Smtp.StopAsync();
        var stopped = true;
        try
        {
            // A client message goes to the client's address on file (the composer withdraws one to any other).
            var row = await app.AddNotificationAsync(booking.Id, NotificationStatus.Pending, recipient: booking.Client!.Email);

            var banner = await WaitForBannerAsync(client, text => text.Contains("unreachable since"));
            Assert.Contains("Mail is not leaving the studio.", banner);
            Assert.Contains($"127.0.0.1:{app.Smtp.Port}", banner);
            Assert.Contains("messages waiting, oldest", banner);
            await using var db = app.NewDb();
            var waiting = await db.Notifications.AsNoTracking().SingleAsync(n => n.Id == row.Id);
            Assert.Equal((NotificationStatus.Pending, 0), (waiting.Status, waiting.Attempts));

            await app.Smtp.StartAgainAsync();
            stopped = false;
            Assert.Single(await app.Smtp.WaitForAsync(1, TimeSpan.FromSeconds(30), m => m.To.Mailboxes.Any(a => a.Address == row.Recipient)));
            await WaitForBannerAsync(client, text => text.Length == 0);
        }
        finally
        {
            if (stopped) await app.Smtp.StartAgainAsync();
        }
    }

    /// <summary>The banner's text (empty when there is none) once it satisfies the condition, polling the page.</summary>
    private static Task<string> WaitForBannerAsync(HttpClient client, Func<string, bool> condition) =>
        Wait.UntilAsync(async () => (await client.GetDocumentAsync("/admin/notifications")).QuerySelector("#outbox-health [role=alert]")?.TextContent ?? "",
            condition, "the banner to come to the expected state", pollMilliseconds: 200);

    private static Task<Notification> WaitForAsync(StudioDb db, long id, Func<Notification, bool> condition) =>
        Wait.UntilAsync(() => db.Notifications.AsNoTracking().SingleAsync(n => n.Id == id), condition,
            $"notification {id} to change", pollMilliseconds: 100);
}
