using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>/admin/notifications without a sender running: what staff see of the outbox, its filters, "send again" and the .eml files.</summary>
public class NotificationLogTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string Admin = "admin@demo.studio";
    private const string Manager = "manager@demo.studio";

    [Theory]
    [InlineData(Admin)]
    [InlineData(Manager)]
    public async Task Admins_and_managers_see_the_outbox_with_counts_and_a_link_to_each_booking(string email)
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var row = await app.AddNotificationAsync(booking.Id, NotificationStatus.Failed, lastError: "550 mailbox unavailable", attempts: 8);
        var client = await app.SignedInClientAsync(email);

        var page = await client.GetDocumentAsync("/admin/notifications");

        var tr = page.Single($"#notification-{row.Id}");
        Assert.Contains("Booking confirmed", tr.TextContent);
        Assert.Contains(row.Recipient, tr.TextContent);
        Assert.Contains("550 mailbox unavailable", tr.TextContent);
        Assert.Equal($"/board/bookings/{booking.Id}", tr.QuerySelector("a[href^='/board/bookings/']")!.GetAttribute("href"));
        Assert.NotNull(tr.QuerySelector("form[action^='/admin/notifications/'] button"));
        Assert.True(int.Parse(page.Single("#outbox-counts [data-status=Failed] .count").TextContent) >= 1);
        Assert.NotNull(page.QuerySelector("nav a[href='/admin/notifications'][aria-current=page]"));
    }

    [Theory]
    [InlineData("reception@demo.studio")]
    [InlineData("anna@demo.studio")]
    public async Task Receptionists_and_photographers_get_403_and_no_link(string email)
    {
        var client = await app.SignedInClientAsync(email);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/notifications/1/eml")).StatusCode);
        var board = await client.GetDocumentAsync("/board");
        Assert.Null(board.QuerySelector("a[href='/admin/notifications']"));
    }

    [Fact]
    public async Task Filters_by_status_kind_and_search_live_in_the_address_and_pages_are_bounded()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var tag = Guid.NewGuid().ToString("N")[..10];
        var start = DateTime.UtcNow.AddMinutes(-200);
        for (var i = 0; i < 110; i++)
            await app.AddNotificationAsync(booking.Id, i % 2 == 0 ? NotificationStatus.Sent : NotificationStatus.Pending,
                kind: i % 3 == 0 ? "reminder-1440" : "confirmed", recipient: $"{tag}-{i:D3}@example.test", createdAt: start.AddMinutes(i));
        var client = await app.SignedInClientAsync(Admin);

        // Newest first, twenty a page.
        var first = await client.GetDocumentAsync($"/admin/notifications?q={tag}");
        var rows = first.QuerySelectorAll("#notifications-table tbody tr");
        Assert.Equal(20, rows.Length);
        Assert.Contains($"{tag}-109@", rows[0].TextContent);
        Assert.Contains("110 in all", first.Single("#notifications-table nav").TextContent);

        var pending = await client.GetDocumentAsync($"/admin/notifications?q={tag}&status=pending&size=50&page=2");
        var pendingRows = pending.QuerySelectorAll("#notifications-table tbody tr");
        Assert.Equal(5, pendingRows.Length); // 55 pending, the second page of 50
        Assert.All(pendingRows, r => Assert.Equal("Pending", r.GetAttribute("data-status")));

        var reminders = await client.GetDocumentAsync($"/admin/notifications?q={tag}&kind=reminder&size=100");
        var reminderRows = reminders.QuerySelectorAll("#notifications-table tbody tr");
        Assert.Equal(37, reminderRows.Length);
        Assert.All(reminderRows, r => Assert.Contains("Reminder 24h before", r.TextContent));

        // A page size beyond the limit is the limit; a page beyond the end is the last page.
        var huge = await client.GetDocumentAsync($"/admin/notifications?q={tag}&size=100000&page=99999999");
        Assert.Equal(10, huge.QuerySelectorAll("#notifications-table tbody tr").Length);
        Assert.Contains("page 2 of 2", huge.Single("#notifications-table nav").TextContent);

        // The booking code finds its messages too, and the pager keeps the filters.
        var byCode = await client.GetDocumentAsync($"/admin/notifications?q={booking.Code.ToLowerInvariant()}&status=Sent");
        Assert.Equal(20, byCode.QuerySelectorAll("#notifications-table tbody tr").Length);
        var next = byCode.QuerySelector<IHtmlAnchorElement>("#notifications-table nav a.page-link")!.GetAttribute("href")!;
        Assert.Contains("status=Sent", next);
        Assert.Contains("page=2", next);

        // Under htmx the filter answers with the table alone and the tidy address.
        var fragment = await client.HtmxAsync(HttpMethod.Get, $"/admin/notifications?q={tag}&status=&kind=reminder");
        Assert.Equal(HttpStatusCode.OK, fragment.StatusCode);
        Assert.DoesNotContain("<html", await fragment.Content.ReadAsStringAsync());
        Assert.Equal($"/admin/notifications?kind=reminder&q={tag}", fragment.Headers.GetValues("HX-Push-Url").Single());
    }

    [Theory]
    [InlineData("?status=Bogus")]
    [InlineData("?status=5")]
    [InlineData("?kind=%00")]
    [InlineData("?q=%00%25_%5C")]
    [InlineData("?q=' OR 1=1 --")]
    [InlineData("?page=-1&size=-5")]
    [InlineData("?page=99999999999999999999&size=99999999999999999999")]
    [InlineData("?page=2147483647&size=100")]
    [InlineData("?status=Pending&status=Failed&kind=a&kind=b")]
    [InlineData("?q=<script>alert(1)</script>")]
    public async Task Hostile_addresses_get_a_page_never_an_error(string query)
    {
        var client = await app.SignedInClientAsync(Admin);
        var response = await client.GetAsync("/admin/notifications" + query);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
        Assert.DoesNotContain("<script>alert", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_very_long_search_is_cut_to_its_limit()
    {
        var client = await app.SignedInClientAsync(Admin);
        var page = await client.GetDocumentAsync("/admin/notifications?q=" + new string('x', 5000));
        Assert.NotNull(page.QuerySelector("#notifications-table"));
    }

    [Fact]
    public async Task Send_again_puts_a_failed_message_back_in_the_queue_keeps_its_error_and_is_audited()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var row = await app.AddNotificationAsync(booking.Id, NotificationStatus.Failed, lastError: "550 no such mailbox", attempts: 8,
            createdAt: DateTime.UtcNow.AddHours(-3));
        var client = await app.SignedInClientAsync(Admin);
        var page = await client.GetDocumentAsync($"/admin/notifications?status=Failed&q={row.Recipient}");

        var response = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>($"#notification-{row.Id} form")!);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"/admin/notifications?q={row.Recipient}&status=Failed", response.Headers.Location!.OriginalString);
        await using var db = app.NewDb();
        var after = await db.Notifications.AsNoTracking().SingleAsync(n => n.Id == row.Id);
        Assert.Equal((NotificationStatus.Pending, 0, "550 no such mailbox"), (after.Status, after.Attempts, after.LastError));
        Assert.True(after.NextAttemptAt > DateTime.UtcNow.AddMinutes(-5));
        var audit = await db.AuditEntries.AsNoTracking()
            .SingleAsync(e => e.EntityType == nameof(Notification) && e.EntityId == row.Id.ToString() && e.Action == "updated");
        Assert.Equal(Admin, audit.ActorName);
        Assert.Contains("Failed", audit.Changes);

        var flash = await client.GetDocumentAsync(response.Headers.Location.OriginalString);
        Assert.Contains("queued", flash.Single("#flash").TextContent);

        // Again on the same row, now pending: refused with the reason, nothing changed.
        var again = await client.HtmxAsync(HttpMethod.Post, $"/admin/notifications/{row.Id}/send-again", tokenFromPage: "/admin/notifications");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Contains("Only a failed message can be sent again.", (await again.ReadDocumentAsync()).Single("#notifications-table [role=alert]").TextContent);
        var missing = await client.HtmxAsync(HttpMethod.Post, "/admin/notifications/999999999/send-again", tokenFromPage: "/admin/notifications");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Without_an_antiforgery_token_send_again_changes_nothing()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var row = await app.AddNotificationAsync(booking.Id, NotificationStatus.Failed, attempts: 8);
        var client = await app.SignedInClientAsync(Admin);

        var response = await client.PostAsync($"/admin/notifications/{row.Id}/send-again", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = app.NewDb();
        Assert.Equal(NotificationStatus.Failed, (await db.Notifications.SingleAsync(n => n.Id == row.Id)).Status);
    }

    [Fact]
    public async Task A_sent_message_links_its_eml_file_from_the_development_folder_and_nothing_outside_it()
    {
        var transport = Assert.IsType<PickupMailTransport>(app.Services.GetRequiredService<IMailTransport>());
        Directory.CreateDirectory(transport.Folder);
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var messageId = $"notification-{Guid.NewGuid():N}@studio.test";
        await File.WriteAllTextAsync(Path.Combine(transport.Folder, PickupMailTransport.FileName(messageId)), "Subject: hello\r\n\r\nbody\r\n");
        var sent = await app.AddNotificationAsync(booking.Id, NotificationStatus.Sent, messageId: messageId);
        var outside = Path.Combine(Path.GetDirectoryName(transport.Folder)!, "photostudio-secret.eml");
        await File.WriteAllTextAsync(outside, "secret");
        var sneaky = await app.AddNotificationAsync(booking.Id, NotificationStatus.Sent, messageId: "../photostudio-secret");
        var pending = await app.AddNotificationAsync(booking.Id, NotificationStatus.Pending, messageId: messageId);
        var client = await app.SignedInClientAsync(Admin);

        var page = await client.GetDocumentAsync($"/admin/notifications?q={booking.Code}");
        var link = page.Single($"#notification-{sent.Id} a[href$='/eml']").GetAttribute("href");
        var response = await client.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message/rfc822", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Subject: hello", await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/admin/notifications/{sneaky.Id}/eml")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/admin/notifications/{pending.Id}/eml")).StatusCode);
        Assert.Null(page.QuerySelector($"#notification-{pending.Id} a[href$='/eml']"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/notifications/..%2f..%2fetc%2fpasswd/eml")).StatusCode);
        File.Delete(outside);
    }

    [Fact]
    public async Task A_backlog_older_than_ten_minutes_shows_the_banner_with_its_age()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        await using (var db = app.NewDb())
            await db.Notifications.Where(n => n.Status == NotificationStatus.Pending).ExecuteUpdateAsync(s => s.SetProperty(n => n.Status, NotificationStatus.Withdrawn));
        var client = await app.SignedInClientAsync(Admin);
        Assert.Null((await client.GetDocumentAsync("/admin/notifications")).QuerySelector("#outbox-health [role=alert]"));

        await app.AddNotificationAsync(booking.Id, NotificationStatus.Pending, createdAt: app.Clock.GetUtcNow().UtcDateTime.AddMinutes(-12.5));
        await app.AddNotificationAsync(booking.Id, NotificationStatus.Pending, createdAt: app.Clock.GetUtcNow().UtcDateTime.AddMinutes(-1));

        var page = await client.GetDocumentAsync("/admin/notifications");
        var banner = page.Single("#outbox-health [role=alert]");
        Assert.Contains("2 messages waiting, oldest 12 min.", banner.TextContent);
        Assert.Contains("Mail goes to the folder", page.Single("#outbox-health").TextContent);
    }

    [Fact]
    public async Task The_booking_panel_lists_its_messages_with_status_and_error()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var failed = await app.AddNotificationAsync(booking.Id, NotificationStatus.Failed, kind: "received", lastError: "550 rejected here", attempts: 8);
        var sent = await app.AddNotificationAsync(booking.Id, NotificationStatus.Sent, kind: "reminder-120");
        var client = await app.SignedInClientAsync("reception@demo.studio");

        var panel = await client.GetDocumentAsync($"/board/bookings/{booking.Id}");

        var items = panel.QuerySelectorAll(".booking-notifications li");
        Assert.Equal(2, items.Length);
        var failedItem = items.Single(i => i.TextContent.Contains(failed.Recipient));
        Assert.Contains("Request received", failedItem.TextContent);
        Assert.Contains("Failed", failedItem.TextContent);
        Assert.Contains("550 rejected here", failedItem.TextContent);
        var sentItem = items.Single(i => i.TextContent.Contains(sent.Recipient));
        Assert.Contains("Reminder 2h before", sentItem.TextContent);
        Assert.Contains("Sent", sentItem.TextContent);
    }
}
