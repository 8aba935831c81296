using System.Diagnostics;
using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Booking;

public class MyBookingTests(StudioApp app) : IClassFixture<StudioApp>
{
    private Task<(HttpClient Client, string Code, string ManageUrl)> BookAsync(int cancelCutoffHours) => BookAsync(app, cancelCutoffHours);

    /// <summary>Books through the wizard and returns the client, the code and the manage link.</summary>
    internal static async Task<(HttpClient Client, string Code, string ManageUrl)> BookAsync(StudioApp app, int cancelCutoffHours)
    {
        await using (var db = app.NewDb())
            await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.CancelCutoffHours, cancelCutoffHours));
        var (client, start) = await WizardTests.ChooseATimeAsync(app);
        await client.SubmitAsync("/book/when?day=" + start[..10], "#slots-form", new Dictionary<string, string> { ["start"] = start });
        await client.SubmitAsync("/book/details", "#details-form", new Dictionary<string, string>
        {
            ["Name"] = "Ivan Client", ["Email"] = $"ivan.{Guid.NewGuid():N}@example.org", ["Phone"] = "+7 900 000 00 00", ["Guests"] = "1", ["AcceptTerms"] = "true",
        });
        var confirmed = await client.SubmitAsync("/book/review", "#confirm-form");
        var done = await client.GetDocumentAsync(confirmed.Headers.Location!.OriginalString);
        var manage = new Uri(done.Single("#manage-link").GetAttribute("href")!).PathAndQuery;
        TestSecrets.Remember(manage["/my/".Length..]);
        return (client, done.Single("#booking-code").TextContent, manage);
    }

    [Fact]
    public async Task The_manage_link_shows_the_booking_and_cancels_it_inside_the_cut_off()
    {
        var (_, code, manage) = await BookAsync(cancelCutoffHours: 1);
        var visitor = app.NewClient(); // the link works on any device
        var page = await visitor.GetDocumentAsync(manage);
        Assert.Contains(code, page.QuerySelector("h1")!.TextContent);
        Assert.NotNull(page.QuerySelector("#cancel-form"));

        var response = await visitor.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#cancel-form")!, new Dictionary<string, string> { ["reason"] = "Ill" });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var after = await visitor.GetDocumentAsync(manage);
        Assert.Equal("Cancelled", after.Single("#booking-status").TextContent);
        Assert.Null(after.QuerySelector("#cancel-form"));

        await using var db = app.NewDb();
        var booking = await db.Bookings.Include(b => b.History).SingleAsync(b => b.Code == code);
        Assert.Equal(BookingStatus.Cancelled, booking.Status);
        Assert.Contains(booking.History, h => h.To == BookingStatus.Cancelled && h.By == "client" && h.Reason == "Ill");
    }

    [Fact]
    public async Task Outside_the_cut_off_the_page_explains_how_to_reach_the_studio()
    {
        var (_, code, manage) = await BookAsync(cancelCutoffHours: 24);
        await using (var db = app.NewDb())
        {
            var booking = await db.Bookings.SingleAsync(b => b.Code == code);
            app.Clock.Advance(booking.StartsAt.AddHours(-2) - app.Clock.GetUtcNow().UtcDateTime);
        }
        var page = await app.NewClient().GetDocumentAsync(manage);
        Assert.Null(page.QuerySelector("#cancel-form"));
        Assert.Contains("contact the studio", page.Single("#cutoff-note").TextContent);
    }

    [Fact]
    public async Task An_unknown_token_is_a_404()
    {
        var client = app.NewClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/my/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/my/x/calendar.ics")).StatusCode);
    }

    [Fact]
    public async Task The_calendar_file_is_valid_rfc_5545_with_a_stable_uid_and_the_right_time()
    {
        var (client, code, manage) = await BookAsync(cancelCutoffHours: 24);
        var response = await client.GetAsync(manage + "/calendar.ics");
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var ics = await response.Content.ReadAsStringAsync();
        // The confirmation page's download is the same event (only the moment of download differs).
        var fromDone = await (await client.GetAsync($"/book/done/{code}/calendar.ics")).Content.ReadAsStringAsync();
        Assert.Equal(WithoutStamp(ics), WithoutStamp(fromDone));

        await using var db = app.NewDb();
        var booking = await db.Bookings.SingleAsync(b => b.Code == code);
        var python = Environment.GetEnvironmentVariable("PHOTOSTUDIO_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
        var psi = new ProcessStartInfo(python, ["-c", """
            import sys, icalendar
            cal = icalendar.Calendar.from_ical(sys.stdin.read())
            ev = [c for c in cal.walk() if c.name == 'VEVENT'][0]
            print(ev['UID']); print(ev.decoded('DTSTART').isoformat()); print(ev.decoded('DTEND').isoformat())
            """]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync(ics);
        process.StandardInput.Close();
        var output = (await process.StandardOutput.ReadToEndAsync()).Split('\n');
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        Assert.Equal($"{code}@photostudio", output[0].Trim());
        Assert.Equal(DateTime.SpecifyKind(booking.StartsAt, DateTimeKind.Utc), DateTimeOffset.Parse(output[1]).UtcDateTime);
        Assert.Equal(DateTime.SpecifyKind(booking.EndsAt, DateTimeKind.Utc), DateTimeOffset.Parse(output[2]).UtcDateTime);
    }

    private static string WithoutStamp(string ics) => string.Join("\r\n", ics.Split("\r\n").Where(l => !l.StartsWith("DTSTAMP:")));

    [Fact]
    public async Task A_client_moves_the_booking_to_another_offered_time_and_a_taken_time_is_refused()
    {
        var (_, code, manage) = await BookAsync(cancelCutoffHours: 1);
        await using (var db = app.NewDb())
            await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.RescheduleCutoffHours, 1));
        var visitor = app.NewClient();
        var month = await visitor.GetDocumentAsync(manage + "/reschedule");
        var days = month.QuerySelectorAll("a.day-free").Select(a => a.GetAttribute("href")!).ToList();
        var dayPage = await visitor.GetDocumentAsync(days.Last());
        var newStart = dayPage.QuerySelectorAll<IHtmlButtonElement>("#slots-form button.slot").Last().Value;

        var moved = await visitor.SubmitAsync(dayPage.QuerySelector<IHtmlFormElement>("#slots-form")!, new Dictionary<string, string> { ["start"] = newStart });
        Assert.Equal(HttpStatusCode.SeeOther, moved.StatusCode);
        await using (var db = app.NewDb())
        {
            var booking = await db.Bookings.SingleAsync(b => b.Code == code);
            Assert.Equal(DateTime.Parse(newStart).ToUniversalTime(), booking.StartsAt);
            Assert.Contains(db.AuditEntries, e => e.EntityType == "Booking" && e.EntityId == booking.Id.ToString() && e.Changes!.Contains("StartsAt"));
        }

        // Someone else books the room and photographer at a time; moving there now is refused with a clear message.
        await using var check = app.NewDb();
        var ours = await check.Bookings.SingleAsync(b => b.Code == code);
        var taken = await check.Bookings.Where(b => b.Code != code && b.RoomId == ours.RoomId && b.StartsAt > DateTime.UtcNow
            && b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.NoShow).OrderBy(b => b.StartsAt).FirstAsync();
        var refused = await visitor.SubmitAsync(dayPage.QuerySelector<IHtmlFormElement>("#slots-form")!,
            new Dictionary<string, string> { ["start"] = taken.StartsAt.ToString("yyyy-MM-ddTHH:mm:ssZ") });
        Assert.True(refused.StatusCode is HttpStatusCode.Conflict, $"got {(int)refused.StatusCode}");
        Assert.Contains("just taken", (await refused.ReadDocumentAsync()).QuerySelector("#wizard [role=alert]")!.TextContent);
    }
}
