using System.Collections.Concurrent;
using System.Net;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Booking;

/// <summary>The draft cookie: confirmed at most once, expired after a day, and big enough for every input the wizard accepts.</summary>
public class DraftTests(StudioApp app) : IClassFixture<StudioApp>
{
    /// <summary>A browser whose cookie jar the test can read, and which records every Set-Cookie header it receives.</summary>
    internal sealed class Browser : DelegatingHandler
    {
        public CookieContainer Jar { get; } = new();
        public ConcurrentQueue<string> SetCookies { get; } = new();
        public HttpClient Client { get; }

        public Browser(StudioApp app, string? language = null)
        {
            Client = app.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(Jar), this);
            if (language is not null) Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }

        /// <summary>The Cookie header this browser sends to the wizard now.</summary>
        public string CookieHeader => Jar.GetCookieHeader(new Uri("http://localhost/book/confirm"));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
                foreach (var value in values) SetCookies.Enqueue(value);
            return response;
        }
    }

    internal static Dictionary<string, string> Details(string email, string name = "Olga Test", string notes = "Window light, please") => new()
    {
        ["Name"] = name, ["Email"] = email, ["Phone"] = "+49 30 1234567", ["Guests"] = "2", ["Notes"] = notes, ["AcceptTerms"] = "true",
    };

    /// <summary>Steps 1–4 through the real forms; returns the confirm form of the review page.</summary>
    internal static async Task<IHtmlFormElement> ReviewAsync(StudioApp app, HttpClient client, Dictionary<string, string> details)
    {
        var (_, start) = await WizardTests.ChooseATimeAsync(app, client: client);
        Assert.Equal("/book/details", (await WizardTests.PostStartAsync(client, start)).Headers.Location!.OriginalString);
        var response = await client.SubmitAsync("/book/details", "#details-form", details);
        Assert.True(response.StatusCode == HttpStatusCode.SeeOther,
            $"step 4 answered {(int)response.StatusCode}: {(await response.ReadDocumentAsync()).QuerySelector(".invalid-feedback:not(:empty)")?.TextContent}");
        Assert.Equal("/book/review", response.Headers.Location!.OriginalString);
        return (await client.GetDocumentAsync("/book/review")).QuerySelector<IHtmlFormElement>("#confirm-form")!;
    }

    /// <summary>POST /book/confirm with exactly this Cookie header, as a saved cookie or a second click sends it.</summary>
    internal static HttpRequestMessage ConfirmWith(string cookieHeader, IHtmlFormElement form)
    {
        var token = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var request = new HttpRequestMessage(HttpMethod.Post, "/book/confirm")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token)]),
        };
        request.Headers.Add("Cookie", cookieHeader);
        return request;
    }

    private async Task<int> BookingsOfAsync(string email)
    {
        await using var db = app.NewDb();
        return await db.Bookings.CountAsync(b => b.Client!.Email == email);
    }

    [Fact]
    public async Task A_replayed_draft_cookie_shows_the_same_done_page_and_books_nothing_more()
    {
        var browser = new Browser(app);
        var email = $"replay.{Guid.NewGuid():N}@example.org";
        var form = await ReviewAsync(app, browser.Client, Details(email)); // "any room": a second booking would take the other one
        var saved = browser.CookieHeader;

        var first = await browser.Client.SubmitAsync(form);
        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        var done = first.Headers.Location!.OriginalString;
        Assert.StartsWith("/book/done/PS-", done);

        // The saved cookie posted again (a second click without JavaScript, the back button, or someone who kept it).
        using var raw = app.CreateDefaultClient();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var again = await raw.SendAsync(ConfirmWith(saved, form));
            Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
            Assert.Equal(done, again.Headers.Location!.OriginalString);
        }
        Assert.Equal(1, await BookingsOfAsync(email));
        await using var db = app.NewDb();
        Assert.NotNull(await db.Bookings.Where(b => b.Client!.Email == email).Select(b => b.DraftId).SingleAsync());
    }

    [Fact]
    public async Task A_draft_older_than_a_day_starts_again_with_a_message_keeps_the_details_and_books_nothing()
    {
        var browser = new Browser(app);
        var email = $"late.{Guid.NewGuid():N}@example.org";
        var form = await ReviewAsync(app, browser.Client, Details(email, name: "Olga Later"));

        app.Clock.Advance(TimeSpan.FromHours(25));
        var response = await browser.Client.SubmitAsync(form);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/book", response.Headers.Location!.OriginalString);
        Assert.Equal(0, await BookingsOfAsync(email));

        var start = await browser.Client.GetDocumentAsync("/book");
        Assert.Contains("expired after 24 hours", start.Single("#wizard [role=alert]").TextContent);
        Assert.Contains("Portrait session", start.Single("input[name=serviceId][checked]").ParentElement!.TextContent);
        // The message is shown once; the later steps work on the new draft, with the details typed before.
        Assert.Null((await browser.Client.GetDocumentAsync("/book")).QuerySelector("#wizard [role=alert]"));
        Assert.Equal("/book/when", (await browser.Client.SubmitAsync("/book/with", "form[action='/book/with']",
            new Dictionary<string, string> { ["roomId"] = "", ["photographerId"] = "" })).Headers.Location!.OriginalString);
        var time = await WizardTests.FirstFreeStartAsync(browser.Client);
        Assert.Equal("/book/details", (await WizardTests.PostStartAsync(browser.Client, time)).Headers.Location!.OriginalString);
        var details = await browser.Client.GetDocumentAsync("/book/details");
        Assert.Equal("Olga Later", details.QuerySelector<IHtmlInputElement>("#Name")!.Value);
        Assert.Equal(email, details.QuerySelector<IHtmlInputElement>("#Email")!.Value);
    }

    public static TheoryData<string, string> LongInputs => new()
    {
        { "en", "2000 × Ж in the notes" }, { "ru", "2000 × Ж in the notes" },
        { "en", "500 emoji in the notes" }, { "ru", "500 emoji in the notes" },
        { "en", "a 200-letter Russian name" }, { "ru", "a 200-letter Russian name" },
        { "ru", "2000 random CJK characters in the notes and 200 in the name" },
        { "en", "1000 random characters outside the BMP in the notes and 100 in the name" },
    };

    [Theory]
    [MemberData(nameof(LongInputs))]
    public async Task Every_input_the_wizard_accepts_survives_to_the_booking_and_each_cookie_stays_under_4_KB(string language, string input)
    {
        var random = new Random(20261202);
        string Cjk(int length) => new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(0x4E00, 0x9FA5))]);
        // CJK Extension B: two UTF-16 units each (the validation counts units), escaped in JSON as two \uXXXX.
        string Astral(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => char.ConvertFromUtf32(random.Next(0x20000, 0x2A6DF))));
        var (name, notes) = input switch
        {
            "2000 × Ж in the notes" => ("Olga Test", new string('Ж', 2000)),
            "500 emoji in the notes" => ("Olga Test", string.Concat(Enumerable.Repeat("😀", 500))),
            "a 200-letter Russian name" => (string.Concat(Enumerable.Repeat("Щукина-Ёлкина ", 15))[..199] + "я", "Съёмка у окна, пожалуйста"),
            "2000 random CJK characters in the notes and 200 in the name" => (Cjk(200), Cjk(2000)),
            _ => (Astral(100), Astral(1000)),
        };
        var browser = new Browser(app, language);
        var email = $"long.{Guid.NewGuid():N}@example.org";

        var form = await ReviewAsync(app, browser.Client, Details(email, name, notes));
        var review = await browser.Client.GetDocumentAsync("/book/review");
        Assert.Contains(name, review.Single("dl.review").TextContent);
        var confirmed = await browser.Client.SubmitAsync(form);
        Assert.Equal(HttpStatusCode.SeeOther, confirmed.StatusCode);
        Assert.StartsWith("/book/done/", confirmed.Headers.Location!.OriginalString);
        var done = await browser.Client.GetDocumentAsync(confirmed.Headers.Location!.OriginalString);
        TestSecrets.Remember(new Uri(done.Single("#manage-link").GetAttribute("href")!).AbsolutePath["/my/".Length..]);

        await using var db = app.NewDb();
        var booking = await db.Bookings.Include(b => b.Client).SingleAsync(b => b.Client!.Email == email);
        Assert.Equal(notes, booking.ClientNotes);
        Assert.Equal(name, booking.Client!.Name);
        Assert.NotEmpty(browser.SetCookies);
        Assert.All(browser.SetCookies, header => Assert.True(Encoding.UTF8.GetByteCount("Set-Cookie: " + header) < 4096,
            $"a Set-Cookie header of {Encoding.UTF8.GetByteCount(header)} bytes: {header[..Math.Min(60, header.Length)]}…"));
    }

    [Fact]
    public async Task A_draft_that_shrinks_leaves_no_stale_chunks_behind()
    {
        var browser = new Browser(app);
        var random = new Random(11);
        var email = $"shrink.{Guid.NewGuid():N}@example.org";
        var notes = new string([.. Enumerable.Range(0, 2000).Select(_ => (char)random.Next(0x4E00, 0x9FA5))]);
        await ReviewAsync(app, browser.Client, Details(email, notes: notes));
        var uri = new Uri("http://localhost/book");
        Assert.Contains(browser.Jar.GetCookies(uri), c => c.Name.StartsWith("ps.bookingC"));

        var shorter = await browser.Client.SubmitAsync("/book/details", "#details-form", Details(email, notes: "Short now"));
        Assert.Equal("/book/review", shorter.Headers.Location!.OriginalString);
        Assert.DoesNotContain(browser.Jar.GetCookies(uri), c => c.Name.StartsWith("ps.bookingC"));
        var details = await browser.Client.GetDocumentAsync("/book/details");
        Assert.Equal("Short now", details.QuerySelector<IHtmlTextAreaElement>("#Notes")!.Value);
    }

    /// <summary>ChunkingCookieManager must not size anything by the count a client claims (ASP.NET Core's does not).</summary>
    [Theory]
    [InlineData("chunks-2147483647")]
    [InlineData("chunks-100000000")]
    [InlineData("chunks-x")]
    public async Task A_forged_chunk_count_is_no_draft_and_no_error(string value)
    {
        using var raw = app.CreateDefaultClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/book/review");
        request.Headers.Add("Cookie", $"ps.booking={value}; ps.bookingC1=abc");
        var response = await raw.SendAsync(request);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/book", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_draft_with_a_lost_cookie_chunk_starts_again_without_an_error()
    {
        var browser = new Browser(app);
        var random = new Random(7);
        var notes = new string([.. Enumerable.Range(0, 2000).Select(_ => (char)random.Next(0x4E00, 0x9FA5))]);
        await ReviewAsync(app, browser.Client, Details($"chunk.{Guid.NewGuid():N}@example.org", notes: notes));
        var chunks = browser.Jar.GetCookies(new Uri("http://localhost/book")).Where(c => c.Name.StartsWith("ps.bookingC")).ToList();
        Assert.True(chunks.Count >= 2, $"{chunks.Count} chunks");

        chunks[^1].Expired = true;
        var review = await browser.Client.GetAsync("/book/review");
        Assert.Equal(HttpStatusCode.SeeOther, review.StatusCode);
        Assert.Equal("/book", review.Headers.Location!.OriginalString);
    }
}
