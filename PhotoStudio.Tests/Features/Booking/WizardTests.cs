using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Booking;

/// <summary>The public wizard over plain HTML forms, as a phone without JavaScript would use it.</summary>
public class WizardTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static readonly Dictionary<string, string> Details = new()
    {
        ["Name"] = "Olga Test", ["Email"] = "Olga.Test@example.org", ["Phone"] = "+49 30 1234567", ["Guests"] = "2",
        ["Notes"] = "Window light, please", ["AcceptTerms"] = "true",
    };

    /// <summary>Steps 1–3: a service that needs a photographer, any room and photographer, the first free day and time.</summary>
    internal static async Task<(HttpClient Client, string Start)> ChooseATimeAsync(StudioApp app, string serviceName = "Portrait session", bool specific = false)
    {
        var client = app.NewClient();
        var step1 = await client.GetDocumentAsync("/book");
        var service = step1.QuerySelectorAll<IHtmlInputElement>("input[name=serviceId]")
            .First(i => i.ParentElement!.TextContent.Contains(serviceName));
        var response = await client.SubmitAsync(step1.QuerySelector<IHtmlFormElement>("form[action='/book']")!,
            new Dictionary<string, string> { ["serviceId"] = service.Value });
        Assert.Equal("/book/with", response.Headers.Location!.OriginalString);

        var with = await client.GetDocumentAsync("/book/with");
        string Pick(string name) => specific ? with.QuerySelectorAll<IHtmlInputElement>($"input[name={name}]").Last().Value : "";
        response = await client.SubmitAsync(with.QuerySelector<IHtmlFormElement>("form[action='/book/with']")!,
            new Dictionary<string, string> { ["roomId"] = Pick("roomId"), ["photographerId"] = Pick("photographerId") });
        Assert.Equal("/book/when", response.Headers.Location!.OriginalString);

        var month = await client.GetDocumentAsync("/book/when");
        // Late in a month the next one may hold the first free day.
        if (month.QuerySelector("a.day-free") is null && month.QuerySelector("a[aria-label='Next month']") is { } next)
            month = await client.GetDocumentAsync(next.GetAttribute("href")!);
        var day = month.QuerySelector("a.day-free") ?? throw new Xunit.Sdk.XunitException("no free day this month or the next");
        var dayPage = await client.GetDocumentAsync(day.GetAttribute("href")!);
        var slot = dayPage.QuerySelector<IHtmlButtonElement>("#slots-form button.slot")!;
        return (client, slot.Value);
    }

    /// <param name="pageDay">The day whose page the form is taken from (a forged start is posted from a real page).</param>
    private static Task<HttpResponseMessage> PostStartAsync(HttpClient client, string start, string? pageDay = null) =>
        client.SubmitAsync("/book/when?day=" + (pageDay ?? start)[..10], "#slots-form", new Dictionary<string, string> { ["start"] = start });

    [Fact]
    public async Task A_client_books_in_five_steps_and_gets_a_code_and_a_manage_link()
    {
        var (client, start) = await ChooseATimeAsync(app);
        var response = await PostStartAsync(client, start);
        Assert.Equal("/book/details", response.Headers.Location!.OriginalString);

        response = await client.SubmitAsync("/book/details", "#details-form", Details);
        Assert.Equal("/book/review", response.Headers.Location!.OriginalString);
        var review = await client.GetDocumentAsync("/book/review");
        Assert.Contains("Olga Test", review.QuerySelector("dl.review")!.TextContent);
        Assert.Contains("EUR", review.Single("#review-price").TextContent);

        response = await client.SubmitAsync("/book/review", "#confirm-form");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var done = await client.GetDocumentAsync(response.Headers.Location!.OriginalString);
        var code = done.Single("#booking-code").TextContent;
        Assert.Matches("^PS-[2-9A-HJKMNP-Z]{5}$", code);
        Assert.StartsWith("/my/", done.Single("#manage-link").GetAttribute("href"));

        await using var db = app.NewDb();
        var booking = await db.Bookings.Include(b => b.Client).Include(b => b.History).SingleAsync(b => b.Code == code);
        Assert.Equal(BookingStatus.Pending, booking.Status);
        Assert.Equal("olga.test@example.org", booking.Client!.Email);
        Assert.Equal(DateTime.Parse(start).ToUniversalTime(), booking.StartsAt);
        Assert.NotNull(booking.PhotographerId);
        Assert.Single(booking.History);
        Assert.Contains(db.BoardEvents, e => e.BookingId == booking.Id);
        Assert.Contains(db.AuditEntries, e => e.EntityType == "Booking" && e.EntityId == booking.Id.ToString() && e.Actor == "client");
        Assert.Contains(db.AuditEntries, e => e.EntityType == "Client" && e.EntityId == booking.ClientId.ToString() && e.Action == "created");
    }

    [Fact]
    public async Task Each_missing_or_wrong_detail_gets_its_own_message_and_the_form_keeps_what_was_typed()
    {
        var (client, start) = await ChooseATimeAsync(app);
        await PostStartAsync(client, start);
        var response = await client.SubmitAsync("/book/details", "#details-form", new Dictionary<string, string>
        {
            ["Name"] = "", ["Email"] = "not-an-email", ["Phone"] = "call me", ["Guests"] = "0", ["Notes"] = "keep me",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains("Enter your name.", page.Single("#Name-error").TextContent);
        Assert.Contains("valid email", page.Single("#Email-error").TextContent);
        Assert.Contains("phone number", page.Single("#Phone-error").TextContent);
        Assert.Contains("between 1 and 100", page.Single("#Guests-error").TextContent);
        Assert.Contains("accept the terms", page.Single("#AcceptTerms-error").TextContent);
        Assert.Equal("not-an-email", page.QuerySelector<IHtmlInputElement>("#Email")!.Value);
        Assert.Equal("keep me", page.QuerySelector<IHtmlTextAreaElement>("#Notes")!.Value);
    }

    [Theory]
    [InlineData("off-grid")]
    [InlineData("past")]
    [InlineData("closed-sunday")]
    [InlineData("garbage")]
    public async Task A_time_never_offered_is_refused_and_creates_nothing(string kind)
    {
        var (client, start) = await ChooseATimeAsync(app);
        var offered = DateTime.Parse(start).ToUniversalTime();
        var forged = kind switch
        {
            "off-grid" => offered.AddMinutes(7).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            "past" => DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            "closed-sunday" => NextSunday(offered).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            _ => "tomorrow at noon",
        };
        var before = await CountAsync();
        var response = await PostStartAsync(client, forged, pageDay: start);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("not available", (await response.ReadDocumentAsync()).QuerySelector("#wizard [role=alert]")!.TextContent, StringComparison.OrdinalIgnoreCase);

        // Nothing was kept: the later steps send the client back, and a confirmation creates nothing.
        Assert.Equal("/book/when", (await client.GetAsync("/book/details")).Headers.Location!.OriginalString);
        var home = await client.GetDocumentAsync("/book");
        var confirm = new HttpRequestMessage(HttpMethod.Post, "/book/confirm")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", home.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value)]),
        };
        Assert.Equal(HttpStatusCode.SeeOther, (await client.SendAsync(confirm)).StatusCode);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task A_room_not_allowed_for_the_service_is_refused()
    {
        var (client, _) = await ChooseATimeAsync(app);
        var response = await client.SubmitAsync("/book/with", "form[action='/book/with']", new Dictionary<string, string> { ["roomId"] = "999999" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("not available for this session", (await response.ReadDocumentAsync()).QuerySelector("#wizard [role=alert]")!.TextContent);
    }

    [Fact]
    public async Task Losing_the_race_returns_to_the_times_with_a_message_and_keeps_the_details()
    {
        var (first, start) = await ChooseATimeAsync(app, "Family session", specific: true);
        var (second, sameStart) = await ChooseATimeAsync(app, "Family session", specific: true);
        Assert.Equal(start, sameStart);
        foreach (var client in new[] { first, second })
        {
            await PostStartAsync(client, start);
            await client.SubmitAsync("/book/details", "#details-form", Details);
        }
        var won = await first.SubmitAsync("/book/review", "#confirm-form");
        Assert.Equal(HttpStatusCode.SeeOther, won.StatusCode);

        var lost = await second.SubmitAsync("/book/review", "#confirm-form");
        Assert.Equal(HttpStatusCode.Conflict, lost.StatusCode);
        var page = await lost.ReadDocumentAsync();
        Assert.Contains("just taken", page.QuerySelector("#wizard [role=alert]")!.TextContent);
        Assert.DoesNotContain(page.QuerySelectorAll<IHtmlButtonElement>("#slots-form button.slot"), b => b.Value == start);

        // Another time, and the details typed before are still there.
        var other = await PostStartAsync(second, (await second.GetDocumentAsync("/book/when?day=" + start[..10]))
            .QuerySelector<IHtmlButtonElement>("#slots-form button.slot")!.Value);
        Assert.Equal("/book/details", other.Headers.Location!.OriginalString);
        var details = await second.GetDocumentAsync("/book/details");
        Assert.Equal("Olga Test", details.QuerySelector<IHtmlInputElement>("#Name")!.Value);
    }

    private async Task<int> CountAsync()
    {
        await using var db = app.NewDb();
        return await db.Bookings.CountAsync();
    }

    private static DateTime NextSunday(DateTime from)
    {
        var day = from.Date.AddDays(1);
        while (day.DayOfWeek != DayOfWeek.Sunday) day = day.AddDays(1);
        return day.AddHours(10);
    }
}
