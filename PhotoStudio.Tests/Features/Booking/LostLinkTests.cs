using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Booking;

/// <summary>/my: a client who lost the manage link gets a fresh one by email, and nobody learns anything else from the form.</summary>
public partial class LostLinkTests(NotificationApp app) : IClassFixture<NotificationApp>
{
    [GeneratedRegex(@"https://studio\.test/my/([A-Za-z0-9_-]{43})")]
    private static partial Regex ManageLink();

    /// <summary>A booking whose current manage link is known to the test.</summary>
    private async Task<(PhotoStudio.Data.Booking Booking, string Token)> BookingWithLinkAsync()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, client: "Olga Petrova");
        var token = ManageToken.New();
        TestSecrets.Remember(token);
        await using var db = app.NewDb();
        await db.Bookings.Where(b => b.Id == booking.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.ManageTokenHash, ManageToken.Hash(token)));
        return (booking, token);
    }

    private Task<HttpResponseMessage> AskAsync(string email, string code) =>
        app.NewClient().SubmitAsync("/my", "#lost-link-form", new Dictionary<string, string> { ["Email"] = email, ["BookingCode"] = code });

    private async Task<int> ManageLinkRowsAsync(int bookingId)
    {
        await using var db = app.NewDb();
        return await db.Notifications.CountAsync(n => n.BookingId == bookingId && n.Kind == NotificationKind.ManageLink);
    }

    [Fact]
    public async Task Matching_details_mail_a_fresh_link_that_opens_the_booking_while_the_old_link_stops_working()
    {
        var (booking, old) = await BookingWithLinkAsync();
        var visitor = app.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await visitor.GetAsync($"/my/{old}")).StatusCode);

        // As a client types them: the address in other case with spaces around, the code in lower case.
        var response = await AskAsync($"  {booking.Client!.Email.ToUpperInvariant()} ", booking.Code.ToLowerInvariant());

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/my?sent=true", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await visitor.GetAsync($"/my/{old}")).StatusCode);

        await using var db = app.NewDb();
        var row = await db.Notifications.SingleAsync(n => n.BookingId == booking.Id && n.Kind == NotificationKind.ManageLink);
        Assert.Equal(booking.Client.Email, row.Recipient);
        var message = Assert.Single(await app.Smtp.WaitForAsync(1, TimeSpan.FromSeconds(30),
            m => m.MessageId == MessageIds.For(row.Id, "studio.test")));
        Assert.Equal(booking.Client.Email, Assert.Single(message.To.Mailboxes).Address);
        var token = ManageLink().Match(message.TextBody ?? message.HtmlBody ?? "").Groups[1].Value;
        TestSecrets.Remember(token);
        Assert.NotEqual(old, token);
        var page = await visitor.GetDocumentAsync($"/my/{token}");
        Assert.Contains(booking.Code, page.Single("h1").TextContent);

        var sent = await visitor.GetDocumentAsync("/my?sent=true");
        Assert.Contains("If the details match a booking", sent.Single("#lost-link-sent").TextContent);
    }

    [Fact]
    public async Task A_second_request_is_a_message_of_its_own_and_only_its_link_works()
    {
        var (booking, _) = await BookingWithLinkAsync();
        await AskAsync(booking.Client!.Email, booking.Code);
        await AskAsync(booking.Client.Email, booking.Code);

        await using var db = app.NewDb();
        var rows = await db.Notifications.Where(n => n.BookingId == booking.Id && n.Kind == NotificationKind.ManageLink)
            .OrderBy(n => n.Revision).Select(n => n.Revision).ToListAsync();
        Assert.Equal([1, 2], rows);
    }

    [Fact]
    public async Task A_wrong_email_or_code_gets_the_same_answer_as_a_match_and_nothing_is_queued_or_changed()
    {
        var (booking, old) = await BookingWithLinkAsync();
        var (other, _) = await BookingWithLinkAsync();

        var wrongEmail = await AskAsync("someone.else@example.org", booking.Code);
        var wrongCode = await AskAsync(booking.Client!.Email, "PS-ZZZZZ");
        var othersCode = await AskAsync(booking.Client.Email, other.Code);

        Assert.Equal(0, await ManageLinkRowsAsync(booking.Id));
        Assert.Equal(0, await ManageLinkRowsAsync(other.Id));
        Assert.Equal(HttpStatusCode.OK, (await app.NewClient().GetAsync($"/my/{old}")).StatusCode);

        var match = await AskAsync(booking.Client.Email, booking.Code);
        Assert.Equal(1, await ManageLinkRowsAsync(booking.Id));
        var expected = await AnswerAsync(match);
        Assert.Equal(expected, await AnswerAsync(wrongEmail));
        Assert.Equal(expected, await AnswerAsync(wrongCode));
        Assert.Equal(expected, await AnswerAsync(othersCode));
    }

    private static async Task<string> AnswerAsync(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {response.Headers.Location} {response.Content.Headers.ContentType} [{await response.Content.ReadAsStringAsync()}]";

    [Fact]
    public async Task An_erased_client_gets_nothing()
    {
        var (booking, old) = await BookingWithLinkAsync();
        await using (var db = app.NewDb())
            await db.Clients.Where(c => c.Id == booking.ClientId).ExecuteUpdateAsync(s => s.SetProperty(c => c.ErasedAt, DateTime.UtcNow));

        Assert.Equal(HttpStatusCode.SeeOther, (await AskAsync(booking.Client!.Email, booking.Code)).StatusCode);

        Assert.Equal(0, await ManageLinkRowsAsync(booking.Id));
        Assert.Equal(HttpStatusCode.OK, (await app.NewClient().GetAsync($"/my/{old}")).StatusCode);
    }

    [Fact]
    public async Task The_fourth_request_for_one_email_and_code_within_15_minutes_gets_429()
    {
        var email = $"flood.{Guid.NewGuid():N}@example.org";
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.SeeOther, (await AskAsync(email, "PS-YYYYY")).StatusCode);

        // The same details typed differently are still the same details.
        var refused = await AskAsync(email.ToUpperInvariant(), "ps-yyyyy");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.SeeOther, (await AskAsync(email, "PS-XXXXX")).StatusCode);
    }

    [Theory]
    [InlineData("", "PS-7K3QX", "Email")]
    [InlineData("not-an-email", "PS-7K3QX", "Email")]
    [InlineData("x", "PS-7K3QX", "Email")]
    [InlineData("long", "PS-7K3QX", "Email")]
    [InlineData("a@example.org", "", "BookingCode")]
    [InlineData("a@example.org", "PS-7K3QX-PS-7K3QX-PS-7K3QX", "BookingCode")]
    [InlineData("a@example.org", "PS-7K3QX'; --", "BookingCode")]
    public async Task Bad_input_is_422_with_a_message_next_to_the_field_and_queues_nothing(string email, string code, string field)
    {
        if (email == "long") email = new string('a', 300) + "@example.org";
        await using var db = app.NewDb();
        var before = await db.Notifications.CountAsync(n => n.Kind == NotificationKind.ManageLink);

        var response = await AskAsync(email, code);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.NotEmpty(page.Single($"#{field}-error").TextContent.Trim());
        Assert.NotNull(page.QuerySelector("#lost-link-form"));
        Assert.Null(page.QuerySelector("#lost-link-sent"));
        Assert.Equal(before, await db.Notifications.CountAsync(n => n.Kind == NotificationKind.ManageLink));
    }

    [Fact]
    public async Task A_nul_character_is_refused_as_a_bad_request_not_an_error()
    {
        var response = await AskAsync("a\u0000b@example.org", "PS-\u00007K3QX");
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.UnprocessableEntity });
    }

    [Fact]
    public async Task The_form_is_a_plain_page_and_manage_links_keep_their_own_routes()
    {
        var page = await app.NewClient().GetDocumentAsync("/my");
        var form = page.Single("#lost-link-form");
        Assert.Equal("/my", form.GetAttribute("action"));
        Assert.NotNull(form.QuerySelector("input[name=__RequestVerificationToken]"));
        Assert.Null(page.QuerySelector("#lost-link-sent"));
        Assert.Equal(HttpStatusCode.NotFound, (await app.NewClient().GetAsync("/my/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).StatusCode);
    }
}
