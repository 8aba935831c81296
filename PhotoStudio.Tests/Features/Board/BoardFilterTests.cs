using System.Net;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Board;

public class BoardFilterTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static List<string> Clients(AngleSharp.Dom.IDocument page, string column = "") =>
        page.QuerySelectorAll($"{column} .board-card .card-title-link").Select(a => a.TextContent.Trim()).ToList();

    [Fact]
    public async Task Room_photographer_search_and_the_closed_filter_narrow_the_board()
    {
        var day = TestBookings.NextMonday();
        var alpha = await app.AddBookingAsync(BookingStatus.Pending, "anna@demo.studio", day, "Alpha Filtertest", "Daylight Loft");
        var beta = await app.AddBookingAsync(BookingStatus.Confirmed, "maria@demo.studio", day, "Beta Filtertest", "Black Box");
        await app.AddBookingAsync(BookingStatus.Cancelled, "anna@demo.studio", day.AddHours(3), "Gamma Filtertest", "Daylight Loft");
        await using var db = app.NewDb();
        var blackBox = await db.Rooms.Where(r => r.Name == "Black Box").Select(r => r.Id).SingleAsync();
        var maria = await db.Employees.Where(e => e.User!.Email == "maria@demo.studio").Select(e => e.Id).SingleAsync();
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var url = TestBookings.BoardUrl(day);

        var all = await reception.GetDocumentAsync(url);
        Assert.Equal(["Alpha Filtertest"], Clients(all, "#col-Pending"));
        Assert.Equal(["Beta Filtertest"], Clients(all, "#col-Confirmed"));
        Assert.Equal(5, all.QuerySelectorAll(".board-column").Length);
        Assert.DoesNotContain("Gamma Filtertest", Clients(all));

        Assert.Equal(["Beta Filtertest"], Clients(await reception.GetDocumentAsync(url + $"&room={blackBox}")));
        Assert.Equal(["Beta Filtertest"], Clients(await reception.GetDocumentAsync(url + $"&photographer={maria}")));
        Assert.Equal(["Alpha Filtertest"], Clients(await reception.GetDocumentAsync(url + "&q=alpha")));
        Assert.Equal(["Beta Filtertest"], Clients(await reception.GetDocumentAsync(url + $"&q={beta.Code.ToLowerInvariant()}")));
        Assert.Empty(Clients(await reception.GetDocumentAsync(url + "&q=%25_%5C")));

        var closed = await reception.GetDocumentAsync(url + "&closed=true");
        Assert.Equal(["col-Cancelled", "col-NoShow"], closed.QuerySelectorAll(".board-column").Select(c => c.Id));
        Assert.Equal(["Gamma Filtertest"], Clients(closed, "#col-Cancelled"));

        // The filter form shows what is applied, so the page and its address agree.
        var form = await reception.GetDocumentAsync(url + $"&room={blackBox}&q=beta");
        Assert.Equal("dates", form.Single("#board-range option[selected]").GetAttribute("value"));
        Assert.Equal(blackBox.ToString(), form.Single("#board-room option[selected]").GetAttribute("value"));
        Assert.Equal("beta", form.Single("#board-q").GetAttribute("value"));
        Assert.Equal(alpha.StartsAt.ToString("yyyy-MM-dd"), form.Single("#board-from").GetAttribute("value"));
    }

    [Fact]
    public async Task An_htmx_request_gets_the_board_or_one_column_as_a_fragment_that_keeps_the_filter()
    {
        var day = TestBookings.NextMonday();
        var booking = await app.AddBookingAsync(BookingStatus.Pending, startsAt: day, client: "Fragment Client");
        var reception = await app.SignedInClientAsync("reception@demo.studio");

        var board = await reception.HtmxAsync(HttpMethod.Get, TestBookings.BoardUrl(day));
        Assert.Contains("HX-Request", board.Headers.Vary);
        var html = await board.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        var fragment = await board.ReadDocumentAsync();
        Assert.NotNull(fragment.QuerySelector("#board #col-Pending"));
        Assert.Null(fragment.QuerySelector("#board-filters"));

        var column = await reception.HtmxAsync(HttpMethod.Get, $"/board/column/Pending?range=dates&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}");
        var section = (await column.ReadDocumentAsync()).Single("section#col-Pending");
        Assert.Equal(["Fragment Client"], Clients(section.Owner!));
        // The column refreshes itself with the same filter.
        Assert.Contains($"from={day:yyyy-MM-dd}", section.GetAttribute("hx-get"));
        Assert.Contains($"/board/bookings/{booking.Id}/move?range=dates", section.Single(".board-card").GetAttribute("data-move-url"));
    }

    [Fact]
    public async Task A_long_column_shows_a_page_of_cards_and_more_on_request()
    {
        var first = TestBookings.NextMonday();
        for (var i = 0; i < 24; i++) await app.AddBookingAsync(BookingStatus.Editing, startsAt: first.AddHours(2 * (i % 4)).AddDays(i / 4));
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var range = $"range=dates&from={first:yyyy-MM-dd}&to={first.AddDays(5):yyyy-MM-dd}";

        var board = await reception.GetDocumentAsync($"/board?{range}");
        Assert.Equal(20, board.QuerySelectorAll("#col-Editing .board-card").Length);
        Assert.Contains("24", board.Single("#col-Editing .board-column-title .badge").TextContent);
        var more = board.Single("#col-Editing a[hx-get*='take=40']");
        Assert.Contains("4 more", more.TextContent);

        // Without JavaScript the link is a page of its own with the whole column.
        var page = await reception.GetDocumentAsync(more.GetAttribute("href")!);
        Assert.Equal(24, page.QuerySelectorAll("#col-Editing .board-card").Length);
        Assert.Null(page.QuerySelector("#col-Editing a[hx-get*='take=']"));
    }

    [Theory]
    [InlineData("/board?range=yesterday&from=garbage&to=2031-13-45&room=abc&photographer=-1&closed=perhaps")]
    [InlineData("/board/column/Nonsense")]
    [InlineData("/board?q=%00abc")]
    [InlineData("/calendar?date=%00&view=%00")]
    [InlineData("/board?range=dates&from=2031-02-10&to=2031-02-01")]
    public async Task Nonsense_in_the_address_falls_back_to_defaults_instead_of_failing(string url)
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var response = await reception.GetAsync(url);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.NotFound,
            $"{url} answered {(int)response.StatusCode}");
        if (url.StartsWith("/board?")) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_photographer_sees_only_their_own_cards_and_no_photographer_filter()
    {
        var day = TestBookings.NextMonday();
        await app.AddBookingAsync(BookingStatus.Pending, "anna@demo.studio", day, "Own Client");
        await app.AddBookingAsync(BookingStatus.Pending, "maria@demo.studio", day, "Other Client", "Black Box");
        var anna = app.NewClient();
        await anna.SignInAsync("anna@demo.studio");

        var board = await anna.GetDocumentAsync(TestBookings.BoardUrl(day));

        Assert.Equal(["Own Client"], Clients(board));
        Assert.Null(board.QuerySelector("#board-photographer"));
    }

    [Fact]
    public async Task The_board_takes_the_same_few_queries_whatever_the_number_of_cards()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        async Task<int> QueriesAsync(string url)
        {
            await reception.GetDocumentAsync(url); // warm: the security stamp check settles first
            using var counter = new CommandCounter(database);
            var page = await reception.GetDocumentAsync(url);
            Assert.Equal(5, page.QuerySelectorAll(".board-column").Length);
            return counter.Count;
        }

        var busy = await QueriesAsync("/board?range=upcoming");
        var empty = await QueriesAsync("/board?range=dates&from=2040-01-02&to=2040-01-02");
        Assert.Equal(empty, busy);
        Assert.InRange(busy, 1, 10);
    }
}
