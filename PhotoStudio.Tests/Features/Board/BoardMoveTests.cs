using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using BookingRow = PhotoStudio.Data.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Board;

public class BoardMoveTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static Task<HttpResponseMessage> MoveAsync(HttpClient client, BookingRow booking, BookingStatus to, uint? version = null,
        string? reason = null) =>
        client.HtmxAsync(HttpMethod.Post, $"/board/bookings/{booking.Id}/move?range=dates&from={booking.StartsAt:yyyy-MM-dd}&to={booking.StartsAt:yyyy-MM-dd}",
            new Dictionary<string, string>
            {
                ["to"] = to.ToString(), ["from"] = booking.Status.ToString(), ["version"] = (version ?? booking.Version).ToString(),
                ["reason"] = reason ?? "",
            }, tokenFromPage: "/board");

    [Fact]
    public async Task A_move_changes_the_status_records_history_audit_and_a_board_event_and_answers_with_both_columns()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        var reception = await app.SignedInClientAsync("reception@demo.studio");

        var response = await MoveAsync(reception, booking, BookingStatus.Confirmed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadDocumentAsync();
        Assert.Equal("true", answer.Single("#col-Confirmed").GetAttribute("hx-swap-oob"));
        Assert.NotNull(answer.QuerySelector($"#col-Confirmed #card-{booking.Id}"));
        Assert.Null(answer.QuerySelector($"#col-Pending #card-{booking.Id}"));
        Assert.Contains($"{booking.Code} moved to Confirmed", answer.Single("#flash").TextContent);

        var moved = await app.ReloadAsync(booking.Id);
        Assert.Equal(BookingStatus.Confirmed, moved.Status);
        Assert.NotEqual(booking.Version, moved.Version);
        await using var db = app.NewDb();
        var receptionId = await db.Users.Where(u => u.Email == "reception@demo.studio").Select(u => u.Id).SingleAsync();
        Assert.Contains(moved.History, h => h.From == BookingStatus.Pending && h.To == BookingStatus.Confirmed && h.By == receptionId);
        var audit = await db.AuditEntries.Where(a => a.EntityType == "Booking" && a.EntityId == booking.Id.ToString()).ToListAsync();
        Assert.Contains(audit, a => a.Actor == receptionId && a.Changes!.Contains("\"Status\"") && a.Changes.Contains("Confirmed"));
        Assert.True(await db.BoardEvents.AnyAsync(e => e.BookingId == booking.Id && e.Kind == "moved"));
    }

    [Fact]
    public async Task A_move_the_workflow_does_not_allow_is_refused_and_the_card_stays_where_it_is()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        var reception = await app.SignedInClientAsync("reception@demo.studio");

        var response = await MoveAsync(reception, booking, BookingStatus.Delivered);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var answer = await response.ReadDocumentAsync();
        Assert.NotNull(answer.QuerySelector($"#col-Pending #card-{booking.Id}"));
        Assert.Null(answer.QuerySelector($"#col-Delivered #card-{booking.Id}"));
        Assert.Contains("cannot go from Pending to Delivered", answer.Single("#flash").TextContent);
        Assert.Equal(BookingStatus.Pending, (await app.ReloadAsync(booking.Id)).Status);
    }

    [Fact]
    public async Task A_move_with_a_stale_row_version_answers_409_with_the_current_card_and_changes_nothing()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        // The admin confirms first; reception still holds the card as it was.
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(admin, booking, BookingStatus.Confirmed)).StatusCode);

        var response = await MoveAsync(reception, booking, BookingStatus.Cancelled, reason: "client called");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var answer = await response.ReadDocumentAsync();
        var current = answer.Single($"#col-Confirmed #card-{booking.Id}");
        Assert.Equal((await app.ReloadAsync(booking.Id)).Version.ToString(), current.GetAttribute("data-version"));
        Assert.Contains("Someone else changed this booking", answer.Single("#flash").TextContent);
        Assert.Equal(BookingStatus.Confirmed, (await app.ReloadAsync(booking.Id)).Status);
    }

    public static TheoryData<string, bool, HttpStatusCode> MovePermissions => new()
    {
        { "admin@demo.studio", false, HttpStatusCode.OK },
        { "manager@demo.studio", false, HttpStatusCode.OK },
        { "reception@demo.studio", false, HttpStatusCode.OK },
        { "anna@demo.studio", true, HttpStatusCode.OK },
        { "ivan@demo.studio", false, HttpStatusCode.Forbidden },
        { "maria@demo.studio", false, HttpStatusCode.Forbidden },
    };

    [Theory, MemberData(nameof(MovePermissions))]
    public async Task Staff_move_any_booking_and_photographers_only_their_own(string email, bool own, HttpStatusCode expected)
    {
        // Every booking here is Anna's: for her it is her own, for the other photographers it is someone else's.
        Assert.Equal(own, email == "anna@demo.studio");
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var client = await app.SignedInClientAsync(email);

        var response = await MoveAsync(client, booking, BookingStatus.Shooting);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? BookingStatus.Shooting : BookingStatus.Confirmed, (await app.ReloadAsync(booking.Id)).Status);
        if (expected == HttpStatusCode.Forbidden)
            Assert.Contains("only move your own bookings", (await response.ReadDocumentAsync()).Single("#flash").TextContent);
    }

    [Fact]
    public async Task A_photographer_may_mark_their_own_no_show_with_a_reason_but_not_cancel()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var anna = await app.SignedInClientAsync("anna@demo.studio");

        Assert.Equal(HttpStatusCode.Forbidden, (await MoveAsync(anna, booking, BookingStatus.Cancelled, reason: "ill")).StatusCode);
        var noReason = await MoveAsync(anna, booking, BookingStatus.NoShow);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
        Assert.Contains("Please give a reason", (await noReason.ReadDocumentAsync()).Single("#flash").TextContent);
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(anna, booking, BookingStatus.NoShow, reason: "Nobody came")).StatusCode);

        var after = await app.ReloadAsync(booking.Id);
        Assert.Equal(BookingStatus.NoShow, after.Status);
        Assert.Contains(after.History, h => h.To == BookingStatus.NoShow && h.Reason == "Nobody came");
    }

    [Fact]
    public async Task Without_javascript_the_move_menu_posts_and_returns_to_the_same_filtered_board()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var url = TestBookings.BoardUrl(booking.StartsAt);
        var board = await reception.GetDocumentAsync(url);
        var menu = (IHtmlFormElement)board.Single($"#card-{booking.Id} .move-menu form");
        Assert.Equal(["Confirmed"], menu.QuerySelectorAll("button[name=to]").Select(b => b.GetAttribute("value")));

        var response = await reception.SubmitAsync(menu, new Dictionary<string, string> { ["to"] = "Confirmed" });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(url, response.Headers.Location!.OriginalString);
        var after = await reception.GetDocumentAsync(url);
        Assert.NotNull(after.QuerySelector($"#col-Confirmed #card-{booking.Id}"));
        Assert.Contains($"{booking.Code} moved to Confirmed", after.Single("#flash").TextContent);
    }

    [Fact]
    public async Task Simultaneous_moves_of_one_card_leave_one_winner_and_the_others_a_conflict()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var clients = new[] { await app.SignedInClientAsync("reception@demo.studio"), await app.SignedInClientAsync("admin@demo.studio"), await app.SignedInClientAsync("anna@demo.studio") };

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            MoveAsync(clients[i % 3], booking, i % 2 == 0 ? BookingStatus.Shooting : BookingStatus.Pending)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(2, (await app.ReloadAsync(booking.Id)).History.Count);
    }
}
