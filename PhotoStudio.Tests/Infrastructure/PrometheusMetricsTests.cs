using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>What <c>/metrics</c> shows of the studio's business and of the requests it served.</summary>
public class PrometheusMetricsTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string PendingToConfirmed = "photostudio_bookings_status_changed_total{from=\"pending\",to=\"confirmed\"}";

    [Fact]
    public async Task A_board_move_counts_one_status_change_with_its_from_and_to_and_a_stale_move_counts_none()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var before = await SampleAsync(PendingToConfirmed);

        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(admin, booking, BookingStatus.Confirmed)).StatusCode);
        Assert.Equal(before + 1, await SampleAsync(PendingToConfirmed));

        // The same move again with the version it was made from: refused, rolled back, not counted.
        Assert.Equal(HttpStatusCode.Conflict, (await MoveAsync(admin, booking, BookingStatus.Confirmed)).StatusCode);
        Assert.Equal(before + 1, await SampleAsync(PendingToConfirmed));
    }

    [Fact]
    public async Task A_booking_made_in_the_wizard_and_cancelled_by_its_link_is_counted_and_its_token_stays_out_of_the_metrics()
    {
        const string created = "photostudio_bookings_created_total{source=\"web\"}";
        const string cancelled = "photostudio_bookings_status_changed_total{from=\"pending\",to=\"cancelled\"}";
        var createdBefore = await SampleAsync(created);
        var cancelledBefore = await SampleAsync(cancelled);

        var (_, _, manage) = await MyBookingTests.BookAsync(app, cancelCutoffHours: 1);
        var visitor = app.NewClient();
        var page = await visitor.GetDocumentAsync(manage);
        var response = await visitor.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#cancel-form")!, new Dictionary<string, string> { ["reason"] = "Ill" });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        var text = await ScrapeAsync();
        Assert.Equal(createdBefore + 1, Sample(text, created));
        Assert.Equal(cancelledBefore + 1, Sample(text, cancelled));
        Assert.Contains("http_requests_received_total{code=\"200\",method=\"GET\",endpoint=\"/my/{token}\"}", text);
        Assert.Contains("http_requests_received_total{code=\"303\",method=\"POST\",endpoint=\"/my/{token}/cancel\"}", text);
        Assert.DoesNotContain(manage["/my/".Length..], text);
    }

    [Fact]
    public async Task A_failed_request_is_counted_once_under_the_route_it_asked_for_not_the_error_page()
    {
        var before = await ScrapeAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await app.NewClient().GetAsync("/my/no-such-token-0123456789")).StatusCode);

        var text = await ScrapeAsync();
        const string notFound = "http_requests_received_total{code=\"404\",method=\"GET\",endpoint=\"/my/{token}\"}";
        Assert.Equal(Sample(before, notFound) + 1, Sample(text, notFound));
        Assert.DoesNotContain("endpoint=\"/error/", text);
        Assert.DoesNotContain("no-such-token", text);
    }

    private static Task<HttpResponseMessage> MoveAsync(HttpClient client, Booking booking, BookingStatus to) =>
        client.HtmxAsync(HttpMethod.Post, $"/board/bookings/{booking.Id}/move",
            new Dictionary<string, string> { ["to"] = to.ToString(), ["from"] = booking.Status.ToString(), ["version"] = booking.Version.ToString() },
            tokenFromPage: "/board");

    private async Task<string> ScrapeAsync()
    {
        var response = await app.NewClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<double> SampleAsync(string series) => Sample(await ScrapeAsync(), series);

    /// <summary>The value of one series; a labelled series nothing has counted yet is not in the text at all.</summary>
    private static double Sample(string text, string series) =>
        text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture)
            : 0;
}

/// <summary>The outbox's series with a sender running: what it sent and gave up on by kind, and the backlog, all lint-clean.</summary>
public class OutboxMetricsTests(NotificationApp app) : IClassFixture<NotificationApp>
{
    [Fact]
    public async Task Sent_and_failed_messages_are_counted_by_kind_beside_the_backlog_gauges()
    {
        _ = app.Server; // starts the app and its scheduler
        await using (var db = app.NewDb())
            await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.MaxSendAttempts, 1));
        // Client messages go to the client's address on file (the composer withdraws one to any other address).
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var refused = await app.AddBookingAsync(BookingStatus.Confirmed);
        var address = $"reject-{Guid.NewGuid():N}@example.test";
        await using (var db = app.NewDb())
            await db.Clients.Where(c => c.Id == refused.ClientId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Email, address));
        var good = await app.AddNotificationAsync(booking.Id, NotificationStatus.Pending, kind: "received", recipient: booking.Client!.Email);
        var bad = await app.AddNotificationAsync(refused.Id, NotificationStatus.Pending, kind: "confirmed", recipient: address);

        Assert.Single(await app.Smtp.WaitForAsync(1, TimeSpan.FromSeconds(30), m => m.To.Mailboxes.Any(a => a.Address == good.Recipient)));
        const string sent = "photostudio_notifications_sent_total{kind=\"received\"}";
        const string failed = "photostudio_notifications_failed_total{kind=\"confirmed\"}";
        // The counter moves as the failure is recorded, the gauge once it is committed: both, eventually.
        var text = await WaitForScrapeAsync(t => Sample(t, sent) >= 1 && Sample(t, failed) >= 1 && Sample(t, "photostudio_outbox_failed") >= 1);

        Assert.True(Sample(text, sent) >= 1 && Sample(text, failed) >= 1, text);
        Assert.True(Sample(text, "photostudio_outbox_failed") >= 1, text);
        Assert.NotNull(Sample(text, "photostudio_outbox_backlog"));
        Assert.NotNull(Sample(text, "photostudio_outbox_oldest_pending_age_seconds"));
        Assert.DoesNotContain(bad.Recipient, text);
        await Promtool.AssertLintCleanAsync(text);
    }

    private Task<string> WaitForScrapeAsync(Func<string, bool> condition) =>
        Wait.LastReadingAsync(() => app.NewClient().GetStringAsync("/metrics"), condition, pollMilliseconds: 100);

    private static double? Sample(string text, string series) =>
        text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture)
            : null;
}
