using System.Net;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features;

/// <summary>
/// The studio's clock and the visibility rule come from one place; the settings row behind the clock is kept by the
/// instance, read at most once by a request and not at all while nothing changed.
/// </summary>
public class StudioDayTests(StudioApp app) : IClassFixture<StudioApp>
{
    /// <summary>
    /// Asks for the page until a request reads no settings (the instance's copy is kept; the listener's start may drop
    /// it once), checking that none reads them more than once.
    /// </summary>
    private async Task SettingsKeptAsync(HttpClient client, string url)
    {
        var database = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        await Wait.UntilAsync(async () =>
        {
            using var settingsReads = new CommandCounter(database, containing: "studio_settings");
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.InRange(settingsReads.Count, 0, 1);
            return settingsReads.Count;
        }, reads => reads == 0, $"{url} to read no settings");
    }

    [Theory]
    [InlineData("reception@demo.studio", "/board")]
    [InlineData("reception@demo.studio", "/board?range=upcoming&closed=true")]
    [InlineData("anna@demo.studio", "/calendar?view=week&by=photographer")]
    [InlineData("reception@demo.studio", "/calendar?view=day&by=room")]
    [InlineData("admin@demo.studio", "/admin")]
    [InlineData("admin@demo.studio", "/admin/today")]
    public async Task A_staff_page_reads_the_studio_settings_at_most_once_and_then_from_the_instance(string email, string url)
    {
        var client = await app.SignedInClientAsync(email);
        await SettingsKeptAsync(client, url);
    }

    [Fact]
    public async Task A_board_move_answer_reads_no_studio_settings_for_its_card_and_every_column_it_renders()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        await SettingsKeptAsync(reception, "/board");

        using var settingsReads = new CommandCounter(database, containing: "studio_settings");
        // Refused, so the answer renders the card and both the Pending and the Delivered column.
        var response = await reception.HtmxAsync(HttpMethod.Post, $"/board/bookings/{booking.Id}/move",
            new Dictionary<string, string> { ["to"] = "Delivered", ["from"] = "Pending", ["version"] = booking.Version.ToString() },
            tokenFromPage: "/board");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        // The page the form token comes from, then the answer: once each before, now from the instance's copy.
        Assert.Equal(0, settingsReads.Count);
    }

    [Fact]
    public async Task A_photographer_sees_only_her_own_bookings_on_the_board_in_the_panel_and_on_the_calendar()
    {
        await using var db = app.NewDb();
        var annas = await db.Bookings.Where(b => b.Photographer!.User!.Email == "anna@demo.studio").Select(b => b.Id).ToListAsync();
        var someoneElses = await db.Bookings.Where(b => b.Photographer == null || b.Photographer.User!.Email != "anna@demo.studio")
            .OrderBy(b => b.StartsAt).Select(b => new { b.Id, b.StartsAt }).FirstAsync(b => b.StartsAt > DateTime.UtcNow);
        var anna = await app.SignedInClientAsync("anna@demo.studio");

        var board = await anna.GetDocumentAsync("/board?range=upcoming");
        var cards = board.QuerySelectorAll("li.board-card").Select(c => int.Parse(c.GetAttribute("data-id")!)).ToList();
        Assert.NotEmpty(cards);
        Assert.All(cards, id => Assert.Contains(id, annas));
        Assert.Equal(HttpStatusCode.NotFound, (await anna.GetAsync($"/board/bookings/{someoneElses.Id}")).StatusCode);

        var week = TimeZoneInfo.ConvertTimeFromUtc(someoneElses.StartsAt, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).ToString("yyyy-MM-dd");
        var calendar = await anna.GetDocumentAsync($"/calendar?view=week&by=room&date={week}");
        var shown = calendar.QuerySelectorAll("a.cal-link").Select(a => int.Parse(a.GetAttribute("href")!.Split('/').Last())).ToList();
        Assert.DoesNotContain(someoneElses.Id, shown);
        Assert.All(shown, id => Assert.Contains(id, annas));

        // Reception (bookings.view_all) sees the same booking on both.
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        Assert.Equal(HttpStatusCode.OK, (await reception.GetAsync($"/board/bookings/{someoneElses.Id}")).StatusCode);
        var all = await reception.GetDocumentAsync($"/calendar?view=week&by=room&date={week}");
        Assert.Contains(all.QuerySelectorAll("a.cal-link"), a => a.GetAttribute("href")!.EndsWith($"/{someoneElses.Id}"));
    }
}
