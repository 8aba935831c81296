using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Clients;

public class DuplicatesTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string Desk = "reception@demo.studio";

    /// <summary>A client made the way the web form makes them (tests' own names, so no demo client pairs with them by accident).</summary>
    private async Task<int> AddClientAsync(string name, string email, string phone = "", DateTime? erasedAt = null)
    {
        await using var db = app.NewDb();
        var client = new Client { Name = name, Email = email, Phone = phone, CreatedAt = DateTime.UtcNow, ErasedAt = erasedAt };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client.Id;
    }

    /// <summary>The pairs listed on the page: (older id, newer id) → the reasons shown.</summary>
    private static Dictionary<(int, int), string[]> Pairs(IHtmlDocument page) =>
        page.QuerySelectorAll(".duplicate-pair").ToDictionary(
            li => Ids(li.QuerySelector("a.btn[href^='/clients/merge']")!.GetAttribute("href")!),
            li => li.QuerySelectorAll("[data-reason]").Select(r => r.GetAttribute("data-reason")!).ToArray());

    private static (int, int) Ids(string href)
    {
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + href.Replace("&amp;", "&")).Query);
        return (int.Parse(query["keep"]!), int.Parse(query["merge"]!));
    }

    [Fact]
    public async Task The_same_mailbox_is_found_whatever_its_case_plus_tag_or_gmail_dots()
    {
        var first = await AddClientAsync("Quirinus Test-One", "Quirin.Us.Tester@Gmail.com");
        var second = await AddClientAsync("Q. Tester", "quirinustester+studio@googlemail.com");
        var other = await AddClientAsync("Someone Else Entirely", "quirinustester@example.net");

        var desk = await app.SignedInClientAsync(Desk);
        var pairs = Pairs(await desk.GetDocumentAsync($"/clients/duplicates?client={first}"));

        Assert.Equal(["email"], pairs[(first, second)]);
        Assert.DoesNotContain(pairs.Keys, p => p.Item1 == other || p.Item2 == other);
        // The whole list has the pair too, with the two clients' facts.
        var all = await desk.GetDocumentAsync("/clients/duplicates?page=1");
        Assert.Contains("Quirin.Us.Tester@Gmail.com", all.Body!.TextContent);
    }

    [Fact]
    public async Task The_same_phone_is_found_whatever_its_formatting_but_short_numbers_are_not_compared()
    {
        var first = await AddClientAsync("Phone Person Alpha", "alpha.phone@example.org", "+49 (170) 555-12345");
        var second = await AddClientAsync("Beta Somebody", "beta.phone@example.org", "0170 / 555 12 34 5");
        var shortOne = await AddClientAsync("Gamma Kurz", "gamma.phone@example.org", "12-34-56");
        var shortTwo = await AddClientAsync("Delta Lang", "delta.phone@example.org", "123456");

        var desk = await app.SignedInClientAsync(Desk);
        Assert.Equal(["phone"], Pairs(await desk.GetDocumentAsync($"/clients/duplicates?client={first}"))[(first, second)]);
        Assert.DoesNotContain((shortOne, shortTwo), Pairs(await desk.GetDocumentAsync($"/clients/duplicates?client={shortOne}")).Keys);
    }

    [Fact]
    public async Task Similar_names_are_found_in_the_whole_list_and_for_one_client()
    {
        var first = await AddClientAsync("Wilhelmina Oberbrunner", "w.oberbrunner@example.org", "+49 30 1111111");
        var second = await AddClientAsync("Wilhelmina Oberbruner", "mina@example.net", "+49 40 2222222");

        var desk = await app.SignedInClientAsync(Desk);
        Assert.Equal(["name"], Pairs(await desk.GetDocumentAsync($"/clients/duplicates?client={second}"))[(first, second)]);
        // Newest duplicates come first: the pair just made is on the first page of the whole list.
        Assert.Equal(["name"], Pairs(await desk.GetDocumentAsync("/clients/duplicates"))[(first, second)]);
    }

    [Fact]
    public async Task The_demo_shows_the_client_who_booked_again_on_the_web_with_another_email()
    {
        await using var db = app.NewDb();
        var duplicate = await db.Clients.Where(c => c.Email.EndsWith("@gmail.com") && c.Source == "web").SingleAsync();
        var original = await db.Clients.Where(c => c.Name == duplicate.Name && c.Id != duplicate.Id).SingleAsync();
        Assert.Equal(1, await db.Bookings.CountAsync(b => b.ClientId == duplicate.Id));

        var desk = await app.SignedInClientAsync(Desk);
        var pairs = Pairs(await desk.GetDocumentAsync($"/clients/duplicates?client={duplicate.Id}"));
        Assert.Equal(["name", "phone"], pairs[(original.Id, duplicate.Id)]);
    }

    [Fact]
    public async Task Erased_clients_never_appear()
    {
        var live = await AddClientAsync("Erasmus Livingstone", "erasmus.l@example.org", "+49 89 7777777");
        var erased = await AddClientAsync("Erasmus Livingstone", "erased-1@erased.invalid", "+49 89 7777777", DateTime.UtcNow);

        var desk = await app.SignedInClientAsync(Desk);
        Assert.DoesNotContain((live, erased), Pairs(await desk.GetDocumentAsync($"/clients/duplicates?client={live}")).Keys);
        Assert.DoesNotContain((live, erased), Pairs(await desk.GetDocumentAsync("/clients/duplicates")).Keys);
        Assert.Equal(HttpStatusCode.NotFound, (await desk.GetAsync($"/clients/duplicates?client={erased}")).StatusCode);
    }

    [Fact]
    public async Task The_list_is_a_constant_number_of_queries_whatever_the_number_of_pairs()
    {
        var desk = await app.SignedInClientAsync(Desk);
        async Task<int> QueriesAsync()
        {
            // Only the list's own queries: the sign-in's periodic checks touch no client.
            using var counter = new CommandCounter(new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!, "clients");
            await desk.GetDocumentAsync("/clients/duplicates");
            return counter.Count;
        }
        var before = await QueriesAsync();
        for (var i = 0; i < 25; i++) await AddClientAsync($"Copy Number{i} Paginated", $"copy{i}@example.org", "+49 30 9999999");
        var after = await QueriesAsync();
        Assert.Equal(before, after);

        var page = await desk.GetDocumentAsync("/clients/duplicates?page=2");
        Assert.NotEmpty(page.QuerySelectorAll(".duplicate-pair"));
    }

    [Theory]
    [InlineData("/clients/duplicates?client=abc", 404)]
    [InlineData("/clients/duplicates?client=-1", 404)]
    [InlineData("/clients/duplicates?client=99999999999999", 404)]
    [InlineData("/clients/duplicates?client=999999", 404)]
    [InlineData("/clients/duplicates?page=99999999999", 200)]
    [InlineData("/clients/duplicates?page=-3&client=", 200)]
    public async Task Hostile_addresses_get_an_answer_never_an_error(string url, int status)
    {
        var desk = await app.SignedInClientAsync(Desk);
        Assert.Equal(status, (int)(await desk.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task The_htmx_pager_gets_the_table_alone()
    {
        var desk = await app.SignedInClientAsync(Desk);
        var response = await desk.HtmxAsync(HttpMethod.Get, "/clients/duplicates");
        var html = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<div id=\"duplicates-table\">", html.Trim());
    }
}
