using AngleSharp.Dom;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace PhotoStudio.Tests.Features.Dashboard;

/// <summary>
/// Utilization and the heatmap over a hand-made week in 2031 (Monday 2 – Sunday 8 June, Europe/Berlin, summer time).
/// Demo studio: weekdays 09–20, Saturday 10–18 = 5 × 11 h + 8 h = 63 h per room. Anna works weekdays 09–17 (40 h)
/// and takes Wednesday 09–13 off (36 h = 2160 min); Ivan Tuesday–Friday 12–20 and Saturday 10–18 (40 h = 2400 min).
/// Every session is 60 minutes (Portrait session).
/// </summary>
public class UtilizationTests(StudioApp app) : IClassFixture<StudioApp>, IAsyncLifetime
{
    private const string Period = "range=custom&from=2031-06-02&to=2031-06-08";
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static readonly HashSet<StudioApp> Seeded = [];

    private static readonly (DateTime Local, BookingStatus Status, string Room, string Photographer)[] Dataset =
    [
        (new(2031, 6, 2, 10, 30, 0), BookingStatus.Confirmed, "Daylight Loft", "anna@demo.studio"), // Mon 10h: 30, 11h: 30
        (new(2031, 6, 3, 10, 0, 0), BookingStatus.Delivered, "Daylight Loft", "anna@demo.studio"),  // Tue 10h: 60
        (new(2031, 6, 5, 10, 0, 0), BookingStatus.Cancelled, "Daylight Loft", "anna@demo.studio"),  // not counted
        (new(2031, 6, 6, 10, 0, 0), BookingStatus.NoShow, "Daylight Loft", "anna@demo.studio"),     // not counted
        (new(2031, 6, 6, 14, 0, 0), BookingStatus.Pending, "Black Box", "anna@demo.studio"),
        (new(2031, 6, 5, 15, 0, 0), BookingStatus.Confirmed, "Black Box", "ivan@demo.studio"),
        (new(2031, 6, 9, 10, 0, 0), BookingStatus.Confirmed, "Daylight Loft", "anna@demo.studio"),  // next week
    ];

    public async Task InitializeAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (!Seeded.Add(app)) return;
            foreach (var (local, status, room, photographer) in Dataset)
                await app.AddBookingAsync(status, photographer, TimeZoneInfo.ConvertTimeToUtc(local, Berlin), "Utilization client", room);
            await using var db = app.NewDb();
            var anna = await db.Employees.SingleAsync(e => e.User!.Email == "anna@demo.studio");
            db.TimeOff.Add(new TimeOff
            {
                EmployeeId = anna.Id, Reason = "Dentist",
                StartsAt = new DateTime(2031, 6, 4, 7, 0, 0, DateTimeKind.Utc), EndsAt = new DateTime(2031, 6, 4, 11, 0, 0, DateTimeKind.Utc),
            });
            await db.SaveChangesAsync();
            await app.ReportsHeardAsync();
        }
        finally { Once.Release(); }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static IElement Row(IDocument page, string table, string name) =>
        page.QuerySelectorAll($"#{table} tbody tr").Single(r => r.GetAttribute("data-name") == name);

    [Fact]
    public async Task Rooms_and_photographers_are_booked_against_their_available_hours()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync($"/admin?{Period}");

        var loft = Row(page, "utilization-rooms", "Daylight Loft");
        Assert.Equal("120", loft.GetAttribute("data-booked"));
        Assert.Equal("3780", loft.GetAttribute("data-available"));
        Assert.Equal("0.0317", loft.GetAttribute("data-value"));          // 120 / 3780
        var box = Row(page, "utilization-rooms", "Black Box");
        Assert.Equal("0.0317", box.GetAttribute("data-value"));

        var anna = Row(page, "utilization-photographers", "Anna Lehmann");
        Assert.Equal("180", anna.GetAttribute("data-booked"));
        Assert.Equal("2160", anna.GetAttribute("data-available"));
        Assert.Equal("0.0833", anna.GetAttribute("data-value"));          // 180 / 2160
        var ivan = Row(page, "utilization-photographers", "Ivan Petrov");
        Assert.Equal("2400", ivan.GetAttribute("data-available"));
        Assert.Equal("0.025", ivan.GetAttribute("data-value"));           // 60 / 2400
    }

    [Fact]
    public async Task The_heatmap_shows_the_booked_share_of_each_weekday_hour()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync($"/admin?{Period}");
        await using var db = app.NewDb();
        var loftId = await db.Rooms.Where(r => r.Name == "Daylight Loft").Select(r => r.Id).SingleAsync();

        var svg = page.Single($"svg#heatmap-{loftId}");
        Assert.Equal("img", svg.GetAttribute("role"));
        foreach (var id in svg.GetAttribute("aria-labelledby")!.Split(' ')) Assert.NotNull(svg.QuerySelector($"#{id}"));
        Assert.NotNull(svg.QuerySelector("title"));
        Assert.NotNull(svg.QuerySelector("desc"));

        IElement Cell(string day, int hour) => svg.QuerySelectorAll("rect").Single(r => r.GetAttribute("data-day") == day && r.GetAttribute("data-hour") == $"{hour}");
        // Opening hours 09–20 on weekdays: eleven columns.
        Assert.Equal(7 * 11, svg.QuerySelectorAll("rect").Length);
        Assert.Equal("0.5", Cell("Monday", 10).GetAttribute("data-value"));    // 30 of 60 minutes
        Assert.Equal("dash-heat-2", Cell("Monday", 10).GetAttribute("class"));
        Assert.Equal("0.5", Cell("Monday", 11).GetAttribute("data-value"));
        Assert.Equal("1", Cell("Tuesday", 10).GetAttribute("data-value"));
        Assert.Equal("dash-heat-4", Cell("Tuesday", 10).GetAttribute("class"));
        Assert.Equal("0", Cell("Thursday", 10).GetAttribute("data-value"));   // cancelled
        Assert.Equal("0", Cell("Friday", 10).GetAttribute("data-value"));     // no-show
        Assert.Equal("dash-heat-closed", Cell("Sunday", 10).GetAttribute("class"));
        Assert.NotNull(Cell("Monday", 10).QuerySelector("title"));

        var table = page.Single($"details table#heatmap-{loftId}-table");
        var monday10 = table.QuerySelector("tr[data-day='Monday'] td[data-hour='10']")!;
        Assert.Equal("0.5", monday10.GetAttribute("data-value"));
        Assert.Empty(page.QuerySelectorAll("[style]"));
    }

    [Fact]
    public async Task A_page_takes_the_same_queries_for_an_empty_and_a_busy_week()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;

        async Task<int> QueriesAsync(string url)
        {
            await admin.GetDocumentAsync(url);
            app.ForgetReports(); // the figures as read after a change, not as kept
            using var counter = new CommandCounter(database);
            await admin.GetDocumentAsync(url);
            return counter.Count;
        }

        Assert.Equal(await QueriesAsync("/admin?range=custom&from=2040-06-04&to=2040-06-10"), await QueriesAsync($"/admin?{Period}"));
    }
}
