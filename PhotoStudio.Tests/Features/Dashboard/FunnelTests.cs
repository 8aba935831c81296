using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Dashboard;

/// <summary>
/// The booking funnel (counted per studio-local day and step, nothing about the visitor), the dashboard's funnel
/// table and chart, and the live today panel. The tests of this class run one after another on their own database,
/// so the differences they measure are theirs alone. The app's day is fixed at noon, far from either midnight.
/// </summary>
public class FunnelTests(MiddayStudioApp app) : IClassFixture<MiddayStudioApp>
{
    private static readonly TimeZoneInfo Berlin = TestClock.StudioZone;

    private static readonly Dictionary<string, string> Details = new()
    {
        ["Name"] = "Funnel Test", ["Email"] = "funnel.test@example.org", ["Phone"] = "+49 30 7654321", ["Guests"] = "1",
        ["Notes"] = "", ["AcceptTerms"] = "true",
    };

    /// <summary>Every step's count, summed over all days (a walk that crosses midnight still adds up), once the app's counts are in the table.</summary>
    private async Task<int[]> CountsAsync()
    {
        await app.Services.GetRequiredService<FunnelCounter>().FlushAsync(CancellationToken.None);
        await using var db = app.NewDb();
        var rows = await db.FunnelCounts.GroupBy(f => f.Step).Select(g => new { g.Key, Sum = g.Sum(f => f.Count) }).ToListAsync();
        return [.. Enumerable.Range(1, 6).Select(step => rows.SingleOrDefault(r => r.Key == step)?.Sum ?? 0)];
    }

    private async Task AssertDeltaAsync(int[] before, params int[] expected) =>
        Assert.Equal(expected, (await CountsAsync()).Zip(before, (a, b) => a - b).ToArray());

    [Fact]
    public async Task Walking_the_wizard_counts_each_step_page_once_and_a_confirmation_counts_step_6()
    {
        var before = await CountsAsync();
        var (client, start) = await WizardTests.ChooseATimeAsync(app);
        // GET /book, /book/with, /book/when once each; the month and day pages inside step 3 are not counted again.
        await AssertDeltaAsync(before, 1, 1, 1, 0, 0, 0);

        // htmx fragments of the month grid are never counted.
        var fragment = new HttpRequestMessage(HttpMethod.Get, "/book/when?month=" + start[..7]);
        fragment.Headers.Add("HX-Request", "true");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(fragment)).StatusCode);
        var plain = new HttpRequestMessage(HttpMethod.Get, "/book/when");
        plain.Headers.Add("HX-Request", "true");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(plain)).StatusCode);
        await AssertDeltaAsync(before, 1, 1, 1, 0, 0, 0);

        var response = await client.SubmitAsync("/book/when?day=" + start[..10], "#slots-form", new Dictionary<string, string> { ["start"] = start });
        Assert.Equal("/book/details", response.Headers.Location!.OriginalString);
        response = await client.SubmitAsync("/book/details", "#details-form", Details);
        Assert.Equal("/book/review", response.Headers.Location!.OriginalString);
        await AssertDeltaAsync(before, 1, 1, 1, 1, 0, 0);

        response = await client.SubmitAsync("/book/review", "#confirm-form");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith("/book/done/", response.Headers.Location!.OriginalString);
        await client.GetAsync(response.Headers.Location!.OriginalString);
        await AssertDeltaAsync(before, 1, 1, 1, 1, 1, 1);

        // Nothing but day, step and count is stored.
        await using var db = app.NewDb();
        var columns = await db.Database.SqlQueryRaw<string>(
            "SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_name = 'funnel_counts' ORDER BY column_name").ToListAsync();
        Assert.Equal(["count", "day", "step"], columns);
    }

    [Fact]
    public async Task Twenty_parallel_visits_of_the_service_page_count_exactly_twenty()
    {
        var before = await CountsAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => app.NewClient().GetAsync("/book")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await AssertDeltaAsync(before, 20, 0, 0, 0, 0, 0);
    }

    [Fact]
    public async Task The_dashboard_shows_the_funnel_of_its_period()
    {
        await using (var db = app.NewDb())
        {
            // Inside the period (2032-05-03 … 2032-05-04) and, not counted, the day after.
            short[] steps = [1, 2, 3, 4, 5, 6];
            int[] first = [50, 40, 30, 20, 10, 5], second = [30, 20, 10, 10, 10, 5], after = [999, 999, 999, 999, 999, 999];
            foreach (var (day, counts) in new[] { (new DateOnly(2032, 5, 3), first), (new DateOnly(2032, 5, 4), second), (new DateOnly(2032, 5, 5), after) })
                db.FunnelCounts.AddRange(steps.Select(s => new FunnelCount { Day = day, Step = s, Count = counts[s - 1] }));
            await db.SaveChangesAsync();
        }
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync("/admin?range=custom&from=2032-05-03&to=2032-05-04");

        var rows = page.QuerySelectorAll("#funnel-table tbody tr").ToList();
        Assert.Equal(["80", "60", "40", "30", "20", "10"], rows.Select(r => r.GetAttribute("data-value")!));
        Assert.Equal(["1", "0.75", "0.5", "0.375", "0.25", "0.125"], rows.Select(r => r.GetAttribute("data-share")!));
        Assert.Contains("75", rows[1].TextContent);

        var chart = page.Single("svg#chart-funnel");
        Assert.Equal("img", chart.GetAttribute("role"));
        foreach (var id in chart.GetAttribute("aria-labelledby")!.Split(' ')) Assert.NotNull(chart.QuerySelector($"#{id}"));
        Assert.NotNull(chart.QuerySelector("title"));
        Assert.NotNull(chart.QuerySelector("desc"));
        var bars = chart.QuerySelectorAll("rect.dash-funnel-bar").ToList();
        Assert.Equal(["80", "60", "40", "30", "20", "10"], bars.Select(b => b.GetAttribute("data-value")!));
        Assert.Equal(["100", "75", "50", "37.5", "25", "12.5"], bars.Select(b => b.GetAttribute("width")!));
        Assert.Empty(page.QuerySelectorAll("[style]"));

        // The same period over htmx (the period form) carries the funnel too.
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin?range=custom&from=2032-05-03&to=2032-05-04");
        request.Headers.Add("HX-Request", "true");
        var fragment = await (await admin.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("funnel-table", fragment);
        Assert.DoesNotContain("today-panel", fragment);
    }

    [Fact]
    public async Task The_dashboard_is_live_and_today_is_served_as_a_refreshable_fragment()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync("/admin");
        Assert.Equal("/board/events", page.Single("[data-live-events]").GetAttribute("data-live-events"));
        Assert.NotNull(page.QuerySelector("script[src^='/js/board.js']"));
        var panel = page.Single("#today-panel");
        Assert.True(panel.HasAttribute("data-live-refresh"));

        var response = await admin.GetAsync("/admin/today");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        var fragment = await response.ReadDocumentAsync();
        var section = fragment.Single("section#today-panel");
        Assert.True(section.HasAttribute("data-live-refresh"));
        Assert.Equal("/admin/today", section.GetAttribute("hx-get"));
        Assert.Equal("refresh", section.GetAttribute("hx-trigger"));
        Assert.Equal("outerHTML", section.GetAttribute("hx-swap"));
        Assert.NotNull(fragment.QuerySelector("#today-sessions"));
        Assert.NotNull(fragment.QuerySelector("#today-views"));
    }

    [Fact]
    public async Task The_today_panel_lists_a_session_of_today_and_who_is_working()
    {
        var nowUtc = app.Clock.GetUtcNow().UtcDateTime;
        var start = new DateTime(nowUtc.Ticks - nowUtc.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc).AddMinutes(10);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(nowUtc, Berlin));
        Assert.Equal(today, DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(start, Berlin)));

        string ivan;
        await using (var db = app.NewDb())
        {
            // Room and photographer free for the new session, whatever the demo data holds today.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE bookings SET status = 'Cancelled'
                WHERE blocked && tstzrange({start.AddHours(-3)}, {start.AddHours(3)}) AND status <> 'Cancelled'
                """);
            var employee = await db.Employees.SingleAsync(e => e.User!.Email == "ivan@demo.studio");
            ivan = employee.FullName;
            // Ivan works today; Anna has working hours today too but is off for the whole day.
            if (!await db.WorkingHours.AnyAsync(h => h.EmployeeId == employee.Id && h.Weekday == today.DayOfWeek))
                db.WorkingHours.Add(new WorkingHours { EmployeeId = employee.Id, Weekday = today.DayOfWeek, Starts = new TimeOnly(9, 0), Ends = new TimeOnly(18, 0) });
            var anna = await db.Employees.SingleAsync(e => e.User!.Email == "anna@demo.studio");
            if (!await db.WorkingHours.AnyAsync(h => h.EmployeeId == anna.Id && h.Weekday == today.DayOfWeek))
                db.WorkingHours.Add(new WorkingHours { EmployeeId = anna.Id, Weekday = today.DayOfWeek, Starts = new TimeOnly(9, 0), Ends = new TimeOnly(18, 0) });
            db.TimeOff.Add(new TimeOff
            {
                EmployeeId = anna.Id, Reason = "Holiday",
                StartsAt = TimeZoneInfo.ConvertTimeToUtc(today.AddDays(-1).ToDateTime(TimeOnly.MinValue), Berlin),
                EndsAt = TimeZoneInfo.ConvertTimeToUtc(today.AddDays(2).ToDateTime(TimeOnly.MinValue), Berlin),
            });
            await db.SaveChangesAsync();
        }
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, "ivan@demo.studio", start, "Today Panel Client", "Black Box");

        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var panel = await admin.GetDocumentAsync("/admin/today");
        var row = panel.Single($"#today-sessions-table tr[data-code='{booking.Code}']");
        var local = TimeZoneInfo.ConvertTimeFromUtc(start, Berlin);
        Assert.Equal(local.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), row.GetAttribute("data-start"));
        Assert.Contains("Portrait session", row.TextContent);
        Assert.Contains("Black Box", row.TextContent);
        Assert.Contains(ivan, row.TextContent);
        Assert.Contains("Today Panel Client", row.TextContent);
        Assert.DoesNotContain("@example.test", panel.Body!.InnerHtml);

        var working = panel.QuerySelectorAll("#today-working li").Select(li => li.GetAttribute("data-employee")).ToList();
        Assert.Contains(ivan, working);
        await using var check = app.NewDb();
        var annaName = await check.Employees.Where(e => e.User!.Email == "anna@demo.studio").Select(e => e.FullName).SingleAsync();
        Assert.DoesNotContain(annaName, working);

        // The dashboard page shows the same panel.
        var page = await admin.GetDocumentAsync("/admin");
        Assert.NotNull(page.QuerySelector($"#today-panel tr[data-code='{booking.Code}']"));
    }
}
