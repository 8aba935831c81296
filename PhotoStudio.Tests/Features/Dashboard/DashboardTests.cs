using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Dashboard;

/// <summary>
/// /admin over a hand-made fortnight in 2031 (24 March – 6 April, Europe/Berlin, clocks go forward on 30 March):
/// every figure below is worked out by hand from <see cref="Dataset"/>.
/// </summary>
public class DashboardTests(StudioApp app) : IClassFixture<StudioApp>, IAsyncLifetime
{
    private const string Period = "range=custom&from=2031-03-24&to=2031-04-06";
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static readonly Dictionary<StudioApp, List<(string Code, decimal Price)>> Seeded = [];

    // (local start, status, price, client key, created at UTC). Rita booked before the period (returning); N1…N5 are
    // new (their first booking was made inside it); N6's only booking is just after the period.
    private static readonly (DateTime Local, BookingStatus Status, decimal Price, string Client, DateTime CreatedUtc)[] Dataset =
    [
        (new(2031, 2, 3, 10, 0, 0), BookingStatus.Delivered, 500m, "Rita", Utc(2031, 1, 10)),   // outside, before
        (new(2031, 3, 24, 10, 0, 0), BookingStatus.Confirmed, 100m, "Rita", Utc(2031, 3, 10)),  // lead 14d 9h
        (new(2031, 3, 29, 23, 30, 0), BookingStatus.Editing, 250m, "N1", Utc(2031, 3, 25)),     // lead 4d 22h30
        (new(2031, 3, 30, 0, 30, 0), BookingStatus.Delivered, 150m, "N2", Utc(2031, 3, 26)),    // 29 Mar 23:30 UTC; lead 3d 23h30
        (new(2031, 3, 31, 1, 30, 0), BookingStatus.Shooting, 200m, "N3", Utc(2031, 3, 24, 12)), // 30 Mar 23:30 UTC; lead 6d 11h30
        (new(2031, 4, 1, 10, 0, 0), BookingStatus.Cancelled, 300m, "N4", Utc(2031, 3, 27)),     // no lead (cancelled)
        (new(2031, 4, 2, 10, 0, 0), BookingStatus.NoShow, 120m, "Rita", Utc(2031, 3, 12)),      // lead 21d 8h
        (new(2031, 4, 3, 10, 0, 0), BookingStatus.Pending, 80m, "N5", Utc(2031, 3, 28)),        // lead 6d 8h
        (new(2031, 4, 4, 11, 0, 0), BookingStatus.Confirmed, 100m, "N5", Utc(2031, 3, 29)),     // lead 6d 9h
        (new(2031, 4, 7, 0, 30, 0), BookingStatus.Confirmed, 999m, "N6", Utc(2031, 4, 1)),      // outside: 6 Apr 22:30 UTC
    ];

    private static DateTime Utc(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, DateTimeKind.Utc);

    public async Task InitializeAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (Seeded.ContainsKey(app)) return;
            var made = new List<(string, decimal)>();
            var clients = new Dictionary<string, int>();
            var n = 0;
            foreach (var (local, status, price, client, created) in Dataset)
            {
                // Back-to-back sessions around midnight go to different rooms and photographers (rooms have buffers).
                var (room, photographer) = n++ % 2 == 0 ? ("Daylight Loft", "anna@demo.studio") : ("Black Box", "ivan@demo.studio");
                var booking = await app.AddBookingAsync(status, photographer, TimeZoneInfo.ConvertTimeToUtc(local, Berlin), $"Dashboard {client}", room);
                await using var db = app.NewDb();
                // A second booking of the same person belongs to the client row of the first.
                var clientId = clients.TryGetValue(client, out var id) ? id : clients[client] = booking.ClientId;
                await db.Bookings.Where(b => b.Id == booking.Id).ExecuteUpdateAsync(u => u
                    .SetProperty(b => b.Price, price).SetProperty(b => b.CreatedAt, created).SetProperty(b => b.ClientId, clientId));
                if (local < new DateTime(2031, 4, 7) && local >= new DateTime(2031, 3, 24)) made.Add((booking.Code, price));
            }
            await app.ReportsHeardAsync();
            Seeded[app] = made;
        }
        finally { Once.Release(); }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Value(AngleSharp.Dom.IParentNode page, string selector) => page.Single(selector).GetAttribute("data-value")!;

    [Fact]
    public async Task Every_figure_of_the_period_matches_the_hand_count()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync($"/admin?{Period}");

        var byStatus = page.QuerySelectorAll("[data-status]").ToDictionary(e => e.GetAttribute("data-status")!, e => e.GetAttribute("data-value"));
        Assert.Equal(new Dictionary<string, string?>
        {
            ["Pending"] = "1", ["Confirmed"] = "2", ["Shooting"] = "1", ["Editing"] = "1",
            ["Delivered"] = "1", ["Cancelled"] = "1", ["NoShow"] = "1",
        }, byStatus);
        Assert.Equal("8", Value(page, "#kpi-total"));
        // Confirmed 100 + 100, Shooting 200, Editing 250, Delivered 150 = 800 over 5 bookings.
        Assert.Equal(800m, decimal.Parse(Value(page, "#kpi-revenue"), CultureInfo.InvariantCulture));
        Assert.Contains("EUR", page.Single("#kpi-revenue").TextContent);
        Assert.Equal(160m, decimal.Parse(Value(page, "#kpi-average-value"), CultureInfo.InvariantCulture));
        Assert.Equal("0.125", Value(page, "#kpi-cancellation-rate"));      // 1 of 8
        Assert.Equal("0.1429", Value(page, "#kpi-no-show-rate"));          // 1 of (8 − 1)
        Assert.Equal("5", Value(page, "#kpi-new-clients"));               // N1…N5
        Assert.Equal("1", Value(page, "#kpi-returning-clients"));         // Rita
        // (14.375 + 4.9375 + 3.97917 + 6.47917 + 21.33333 + 6.33333 + 6.375) / 7 = 63.8125 / 7
        Assert.Equal("9.1161", Value(page, "#kpi-lead-days"));
    }

    [Fact]
    public async Task Each_kpi_is_compared_with_the_period_just_before_in_words_as_well_as_arrows()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        // The fortnight after the hand-made one holds only N6's Confirmed 999; the one before it is the hand-made fortnight.
        var page = await admin.GetDocumentAsync("/admin?range=custom&from=2031-04-07&to=2031-04-20");
        IElement Delta(string kpi) => page.Single($"#{kpi} + dd.dash-delta");

        // 1 booking against 8: down 87.5 %, and fewer bookings is worse.
        var total = Delta("kpi-total");
        Assert.Equal("Down", total.GetAttribute("data-trend"));
        Assert.Equal("0.875", total.GetAttribute("data-change"));
        Assert.Contains("dash-delta-bad", total.ClassName);
        Assert.Matches(@"down 8[78]% from the previous period \(8\), worse", total.QuerySelector(".visually-hidden")!.TextContent);
        Assert.Contains("▼", total.TextContent);

        // 999 against 800: up about 25 %.
        var revenue = Delta("kpi-revenue");
        Assert.Equal("Up", revenue.GetAttribute("data-trend"));
        Assert.Contains("dash-delta-good", revenue.ClassName);
        Assert.Contains("up 25% from the previous period", revenue.TextContent);

        // A rate moves in points: no cancellation of 1 against 1 of 8 is 12.5 points down, and fewer cancellations is better.
        var cancellations = Delta("kpi-cancellation-rate");
        Assert.Equal("Down", cancellations.GetAttribute("data-trend"));
        Assert.Equal("12.5", cancellations.GetAttribute("data-change"));
        Assert.Contains("dash-delta-good", cancellations.ClassName);
        Assert.Contains("down 12.5 pts from the previous period (12.5%), better", cancellations.TextContent);

        // The hand-made fortnight itself has nothing before it: its bookings are new.
        var before = await admin.GetDocumentAsync($"/admin?{Period}");
        Assert.Equal("New", before.Single("#kpi-total + dd.dash-delta").GetAttribute("data-trend"));
        Assert.Equal("None", before.Single("#kpi-cancellation-rate + dd.dash-delta").GetAttribute("data-trend"));
    }

    [Fact]
    public async Task Bookings_per_day_are_counted_by_local_date_across_the_clock_change()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync($"/admin?{Period}");

        var table = page.QuerySelectorAll("#per-day-table tbody tr")
            .ToDictionary(r => r.GetAttribute("data-day")!, r => r.QuerySelector("td")!.TextContent.Trim());
        Assert.Equal(14, table.Count);
        var busy = new[] { "2031-03-24", "2031-03-29", "2031-03-30", "2031-03-31", "2031-04-01", "2031-04-02", "2031-04-03", "2031-04-04" };
        foreach (var (day, count) in table) Assert.True((busy.Contains(day) ? "1" : "0") == count, $"{day}: {count}");

        var chart = page.Single("svg#chart-per-day");
        Assert.Equal("img", chart.GetAttribute("role"));
        foreach (var id in chart.GetAttribute("aria-labelledby")!.Split(' ')) Assert.NotNull(chart.QuerySelector($"#{id}"));
        Assert.NotNull(chart.QuerySelector("title"));
        Assert.NotNull(chart.QuerySelector("desc"));
        Assert.Equal(busy, chart.QuerySelectorAll("rect.dash-bar").Select(r => r.GetAttribute("data-day")!).ToArray());
        Assert.NotNull(page.QuerySelector("details table#per-day-table"));
        Assert.Empty(page.QuerySelectorAll("[style]"));
    }

    [Fact]
    public async Task Revenue_per_week_follows_local_weeks_across_the_clock_change()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync($"/admin?{Period}");

        // Week 1: Confirmed 100 (24 Mar), Editing 250 (29 Mar), Delivered 150 (30 Mar 00:30 local). Week 2: Shooting 200
        // (31 Mar 01:30 local, still 30 Mar in UTC), Confirmed 100 (4 Apr); the cancelled, no-show and pending ones earn nothing.
        var weeks = page.QuerySelectorAll("#per-week-table tbody tr")
            .ToDictionary(r => r.GetAttribute("data-week")!, r => decimal.Parse(r.GetAttribute("data-value")!, CultureInfo.InvariantCulture));
        Assert.Equal(new Dictionary<string, decimal> { ["2031-03-24"] = 500m, ["2031-03-31"] = 300m }, weeks);
        var chart = page.Single("svg#chart-revenue");
        Assert.Equal("img", chart.GetAttribute("role"));
        Assert.NotNull(chart.QuerySelector("title"));
        Assert.NotNull(chart.QuerySelector("desc"));
        // The table alternative holds exactly what the bars show.
        Assert.Equal(weeks.Select(w => (w.Key, w.Value)), chart.QuerySelectorAll("rect.dash-bar")
            .Select(r => (r.GetAttribute("data-week")!, decimal.Parse(r.GetAttribute("data-value")!, CultureInfo.InvariantCulture))));
    }

    [Fact]
    public async Task The_export_streams_the_period_as_csv_and_is_audited()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var response = await admin.GetAsync($"/admin/export.csv?{Period}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        // One UTF-8 byte-order mark, so a spreadsheet opens names with umlauts or Cyrillic correctly.
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.NotEqual(0xEF, bytes[3]);
        using var csv = CsvReader.FromText(System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        var rows = new List<(string Code, decimal Price, string Start, string Currency)>();
        while (csv.Read())
            rows.Add((csv.GetString("Code"), decimal.Parse(csv.GetString("Price"), CultureInfo.InvariantCulture), csv.GetString("Start"), csv.GetString("Currency")));

        var expected = Seeded[app];
        Assert.Equal(expected.Count, rows.Count);
        Assert.Equal(expected.OrderBy(e => e.Code), rows.Select(r => (r.Code, r.Price)).OrderBy(r => r.Code));
        Assert.Contains(rows, r => r.Start == "2031-03-30 00:30");   // local time, not UTC
        Assert.All(rows, r => Assert.Equal("EUR", r.Currency));

        await using var db = app.NewDb();
        var audit = await db.AuditEntries.Where(a => a.Action == "bookings.exported").ToListAsync();
        var entry = Assert.Single(audit, a => a.Changes!.Contains("2031-03-24") && a.Changes.Contains("2031-04-06"));
        Assert.NotEqual("client", entry.Actor);
        Assert.NotEqual("", entry.ActorName);
    }

    [Fact]
    public async Task Managers_see_the_dashboard_and_receptionists_do_not()
    {
        var manager = await app.SignedInClientAsync("manager@demo.studio");
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync($"/admin?{Period}")).StatusCode);
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        Assert.Equal(HttpStatusCode.Forbidden, (await reception.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reception.GetAsync($"/admin/export.csv?{Period}")).StatusCode);
    }

    [Fact]
    public async Task The_export_needs_clients_export_and_the_dashboard_offers_it_only_to_those_who_have_it()
    {
        // A studio of its own: the Manager role changes here.
        await using var own = new StudioApp();
        await own.InitializeAsync();
        var admin = await own.SignedInClientAsync("admin@demo.studio");

        async Task SetManagerExportAsync(bool on)
        {
            var page = await admin.GetDocumentAsync("/admin/roles");
            page.QuerySelector<IHtmlInputElement>("#grant-Manager-clients-export")!.IsChecked = on;
            Assert.Equal(HttpStatusCode.SeeOther, (await admin.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#role-matrix")!)).StatusCode);
        }

        await SetManagerExportAsync(false);
        var without = await own.SignedInClientAsync("manager@demo.studio");
        Assert.Equal(HttpStatusCode.Forbidden, (await without.GetAsync($"/admin/export.csv?{Period}")).StatusCode);
        Assert.Null((await without.GetDocumentAsync($"/admin?{Period}")).QuerySelector("#dashboard-export"));
        await using (var db = own.NewDb())
            Assert.DoesNotContain(db.AuditEntries, a => a.Action == "bookings.exported");

        await SetManagerExportAsync(true);
        var with = await own.SignedInClientAsync("manager@demo.studio");
        Assert.Equal(HttpStatusCode.OK, (await with.GetAsync($"/admin/export.csv?{Period}")).StatusCode);
        Assert.NotNull((await with.GetDocumentAsync($"/admin?{Period}")).QuerySelector("#dashboard-export"));
    }

    [Theory]
    [InlineData("range=bogus")]
    [InlineData("range=custom&from=yesterday&to=2031-13-45")]
    [InlineData("range=custom&from=2031-04-06&to=2031-03-24")]
    [InlineData("range=custom&from=2000-01-01&to=2031-01-01")]
    [InlineData("range=custom")]
    public async Task A_nonsense_period_falls_back_to_the_last_30_days(string query)
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync($"/admin?{query}");
        var period = page.Single("#dashboard-period");
        var from = DateOnly.ParseExact(period.GetAttribute("data-from")!, "yyyy-MM-dd");
        var to = DateOnly.ParseExact(period.GetAttribute("data-to")!, "yyyy-MM-dd");
        Assert.Equal(29, to.DayNumber - from.DayNumber);
        Assert.Equal("30d", page.Single("#range option[selected]").GetAttribute("value"));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/admin/export.csv?{query}")).StatusCode);
    }

    [Fact]
    public async Task The_range_form_works_without_javascript_and_htmx_gets_the_body_only()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync("/admin");
        var form = page.Single("form#dashboard-range");
        Assert.Equal("get", form.GetAttribute("method"));
        Assert.Equal("/admin", form.GetAttribute("action"));
        Assert.Equal("#dashboard-body", form.GetAttribute("hx-target"));
        Assert.Equal("true", form.GetAttribute("hx-push-url"));
        Assert.Equal("page", page.Single("nav a[href='/admin']").GetAttribute("aria-current"));

        var fragment = await admin.HtmxAsync(HttpMethod.Get, $"/admin?{Period}");
        Assert.Contains("HX-Request", fragment.Headers.Vary);
        var body = await fragment.ReadDocumentAsync();
        Assert.Null(body.QuerySelector("nav"));
        Assert.Equal("8", Value(body, "#kpi-total"));
        Assert.Equal($"/admin/export.csv?{Period}", body.Single("#dashboard-export").GetAttribute("href"));

        // Another admin page does not light up the dashboard link.
        var rooms = await admin.GetDocumentAsync("/admin/rooms");
        Assert.Null(rooms.Single("nav a[href='/admin']").GetAttribute("aria-current"));
    }

    [Fact]
    public async Task A_page_takes_the_same_queries_for_an_empty_and_a_busy_period()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;

        async Task<int> QueriesAsync(string url)
        {
            await admin.GetDocumentAsync(url); // warm: the security stamp check and caches settle first
            using var counter = new CommandCounter(database);
            await admin.GetDocumentAsync(url);
            return counter.Count;
        }

        var busy = await QueriesAsync($"/admin?{Period}");
        var empty = await QueriesAsync("/admin?range=custom&from=2040-01-01&to=2040-12-31");
        Assert.Equal(empty, busy);
        // Report: settings, by status, clients, new clients, per day, funnel (6); utilization: hours, closures, rooms, staff in
        // 3 split queries, booked per room and per photographer, heatmap (8); today panel (full page only): the day's
        // sessions, bookings made today, today's funnel counts, who works today (4).
        Assert.InRange(busy, 1, 20); // 19 at the time of writing
    }
}
