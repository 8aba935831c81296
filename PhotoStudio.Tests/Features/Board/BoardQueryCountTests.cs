using PhotoStudio.Data;
using PhotoStudio.Features.Board;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Features.Board;

/// <summary>A full week's board (every column past its first page) is one query for the counts and one for all the cards.</summary>
public class BoardQueryCountTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_week_of_full_columns_renders_each_column_capped_from_a_fixed_few_queries()
    {
        var monday = TestBookings.NextMonday();
        var statuses = StatusFlow.Active;
        // 125 sessions an hour apart from Monday 10:00 (to Saturday): 25 in each column, more than a page. Three rooms and
        // photographers in turn, so each has three hours between sessions, more than any buffer.
        (string Photographer, string Room)[] places = [("anna@demo.studio", "Daylight Loft"), ("ivan@demo.studio", "Black Box"), ("maria@demo.studio", "Studio C")];
        for (var i = 0; i < 125; i++)
            await app.AddBookingAsync(statuses[i % statuses.Count], places[i % 3].Photographer, monday.AddHours(i), $"Week Client {i:D3}", places[i % 3].Room);
        var manager = await app.SignedInClientAsync("manager@demo.studio");
        var url = $"/board?range=dates&from={monday:yyyy-MM-dd}&to={monday.AddDays(6):yyyy-MM-dd}";
        await manager.GetDocumentAsync(url); // warm: the security stamp check settles first

        using var counter = new CommandCounter(new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!);
        var page = await manager.GetDocumentAsync(url);

        foreach (var text in counter.Texts) output.WriteLine(text.ReplaceLineEndings(" ") + "\n");
        foreach (var status in statuses)
        {
            var cards = page.QuerySelectorAll($"#col-{status} .board-card .card-title-link").Select(a => a.TextContent.Trim()).ToList();
            Assert.Equal(BoardService.PageSize, cards.Count);
            // Each column's first page is its earliest sessions, in time order.
            var expected = Enumerable.Range(0, 125).Where(i => statuses[i % statuses.Count] == status).Take(BoardService.PageSize)
                .Select(i => $"Week Client {i:D3}");
            Assert.Equal(expected, cards);
            Assert.NotNull(page.QuerySelector($"#col-{status} a[hx-target='#col-{status}']"));
        }
        Assert.InRange(counter.Count, 1, 5);
    }
}
