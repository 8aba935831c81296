using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

// Every test books its own session with its own email, so the tests of this class share one app and database.

/// <summary>The public booking wizard on a 360 px phone: five steps with and without JavaScript, then manage, move and cancel.</summary>
[Collection("browser")]
public class WizardBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    // Expect(page).ToHaveURLAsync polls, so it also sees the URL htmx pushes after it swaps a step in.
    private static readonly Regex OnService = new("/book$");
    private static readonly Regex OnWith = new("/book/with$");
    private static readonly Regex OnWhen = new(@"/book/when(\?|$)");
    private static readonly Regex OnDay = new(@"/book/when\?month=\d{4}-\d{2}&day=\d{4}-\d{2}-\d{2}$");
    private static readonly Regex OnDetails = new("/book/details$");
    private static readonly Regex OnReview = new("/book/review$");
    private static readonly Regex OnDone = new("/book/done/PS-[2-9A-HJKMNP-Z]{5}$");
    private static readonly Regex OnManage = new("/my/[^/?]+$");
    private static readonly Regex OnReschedule = new(@"/my/[^/?]+/reschedule(\?|$)");

    [Fact]
    public async Task A_client_books_on_a_phone_in_five_htmx_steps_and_every_step_is_accessible()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Book a session" }).TapAsync();

        var htmxPosts = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Request += (_, r) =>
        {
            if (r.Method == "POST" && r.Headers.ContainsKey("hx-request")) htmxPosts.Enqueue(new Uri(r.Url).AbsolutePath);
        };
        await BookAsync(page, javaScript: true, $"anna.js.{Guid.NewGuid():N}@example.org", async (step, url) =>
        {
            await Expect(page).ToHaveURLAsync(url);
            await page.AssertAccessibleAsync(step);
            await page.AssertNoHorizontalScrollAsync(step);
        });

        // Every step was posted by htmx (hx-boost), not as a plain form.
        Assert.Equal(["/book", "/book/with", "/book/when", "/book/details", "/book/confirm"], htmxPosts.ToArray());

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_client_books_on_a_phone_with_javascript_off_through_plain_form_posts()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl, o => o.JavaScriptEnabled = false);
        var page = phone.Page;
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Book a session" }).TapAsync();

        // No axe here: it runs as a script, and with JavaScript off RunAxe never returns. The JavaScript test checks these pages.
        var posts = new List<IRequest>();
        page.Request += (_, r) => { if (r.Method == "POST") posts.Add(r); };
        await BookAsync(page, javaScript: false, $"anna.nojs.{Guid.NewGuid():N}@example.org", async (step, url) =>
        {
            await Expect(page).ToHaveURLAsync(url);
            await page.AssertNoHorizontalScrollAsync(step);
        });

        // Five plain form posts (service, with, time, details, confirm), each answered 303 See Other.
        Assert.Equal(5, posts.Count);
        foreach (var post in posts)
        {
            Assert.Null(await post.HeaderValueAsync("hx-request"));
            Assert.Equal(303, (await post.ResponseAsync())!.Status);
        }

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task With_javascript_every_step_swaps_in_place_with_its_url_pushed_and_back_returns_a_step_without_a_reload()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/book");
        await ReadyAsync(page, javaScript: true);
        // A full navigation starts a new window without this mark, and fires "load" again.
        await page.EvaluateAsync("() => { window.__wizardMark = 1; }");
        var loads = 0;
        page.Load += (_, _) => Interlocked.Increment(ref loads);
        var posts = new System.Collections.Concurrent.ConcurrentQueue<IRequest>();
        page.Request += (_, r) => { if (r.Method == "POST") posts.Enqueue(r); };
        async Task AssertSamePageAsync(string step) =>
            Assert.True(await page.EvaluateAsync<bool>("() => window.__wizardMark === 1"), $"{step}: the page was loaded anew");

        var urls = new List<string>();
        await BookAsync(page, javaScript: true, $"anna.swap.{Guid.NewGuid():N}@example.org", async (step, url) =>
        {
            await Expect(page).ToHaveURLAsync(url);
            await AssertSamePageAsync(step);
            urls.Add(new Uri(page.Url).PathAndQuery);
        }, atReview: async () =>
        {
            // The browser's Back: htmx restores step 4 from the server, filled in from the draft.
            await page.GoBackAsync();
            await Expect(page).ToHaveURLAsync(OnDetails);
            await Expect(page.Locator("#Name")).ToHaveValueAsync("Olga Phone");
            await AssertSamePageAsync("back to step 4");
            await page.Locator("#details-form button[type=submit]").TapAsync();
            await Expect(page).ToHaveURLAsync(OnReview);
            await Expect(page.Locator("#confirm-form")).ToBeVisibleAsync();
            await AssertSamePageAsync("step 5 again");
        });

        // Each step had its own address (pushed), and none of them was a page load.
        Assert.Equal(urls.Count, urls.Distinct().Count());
        Assert.Equal(0, loads);
        // Every post (service, with, time, details, details again, confirm) was htmx's, answered with the plain 303 it
        // followed itself; HX-Redirect would have made the browser load the next page.
        Assert.Equal(6, posts.Count);
        foreach (var post in posts)
        {
            Assert.Equal("true", await post.HeaderValueAsync("hx-boosted"));
            var response = (await post.ResponseAsync())!;
            Assert.Equal(303, response.Status);
            Assert.Null(await response.HeaderValueAsync("hx-redirect"));
        }

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_client_follows_the_manage_link_moves_the_booking_to_a_later_day_and_cancels_it()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/book");
        var code = await BookAsync(page, javaScript: true, $"anna.manage.{Guid.NewGuid():N}@example.org", (_, url) => Expect(page).ToHaveURLAsync(url));

        // A session within 24 hours is past the default cut-offs: let this studio allow changes up to 1 hour before.
        DateTime startsAt;
        await using (var db = app.NewDb())
            startsAt = (await db.Bookings.SingleAsync(b => b.Code == code)).StartsAt;
        if (startsAt - app.Clock.GetUtcNow().UtcDateTime < TimeSpan.FromHours(25))
            await app.ChangeSettingsAsync(db => db.Settings.ExecuteUpdateAsync(s => s
                .SetProperty(x => x.CancelCutoffHours, 1)
                .SetProperty(x => x.RescheduleCutoffHours, 1)));

        var manage = page.Locator("#manage-link");
        TestSecrets.Remember(new Uri((await manage.GetAttributeAsync("href"))!).AbsolutePath["/my/".Length..]);
        await manage.TapAsync();
        await Expect(page).ToHaveURLAsync(OnManage);
        await Expect(page.Locator("h1")).ToContainTextAsync(code);
        await Expect(page.Locator("#booking-status")).ToHaveTextAsync("Pending");
        var when = page.Locator("dl dt:text-is('When') + dd");
        var before = (await when.InnerTextAsync()).Trim();
        await page.AssertAccessibleAsync("manage page");

        await page.Locator("#reschedule-link").TapAsync();
        await Expect(page).ToHaveURLAsync(OnReschedule);
        await Expect(page.Locator("#when")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("reschedule month");
        await page.AssertNoHorizontalScrollAsync("reschedule month");

        // A later day than the booked one: this month's last free day, or the next month's first.
        var bookedDay = await BookedDayAsync(code);
        var laterDay = await LaterFreeDayAsync(page, bookedDay);
        if (laterDay is null)
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Next month" }).TapAsync();
            await Expect(page.Locator("#month-heading")).Not.ToHaveTextAsync(new Regex(bookedDay.ToString("MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-US"))));
            laterDay = await LaterFreeDayAsync(page, bookedDay, first: true)
                ?? throw new Xunit.Sdk.XunitException($"no free day after {bookedDay:yyyy-MM-dd} this month or next");
        }
        var dayName = (await laterDay.GetAttributeAsync("aria-label"))!;
        await laterDay.TapAsync();
        await Expect(page.Locator("#slots-form legend")).ToHaveTextAsync(dayName);
        await page.AssertAccessibleAsync("reschedule day");
        await page.AssertNoHorizontalScrollAsync("reschedule day");

        var slot = page.Locator("#slots-form button.slot").Last;
        var time = (await slot.InnerTextAsync()).Trim();
        await slot.TapAsync();
        await Expect(page).ToHaveURLAsync(OnManage);
        await Expect(page.Locator("#flash")).ToContainTextAsync("Your booking has been moved.");
        await Expect(when).ToContainTextAsync(dayName);
        await Expect(when).ToContainTextAsync(time);
        Assert.NotEqual(before, (await when.InnerTextAsync()).Trim());
        await page.AssertAccessibleAsync("manage page, moved");

        await page.Locator("#cancel-form #reason").FillAsync("Ill");
        await page.Locator("#cancel-form button[type=submit]").TapAsync();
        await Expect(page.Locator("#booking-status")).ToHaveTextAsync("Cancelled");
        await Expect(page.Locator("#flash")).ToContainTextAsync("Your booking is cancelled.");
        await Expect(page.Locator("#cancel-form")).ToHaveCountAsync(0);
        await Expect(page.Locator("#reschedule-link")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync("manage page, cancelled");
        await page.AssertNoHorizontalScrollAsync("manage page, cancelled");

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_long_russian_note_survives_to_the_review_step_and_into_the_booking()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/book");
        // 2,000 characters of Russian words: the draft cookie alone would be over 4 KB without compression and chunks.
        var words = new[] { "съёмка", "у", "большого", "окна", "пожалуйста", "с", "собакой", "и", "бабушкой", "Щукиной" };
        var random = new Random(42);
        var note = string.Join(" ", Enumerable.Range(0, 400).Select(_ => words[random.Next(words.Length)]))[..2000].TrimEnd();
        var email = $"anna.long.{Guid.NewGuid():N}@example.org";

        var code = await BookAsync(page, javaScript: true, email, (_, url) => Expect(page).ToHaveURLAsync(url), note, async () =>
        {
            // Back from the review to step 4: the whole note is still there, and on to the review again.
            await page.Locator("#confirm-form a[href='/book/details']").TapAsync();
            await Expect(page).ToHaveURLAsync(OnDetails);
            await Expect(page.Locator("#Notes")).ToHaveValueAsync(note);
            await ReadyAsync(page, javaScript: true);
            await page.Locator("#details-form button[type=submit]").TapAsync();
            await Expect(page).ToHaveURLAsync(OnReview);
            await ReadyAsync(page, javaScript: true);
        });

        var manage = await page.Locator("#manage-link").GetAttributeAsync("href");
        TestSecrets.Remember(new Uri(manage!).AbsolutePath["/my/".Length..]);
        await using var db = app.NewDb();
        Assert.Equal(note, await db.Bookings.Where(b => b.Code == code).Select(b => b.ClientNotes).SingleAsync());
        phone.AssertNoConsoleErrors();
    }

    /// <summary>
    /// From step 1 (already open) to the done page: a portrait session, any room and photographer, the first free
    /// day's first time, the details and the confirmation. <paramref name="check"/> runs at each step with its URL.
    /// Returns the booking code.
    /// </summary>
    /// <param name="notes">What the client types into "Anything we should know?".</param>
    /// <param name="atReview">Runs on the review page before confirming, and must leave the page there.</param>
    private static async Task<string> BookAsync(IPage page, bool javaScript, string email, Func<string, Regex, Task> check,
        string notes = "Window light, please", Func<Task>? atReview = null)
    {
        await Expect(page.Locator("input[name=serviceId]").First).ToBeVisibleAsync();
        await ReadyAsync(page, javaScript);
        await check("step 1, session", OnService);
        await page.Locator(".form-check", new() { Has = page.Locator("input[name=serviceId]"), HasText = "Portrait session" })
            .First.Locator("input[name=serviceId]").CheckAsync();
        await page.Locator("form[action='/book'] button[type=submit]").TapAsync();

        await Expect(page.Locator("#photographer-any")).ToBeVisibleAsync();
        await ReadyAsync(page, javaScript);
        await check("step 2, room and photographer", OnWith);
        await page.Locator("#room-any").CheckAsync();
        await page.Locator("#photographer-any").CheckAsync();
        await page.Locator("form[action='/book/with'] button[type=submit]").TapAsync();

        await Expect(page.Locator("#month-heading")).ToBeVisibleAsync();
        await ReadyAsync(page, javaScript);
        await check("step 3, month", OnWhen);
        var day = page.Locator("a.day-free").First;
        await Expect(day).ToBeVisibleAsync(); // the first free day is in the month shown first
        var dayName = (await day.GetAttributeAsync("aria-label"))!;
        await day.TapAsync();
        await Expect(page.Locator("#slots-form legend")).ToHaveTextAsync(dayName);
        await ReadyAsync(page, javaScript);
        await check("step 3, day", OnDay);
        var slot = page.Locator("#slots-form button.slot").First;
        var time = (await slot.InnerTextAsync()).Trim();
        await slot.TapAsync();

        await Expect(page.Locator("#details-form")).ToBeVisibleAsync();
        await ReadyAsync(page, javaScript);
        await check("step 4, details", OnDetails);
        await page.Locator("#Name").FillAsync("Olga Phone");
        await page.Locator("#Email").FillAsync(email);
        await page.Locator("#Phone").FillAsync("+49 30 1234567");
        await page.Locator("#Guests").FillAsync("2");
        await page.Locator("#Notes").FillAsync(notes);
        await page.Locator("#AcceptTerms").CheckAsync();
        await page.Locator("#details-form button[type=submit]").TapAsync();

        await Expect(page.Locator("#confirm-form")).ToBeVisibleAsync();
        await ReadyAsync(page, javaScript);
        var review = page.Locator("dl.review");
        await Expect(review).ToContainTextAsync("Olga Phone");
        await Expect(review).ToContainTextAsync(dayName);
        await Expect(review).ToContainTextAsync(time);
        await Expect(page.Locator("#review-price")).ToContainTextAsync("EUR");
        await check("step 5, review", OnReview);
        if (atReview is not null) await atReview();
        await page.Locator("#confirm-form button[type=submit]").TapAsync();

        var code = page.Locator("#booking-code");
        await Expect(code).ToHaveTextAsync(new Regex("^PS-[2-9A-HJKMNP-Z]{5}$"));
        await ReadyAsync(page, javaScript);
        await check("done page", OnDone);
        await Expect(page.Locator("#manage-link")).ToHaveAttributeAsync("href", new Regex("^http://127.0.0.1:[0-9]+/my/[^/]+$"));
        var bookingCode = (await code.InnerTextAsync()).Trim();
        var ics = page.Locator("#ics-link");
        await Expect(ics).ToHaveAttributeAsync("href", $"/book/done/{bookingCode}/calendar.ics");
        var calendar = await page.Context.APIRequest.GetAsync((await ics.GetAttributeAsync("href"))!);
        Assert.Equal(200, calendar.Status);
        Assert.StartsWith("text/calendar", calendar.Headers["content-type"]);
        // The same UID as the emails carry: the code at the public address's host (localhost without one).
        Assert.Contains($"UID:{bookingCode}@localhost", await calendar.TextAsync());
        return bookingCode;
    }

    /// <summary>The studio-local day the booking starts on, as the day links carry it.</summary>
    private async Task<DateOnly> BookedDayAsync(string code)
    {
        await using var db = app.NewDb();
        var booking = await db.Bookings.SingleAsync(b => b.Code == code);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(await db.Settings.Select(s => s.TimeZone).FirstAsync());
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(booking.StartsAt, DateTimeKind.Utc), zone));
    }

    /// <summary>The last (or first) free-day link after <paramref name="after"/> in the month shown, or null.</summary>
    private static async Task<ILocator?> LaterFreeDayAsync(IPage page, DateOnly after, bool first = false)
    {
        var links = page.Locator("a.day-free");
        var hrefs = await links.EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        var later = hrefs.Select((href, i) => (i, day: DateOnly.Parse(Regex.Match(href, @"day=(\d{4}-\d{2}-\d{2})").Groups[1].Value)))
            .Where(d => d.day > after).Select(d => d.i).ToList();
        if (later.Count == 0) return null;
        return links.Nth(first ? later[0] : later[^1]);
    }

    /// <summary>htmx and Bootstrap are deferred: with JavaScript, let them run before tapping, so the steps go through htmx.</summary>
    private static async Task ReadyAsync(IPage page, bool javaScript)
    {
        // With JavaScript off, WaitForFunction would never return (its polling is a page script).
        if (javaScript) await page.WaitForFunctionAsync("() => document.readyState === 'complete' && 'htmx' in window");
    }
}
