using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Search;

/// <summary>The header's search over the demo studio: only reads, so it shares the studio with other classes.</summary>
[Collection(SharedStudio.Name)]
public class SearchTests(StudioApp app)
{
    private static string[] Links(IHtmlDocument page, string prefix) =>
        [.. page.QuerySelectorAll($".search-results a[href^='{prefix}']").Select(a => a.GetAttribute("href")!)];

    private static string Search(string q) => "/search?q=" + Uri.EscapeDataString(q);

    [Fact]
    public async Task The_desk_finds_a_client_by_a_fragment_of_the_phone_typed_any_way_or_a_part_of_the_email()
    {
        await using var db = app.NewDb();
        var client = await db.Clients.Where(c => c.ErasedAt == null && c.Phone != "").OrderBy(c => c.Id).FirstAsync();
        var digits = new string([.. client.Phone.Where(char.IsAsciiDigit)]);
        var desk = await app.SignedInClientAsync("reception@demo.studio");

        Assert.Contains($"/clients/{client.Id}", Links(await desk.GetDocumentAsync(Search(digits[^6..])), "/clients/"));
        Assert.Contains($"/clients/{client.Id}", Links(await desk.GetDocumentAsync(Search(client.Phone[^9..])), "/clients/"));
        var local = client.Email.Split('@')[0];
        Assert.Contains($"/clients/{client.Id}", Links(await desk.GetDocumentAsync(Search(local.ToUpperInvariant()[1..])), "/clients/"));
    }

    [Fact]
    public async Task A_booking_code_is_found_in_any_case_with_or_without_its_prefix()
    {
        await using var db = app.NewDb();
        var booking = await db.Bookings.OrderBy(b => b.Id).FirstAsync();
        var desk = await app.SignedInClientAsync("reception@demo.studio");
        foreach (var q in new[] { booking.Code, booking.Code.ToLowerInvariant(), booking.Code[3..], booking.Code[3..].ToLowerInvariant(), booking.Code[..6].ToLowerInvariant() })
            Assert.Contains($"/board/bookings/{booking.Id}", Links(await desk.GetDocumentAsync(Search(q)), "/board/bookings/"));
    }

    [Fact]
    public async Task A_photographer_finds_only_the_codes_of_their_own_sessions_and_no_clients()
    {
        await using var db = app.NewDb();
        var own = await db.Bookings.Where(b => b.Photographer!.User!.Email == "anna@demo.studio").OrderBy(b => b.Id).FirstAsync();
        var others = await db.Bookings.Where(b => b.Photographer == null || b.Photographer.User!.Email != "anna@demo.studio").OrderBy(b => b.Id).FirstAsync();
        var client = await db.Clients.Where(c => c.ErasedAt == null).OrderBy(c => c.Id).FirstAsync();
        var anna = await app.SignedInClientAsync("anna@demo.studio");

        Assert.Contains($"/board/bookings/{own.Id}", Links(await anna.GetDocumentAsync(Search(own.Code)), "/board/bookings/"));
        Assert.Empty(Links(await anna.GetDocumentAsync(Search(others.Code)), "/board/bookings/"));
        var byName = await anna.GetDocumentAsync(Search(client.Name));
        Assert.Empty(Links(byName, "/clients/"));
        Assert.DoesNotContain(client.Email, byName.Body!.TextContent);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("   ")]
    [InlineData("")]
    public async Task Too_short_a_query_gets_a_hint_and_no_results(string q)
    {
        var desk = await app.SignedInClientAsync("reception@demo.studio");
        var page = await desk.GetDocumentAsync(Search(q));
        Assert.Contains("at least 2 characters", page.Single(".search-results").TextContent);
        Assert.Empty(Links(page, "/"));
    }

    [Fact]
    public async Task Too_long_or_hostile_queries_get_an_answer_never_an_error()
    {
        var desk = await app.SignedInClientAsync("reception@demo.studio");
        var page = await desk.GetDocumentAsync(Search(new string('x', 101)));
        Assert.Contains("at most 100 characters", page.Single(".search-results").TextContent);
        foreach (var q in new[] { "%_\\", "ps-%", "\0\0abc", "' OR 1=1 --", "PS-", new string('é', 100) })
            await desk.GetDocumentAsync(Search(q));
    }

    [Fact]
    public async Task The_box_in_the_header_is_a_real_form_and_its_htmx_request_gets_the_results_alone()
    {
        var desk = await app.SignedInClientAsync("reception@demo.studio");
        var board = await desk.GetDocumentAsync("/board");
        var form = board.Single("form[data-nav-search]");
        Assert.Equal(("get", "/search"), (form.GetAttribute("method"), form.GetAttribute("action")));
        var input = form.Single("input[name=q]");
        Assert.NotNull(board.QuerySelector($"label[for='{input.Id}']"));
        Assert.Equal("/search", input.GetAttribute("hx-get"));

        var response = await desk.HtmxAsync(HttpMethod.Get, Search("example.com"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        Assert.Contains("/clients/", html);
        Assert.Null((await app.NewClient().GetDocumentAsync("/")).QuerySelector("form[data-nav-search]"));
    }

    [Fact]
    public async Task The_number_of_queries_does_not_depend_on_the_number_of_hits()
    {
        await using var db = app.NewDb();
        var email = await db.Clients.Where(c => c.ErasedAt == null).OrderBy(c => c.Id).Select(c => c.Email).FirstAsync();
        var code = await db.Bookings.OrderBy(b => b.Id).Select(b => b.Code).FirstAsync();
        var desk = await app.SignedInClientAsync("reception@demo.studio");
        async Task<int> QueriesAsync(string q, string hits, int atLeast)
        {
            // The search's own queries (both read clients: the booking hits show the client's name).
            using var counter = new CommandCounter(new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!, "clients");
            var page = await desk.GetDocumentAsync(Search(q));
            Assert.True(Links(page, hits).Length >= atLeast, q);
            return counter.Count;
        }
        Assert.Equal(await QueriesAsync(email, "/clients/", 1), await QueriesAsync("example.com", "/clients/", 10));
        Assert.Equal(await QueriesAsync(code, "/board/bookings/", 1), await QueriesAsync(code[..4], "/board/bookings/", 2));
    }
}
