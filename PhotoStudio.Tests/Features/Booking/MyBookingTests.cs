using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Features.Board;
using PhotoStudio.Features.Booking;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Booking;

public class MyBookingTests(StudioApp app) : IClassFixture<StudioApp>
{
    private Task<(HttpClient Client, string Code, string ManageUrl)> BookAsync(int cancelCutoffHours) => BookAsync(app, cancelCutoffHours);

    /// <summary>Books through the wizard and returns the client, the code and the manage link.</summary>
    internal static async Task<(HttpClient Client, string Code, string ManageUrl)> BookAsync(StudioApp app, int cancelCutoffHours)
    {
        await app.ChangeSettingsAsync(db => db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.CancelCutoffHours, cancelCutoffHours)));
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
    public async Task The_calendar_file_is_valid_rfc_5545_with_a_stable_uid_the_right_time_and_the_session_details()
    {
        var (client, code, manage) = await BookAsync(cancelCutoffHours: 24);
        var response = await client.GetAsync(manage + "/calendar.ics");
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var ics = await response.Content.ReadAsStringAsync();
        // The confirmation page's download is the same event (only the moment of download differs).
        var fromDone = await (await client.GetAsync($"/book/done/{code}/calendar.ics")).Content.ReadAsStringAsync();
        Assert.Equal(WithoutStamp(ics), WithoutStamp(fromDone));

        // RFC 5545 §3.1: CRLF line ends, lines of at most 75 octets.
        Assert.DoesNotContain("\n", ics.Replace("\r\n", ""));
        Assert.All(ics.Split("\r\n"), line => Assert.True(System.Text.Encoding.UTF8.GetByteCount(line) <= 75, line));

        await using var db = app.NewDb();
        var booking = await db.Bookings.Include(b => b.Service).Include(b => b.Room).Include(b => b.Photographer)
            .SingleAsync(b => b.Code == code);
        var studio = await db.Settings.SingleAsync();
        var output = await Python.RunAsync("""
            import sys, icalendar
            cal = icalendar.Calendar.from_ical(sys.stdin.read())
            ev = [c for c in cal.walk() if c.name == 'VEVENT'][0]
            print(ev['UID']); print(ev.decoded('DTSTART').isoformat()); print(ev.decoded('DTEND').isoformat())
            for name in ['SUMMARY', 'LOCATION', 'DESCRIPTION', 'STATUS']: print(ev[name])
            print(cal['PRODID']); print(cal['METHOD']); print(cal['VERSION'])
            """, ics);
        // The same UID as the studio's emails carry (the code at the public address's host; localhost without one).
        Assert.Equal($"{code}@localhost", output[0].Trim());
        Assert.Equal(DateTime.SpecifyKind(booking.StartsAt, DateTimeKind.Utc), DateTimeOffset.Parse(output[1]).UtcDateTime);
        Assert.Equal(DateTime.SpecifyKind(booking.EndsAt, DateTimeKind.Utc), DateTimeOffset.Parse(output[2]).UtcDateTime);
        Assert.Equal($"{booking.Service!.Name} · {studio.Name}", output[3].Trim());
        Assert.Equal(studio.Address, output[4].Trim());
        Assert.Equal($"Booking {code}. Room: {booking.Room!.Name}." + (booking.Photographer is null ? "" : $" Photographer: {booking.Photographer.FullName}."),
            output[5].Trim());
        Assert.Equal(booking.Status == BookingStatus.Pending ? "TENTATIVE" : "CONFIRMED", output[6].Trim());
        Assert.Equal(new[] { "-//PhotoStudio//Booking//EN", "PUBLISH", "2.0" }, output[7..10].Select(x => x.Trim()));
    }

    private static string WithoutStamp(string ics) => string.Join("\r\n", ics.Split("\r\n").Where(l => !l.StartsWith("DTSTAMP:")));

    [Fact]
    public async Task A_client_moves_the_booking_to_another_offered_time_and_a_taken_time_is_refused()
    {
        var (_, code, manage) = await BookAsync(cancelCutoffHours: 1);
        await app.ChangeSettingsAsync(db => db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.RescheduleCutoffHours, 1)));
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

    /// <summary>A booking far ahead (every cut-off passes long after the test), with a manage link only this test knows.</summary>
    private async Task<(PhotoStudio.Data.Booking Booking, string ManageUrl)> LinkedBookingAsync(BookingStatus status = BookingStatus.Pending)
    {
        var booking = await app.AddBookingAsync(status);
        var token = ManageToken.New();
        TestSecrets.Remember(token);
        await using var db = app.NewDb();
        await db.Bookings.Where(b => b.Id == booking.Id).ExecuteUpdateAsync(b => b.SetProperty(x => x.ManageTokenHash, ManageToken.Hash(token)));
        return (await db.Bookings.AsNoTracking().SingleAsync(b => b.Id == booking.Id), $"/my/{token}");
    }

    [Fact]
    public async Task A_client_cancel_that_the_studio_overtook_is_stale_and_changes_nothing()
    {
        var (booking, _) = await LinkedBookingAsync();
        await using var scope = app.Scope();
        // The client's request has read the booking; the studio confirms it before the client's save.
        var seen = await scope.ServiceProvider.GetRequiredService<StudioDb>().Bookings.Include(b => b.History).SingleAsync(b => b.Id == booking.Id);
        await using (var studio = app.NewDb())
            await studio.Bookings.Where(b => b.Id == booking.Id).ExecuteUpdateAsync(b => b.SetProperty(x => x.Status, BookingStatus.Confirmed));

        var outcome = await scope.ServiceProvider.GetRequiredService<BookingService>().CancelByClientAsync(seen, "Ill", CancellationToken.None);

        Assert.Equal(new Outcome.Stale(), outcome);
        var after = await app.ReloadAsync(booking.Id);
        Assert.Equal(BookingStatus.Confirmed, after.Status);
        Assert.DoesNotContain(after.History, h => h.To == BookingStatus.Cancelled);
        await using var db = app.NewDb();
        Assert.False(await db.BoardEvents.AnyAsync(e => e.BookingId == booking.Id && e.Kind == "cancelled"));
    }

    [Fact]
    public async Task Cancels_racing_each_other_and_a_staff_move_never_answer_500_and_leave_one_consistent_history()
    {
        var (booking, manage) = await LinkedBookingAsync();
        var visitors = new List<(HttpClient Client, IHtmlFormElement Form)>();
        for (var i = 0; i < 6; i++) // the link opened on six devices
        {
            var client = app.NewClient();
            visitors.Add((client, (await client.GetDocumentAsync(manage)).QuerySelector<IHtmlFormElement>("#cancel-form")!));
        }
        await using var scope = app.Scope();
        await using (var db = app.NewDb())
        {
            var reception = await db.Users.Where(u => u.Email == "reception@demo.studio").Select(u => u.Id).SingleAsync();
            var staff = new Staff(reception, SeesAll: true, Manages: true, Moves: true);
            var board = scope.ServiceProvider.GetRequiredService<BoardService>();

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var cancels = visitors.Select(v => Task.Run(async () =>
            {
                await gate.Task;
                return await v.Client.SubmitAsync(v.Form, new Dictionary<string, string> { ["reason"] = "Race" });
            })).ToList();
            var move = Task.Run(async () =>
            {
                await gate.Task;
                return await board.MoveAsync(booking.Id, BookingStatus.Confirmed, booking.Version, null, staff, CancellationToken.None);
            });
            gate.SetResult();
            var responses = await Task.WhenAll(cancels);
            var moved = await move;

            // Whoever lost was told so (stale, or past what a client may do): never a 500.
            Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.SeeOther, HttpStatusCode.Conflict, HttpStatusCode.UnprocessableEntity }));
            Assert.True(moved is Outcome.Done or Outcome.Stale, $"the staff move came to {moved}");
            var after = await app.ReloadAsync(booking.Id);
            var history = after.History.OrderBy(h => h.At).ThenBy(h => h.Id).ToList();
            Assert.True(history.Count(h => h.To == BookingStatus.Cancelled) <= 1);
            Assert.Equal(responses.Count(r => r.StatusCode == HttpStatusCode.SeeOther), history.Count(h => h.To == BookingStatus.Cancelled));
            Assert.Equal(moved is Outcome.Done, history.Any(h => h.To == BookingStatus.Confirmed));
            // Each change starts from the status the one before it left, and the booking is where the last one put it.
            Assert.All(history.Zip(history.Skip(1)), pair => Assert.Equal(pair.First.To, pair.Second.From));
            Assert.Equal(history[^1].To, after.Status);
        }

        // A loser's answer is the booking as it is now.
        var loser = await visitors[0].Client.SubmitAsync(visitors[0].Form, new Dictionary<string, string> { ["reason"] = "Late" });
        Assert.True(loser.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.SeeOther, $"got {(int)loser.StatusCode}");
    }

    [Fact]
    public async Task A_cancel_past_the_cut_off_is_refused_with_422_and_the_reason_on_the_booking_page()
    {
        var (booking, manage) = await LinkedBookingAsync();
        var visitor = app.NewClient();
        var form = (await visitor.GetDocumentAsync(manage)).QuerySelector<IHtmlFormElement>("#cancel-form")!;
        await using (var db = app.NewDb())
            await db.Bookings.Where(b => b.Id == booking.Id).ExecuteUpdateAsync(b => b.SetProperty(x => x.Status, BookingStatus.Shooting));

        var refused = await visitor.SubmitAsync(form, new Dictionary<string, string> { ["reason"] = "Ill" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var page = await refused.ReadDocumentAsync();
        Assert.Contains("can no longer be cancelled online", page.Single("#flash").TextContent);
        Assert.Equal("Shooting", page.Single("#booking-status").TextContent);
        Assert.Equal(BookingStatus.Shooting, (await app.ReloadAsync(booking.Id)).Status);
    }
}
