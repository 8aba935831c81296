using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Shared;

/// <summary>
/// The landing page and step 1 of the wizard come from the output cache for anonymous visitors: alike for all (no
/// token, nonce or cookie), one entry per language, never for a signed-in user or a visitor with a draft.
/// </summary>
public class PublicPagesTests(StudioApp app) : IClassFixture<StudioApp>
{
    private string Database => new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;

    /// <summary>
    /// Asks for the page as a new anonymous visitor until one answer comes from the cache (no command reached the
    /// database); returns it and how many requests that took.
    /// </summary>
    private async Task<(HttpResponseMessage Response, int Requests)> FromCacheAsync(string url, string? language = null)
    {
        var requests = 0;
        var (response, _) = await Wait.UntilAsync(async () =>
        {
            using var counter = new CommandCounter(Database);
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (language is not null) request.Headers.AcceptLanguage.ParseAdd(language);
            var answer = await app.NewClient().SendAsync(request);
            requests++;
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return (answer, counter.Count);
        }, r => r.Item2 == 0, $"{url} served from the output cache");
        return (response, requests);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/book")]
    public async Task Two_anonymous_visitors_get_the_same_bytes_with_no_cookie_token_or_nonce(string url)
    {
        var (first, _) = await FromCacheAsync(url);
        var (second, _) = await FromCacheAsync(url);

        var html = await first.Content.ReadAsStringAsync();
        Assert.Equal(html, await second.Content.ReadAsStringAsync());
        Assert.False(first.Headers.Contains("Set-Cookie"));
        Assert.False(second.Headers.Contains("Set-Cookie"));
        var page = await first.ReadDocumentAsync();
        Assert.Empty(page.QuerySelectorAll("input[name=__RequestVerificationToken]"));
        Assert.Null(page.Body!.GetAttribute("hx-headers"));
        Assert.Empty(page.QuerySelectorAll("[nonce]"));
        // Nothing the CSP (a nonce of its own, 'self') would refuse: every script a same-origin file, no inline style.
        Assert.NotEmpty(page.Scripts);
        Assert.All(page.Scripts, s => Assert.StartsWith("/", s.GetAttribute("src") ?? ""));
        Assert.Empty(page.QuerySelectorAll("style, [style]"));
        Assert.DoesNotContain(page.All, e => e.Attributes.Any(a => a.Name.StartsWith("on")));
        var csp = Assert.Single(second.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
    }

    [Fact]
    public async Task English_and_russian_visitors_get_their_own_entries()
    {
        var (english, _) = await FromCacheAsync("/", "en");
        var (russian, _) = await FromCacheAsync("/", "ru");
        Assert.Equal("en", (await english.ReadDocumentAsync()).DocumentElement.GetAttribute("lang"));
        Assert.Equal("ru", (await russian.ReadDocumentAsync()).DocumentElement.GetAttribute("lang"));
        Assert.NotEqual(await english.Content.ReadAsStringAsync(), await russian.Content.ReadAsStringAsync());

        // The language cookie chooses the entry as Accept-Language does.
        var visitor = app.NewClient();
        visitor.DefaultRequestHeaders.Add("Cookie", ".AspNetCore.Culture=c%3Dru%7Cuic%3Dru");
        Assert.Equal("ru", (await visitor.GetDocumentAsync("/book")).DocumentElement.GetAttribute("lang"));
        Assert.Equal("en", (await app.NewClient().GetDocumentAsync("/book")).DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task A_signed_in_user_never_gets_the_cached_page_nor_leaves_theirs_in_it()
    {
        await FromCacheAsync("/");
        var reception = await app.SignedInClientAsync("reception@demo.studio");

        var mine = await reception.GetDocumentAsync("/");
        Assert.NotNull(mine.QuerySelector("form[action='/account/logout']"));
        Assert.Contains("RequestVerificationToken", mine.Body!.GetAttribute("hx-headers"));

        var (anonymous, _) = await FromCacheAsync("/");
        var page = await anonymous.ReadDocumentAsync();
        Assert.Null(page.QuerySelector("form[action='/account/logout']"));
        Assert.NotNull(page.QuerySelector("a[href='/account/login']"));
    }

    [Fact]
    public async Task A_draft_bypasses_the_cache_and_step_1_and_the_language_switch_post_without_a_token()
    {
        var (cached, _) = await FromCacheAsync("/book");
        var form = (await cached.ReadDocumentAsync()).QuerySelector<IHtmlFormElement>("form[action='/book']")!;
        var serviceId = form.QuerySelectorAll<IHtmlInputElement>("input[name=serviceId]").Last().Value;

        // The plain form, as a browser without JavaScript posts it.
        var visitor = app.NewClient();
        var chosen = await visitor.SubmitAsync(form, new Dictionary<string, string> { ["serviceId"] = serviceId });
        Assert.Equal(HttpStatusCode.SeeOther, chosen.StatusCode);
        Assert.Equal("/book/with", chosen.Headers.Location!.OriginalString);

        // With a draft, step 1 shows the visitor's choice (not a cached page) and a token again.
        var mine = await visitor.GetDocumentAsync("/book");
        Assert.True(mine.QuerySelector<IHtmlInputElement>($"input[name=serviceId][value='{serviceId}']")!.IsChecked);
        Assert.NotNull(mine.QuerySelector("input[name=__RequestVerificationToken]"));
        var (others, _) = await FromCacheAsync("/book");
        Assert.Empty((await others.ReadDocumentAsync()).QuerySelectorAll("input[name=serviceId][checked]"));

        // Every later step keeps its token: step 2's form carries one, and a post without it is refused.
        var step2 = await visitor.GetDocumentAsync("/book/with");
        Assert.NotNull(step2.QuerySelector("form[action='/book/with'] input[name=__RequestVerificationToken]"));
        Assert.Equal(HttpStatusCode.BadRequest, (await visitor.PostAsync("/book/with", new FormUrlEncodedContent([]))).StatusCode);

        // The language switcher of the cached landing page, without a token.
        var (landing, _) = await FromCacheAsync("/");
        var switcher = (await landing.ReadDocumentAsync()).QuerySelector<IHtmlFormElement>("form[action='/culture']")!;
        Assert.Empty(switcher.QuerySelectorAll("input[name=__RequestVerificationToken]"));
        var switched = await visitor.SubmitAsync(switcher, new Dictionary<string, string> { ["culture"] = "ru" });
        Assert.Equal(HttpStatusCode.SeeOther, switched.StatusCode);
        Assert.Equal("ru", (await visitor.GetDocumentAsync("/")).DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task Views_of_step_1_served_from_the_cache_are_counted_in_the_funnel()
    {
        var counter = app.Services.GetRequiredService<FunnelCounter>();
        async Task<int> Step1Async()
        {
            await counter.FlushAsync(CancellationToken.None);
            await using var db = app.NewDb();
            return await db.FunnelCounts.Where(f => f.Step == (short)FunnelStep.Service).SumAsync(f => f.Count);
        }

        var before = await Step1Async();
        var (_, requests) = await FromCacheAsync("/book");
        var (_, more) = await FromCacheAsync("/book");
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => app.NewClient().GetAsync("/book")));
        // The landing page counts nothing.
        await app.NewClient().GetAsync("/");

        Assert.Equal(before + requests + more + 10, await Step1Async());
    }
}
