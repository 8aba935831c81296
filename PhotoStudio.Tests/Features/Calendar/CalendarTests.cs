using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Calendar;

public class CalendarTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string Reception = "reception@demo.studio";
    private const string Anna = "anna@demo.studio";

    private sealed record Known(int Id, DateTime StartsAt, DateTime EndsAt, int RoomId, string Room, int? PhotographerId, string Client);

    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = app.NewClient();
        await client.SignInAsync(email);
        return client;
    }

    private async Task<(TimeZoneInfo Zone, int Step)> StudioAsync()
    {
        await using var db = app.NewDb();
        var studio = await db.Settings.SingleAsync();
        return (TimeZoneInfo.FindSystemTimeZoneById(studio.TimeZone), studio.SlotStepMinutes);
    }

    /// <summary>The first live seeded booking with a photographer on a day when other photographers shoot too.</summary>
    private async Task<Known> ABookingAsync(string? photographerEmail = null)
    {
        await using var db = app.NewDb();
        var live = db.Bookings.Where(b => b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.NoShow);
        return await live
            .Where(b => b.Photographer != null && (photographerEmail == null || b.Photographer.User!.Email == photographerEmail))
            .Where(b => live.Any(o => o.PhotographerId != b.PhotographerId && o.PhotographerId != null && o.StartsAt.Date == b.StartsAt.Date))
            .OrderBy(b => b.StartsAt)
            .Select(b => new Known(b.Id, b.StartsAt, b.EndsAt, b.RoomId, b.Room!.Name, b.PhotographerId, b.Client!.Name))
            .FirstAsync();
    }

    private static string Day(DateTime utc, TimeZoneInfo zone) => TimeZoneInfo.ConvertTimeFromUtc(utc, zone).ToString("yyyy-MM-dd");

    /// <summary>The grid column a cell starts in, counting the row header as column 0 and colspans as they span.</summary>
    private static int ColumnOf(IElement cell)
    {
        var column = 0;
        foreach (var sibling in cell.ParentElement!.Children)
        {
            if (sibling == cell) return column;
            column += int.Parse(sibling.GetAttribute("colspan") ?? "1");
        }
        throw new InvalidOperationException("The cell is not in its row.");
    }

    private static int HeaderColumn(IParentNode page, string time) =>
        page.QuerySelectorAll("thead th").Select((th, i) => (th, i)).Single(x => x.th.GetAttribute("data-time") == time).i;

    private static string RowName(IElement row) => row.QuerySelector("th[scope=row]")!.TextContent.Trim();

    [Fact]
    public async Task Day_view_by_room_shows_a_booking_as_one_cell_spanning_its_slots_in_its_room_row()
    {
        var (zone, step) = await StudioAsync();
        var booking = await ABookingAsync();
        var client = await SignedInAsync(Reception);

        var url = $"/calendar?view=day&by=room&date={Day(booking.StartsAt, zone)}";
        var page = await client.GetDocumentAsync(url);

        var link = page.Single($"a[href='/board/bookings/{booking.Id}']");
        Assert.Equal($"/board/bookings/{booking.Id}", link.GetAttribute("hx-get"));
        Assert.Equal("#panel", link.GetAttribute("hx-target"));
        Assert.Equal("innerHTML", link.GetAttribute("hx-swap"));
        Assert.Contains(booking.Client, link.TextContent);
        var cell = link.Closest("td")!;
        Assert.Equal((int)(booking.EndsAt - booking.StartsAt).TotalMinutes / step, int.Parse(cell.GetAttribute("colspan")!));
        Assert.Equal(booking.Room, RowName(cell.Closest("tr")!));
        var start = TimeZoneInfo.ConvertTimeFromUtc(booking.StartsAt, zone).ToString("HH:mm");
        Assert.Equal(HeaderColumn(page, start), ColumnOf(cell));

        Assert.Equal(url, page.Single("#calendar-grid[data-live-refresh]").GetAttribute("hx-get"));
        Assert.Equal("refresh", page.Single("#calendar-grid").GetAttribute("hx-trigger"));
        Assert.NotNull(page.QuerySelector("#panel"));
        Assert.NotNull(page.QuerySelector("[data-live-events='/board/events'] #calendar-grid"));
        Assert.NotNull(page.QuerySelector("table.cal-day caption"));
        Assert.Empty(page.QuerySelectorAll("#calendar-grid [style]"));
        Assert.NotNull(page.QuerySelector("nav a[href='/calendar']"));
    }

    [Fact]
    public async Task A_photographer_sees_only_her_own_row_and_bookings_and_reception_sees_every_photographer()
    {
        var (zone, _) = await StudioAsync();
        var booking = await ABookingAsync(Anna);
        var day = Day(booking.StartsAt, zone);
        await using var db = app.NewDb();
        var annaId = booking.PhotographerId!.Value;
        var annasBookings = await db.Bookings.Where(b => b.PhotographerId == annaId).Select(b => b.Id).ToListAsync();

        var anna = await SignedInAsync(Anna);
        var own = await anna.GetDocumentAsync($"/calendar?view=day&by=photographer&date={day}");
        var rows = own.QuerySelectorAll("tbody tr");
        Assert.Equal("Anna Lehmann", RowName(Assert.Single(rows)));
        var links = own.QuerySelectorAll("a.cal-link").Select(a => int.Parse(a.GetAttribute("href")!.Split('/').Last())).ToList();
        Assert.Contains(booking.Id, links);
        Assert.All(links, id => Assert.Contains(id, annasBookings));

        // By room she still sees only her own sessions, in whichever room they are.
        var rooms = await anna.GetDocumentAsync($"/calendar?view=week&by=room&date={day}");
        Assert.All(rooms.QuerySelectorAll("a.cal-link"), a => Assert.Contains(int.Parse(a.GetAttribute("href")!.Split('/').Last()), annasBookings));

        var reception = await SignedInAsync(Reception);
        var all = await reception.GetDocumentAsync($"/calendar?view=day&by=photographer&date={day}");
        var names = all.QuerySelectorAll("tbody tr").Select(RowName).ToList();
        Assert.Contains("Anna Lehmann", names);
        Assert.Contains("Ivan Petrov", names);
        Assert.Contains("Maria Sokolova", names);
        Assert.True(all.QuerySelectorAll("a.cal-link").Length > links.Count);
    }

    [Fact]
    public async Task A_closure_day_is_shaded_closed_in_the_day_and_the_week_view()
    {
        await using var db = app.NewDb();
        var closure = await db.Closures.OrderBy(c => c.FirstDay).FirstAsync();
        var day = closure.FirstDay.ToString("yyyy-MM-dd");
        var client = await SignedInAsync(Reception);

        var page = await client.GetDocumentAsync($"/calendar?view=day&by=room&date={day}");
        Assert.Contains("Closed", page.Single(".cal-closed-note").TextContent);
        Assert.Contains(closure.Reason, page.Single(".cal-closed-note").TextContent);
        var cells = page.QuerySelectorAll("table.cal-day tbody td");
        Assert.NotEmpty(cells);
        Assert.All(cells, td => Assert.Contains("cal-closed", td.ClassList));
        Assert.Contains(page.QuerySelectorAll("tbody td .visually-hidden"), s => s.TextContent == "Closed");

        var week = await client.GetDocumentAsync($"/calendar?view=week&by=photographer&date={day}");
        var closed = week.QuerySelectorAll($"tbody td[data-date='{day}']");
        Assert.NotEmpty(closed);
        Assert.All(closed, td =>
        {
            Assert.Contains("cal-closed", td.ClassList);
            Assert.Equal("Closed", td.QuerySelector(".cal-label")!.TextContent.Trim());
        });
    }

    [Fact]
    public async Task Time_off_and_hours_outside_work_are_shaded_off_on_the_photographers_row()
    {
        var (zone, _) = await StudioAsync();
        await using var db = app.NewDb();
        var anna = await db.Employees.SingleAsync(e => e.User!.Email == Anna);
        // A Tuesday five weeks out: past the seeded bookings, and not a closure.
        var tuesday = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(35));
        while (tuesday.DayOfWeek != DayOfWeek.Tuesday || await db.Closures.AnyAsync(c => c.FirstDay <= tuesday.AddDays(1) && c.LastDay >= tuesday))
            tuesday = tuesday.AddDays(1);
        DateTime Utc(DateOnly d, int hour) => TimeZoneInfo.ConvertTimeToUtc(d.ToDateTime(new TimeOnly(hour, 0)), zone);
        db.TimeOff.AddRange(
            new TimeOff { EmployeeId = anna.Id, StartsAt = Utc(tuesday, 10), EndsAt = Utc(tuesday, 12), Reason = "Test: doctor" },
            new TimeOff { EmployeeId = anna.Id, StartsAt = Utc(tuesday.AddDays(1), 0), EndsAt = Utc(tuesday.AddDays(2), 0), Reason = "Test: day off" });
        await db.SaveChangesAsync();
        var client = await SignedInAsync(Reception);

        var page = await client.GetDocumentAsync($"/calendar?view=day&by=photographer&date={tuesday:yyyy-MM-dd}");
        var row = page.QuerySelectorAll("tbody tr").Single(r => RowName(r) == "Anna Lehmann");
        IElement At(string time) => row.Children.Single(c => ColumnOf(c) == HeaderColumn(page, time));
        Assert.DoesNotContain("cal-off", At("09:30").ClassList);
        foreach (var time in new[] { "10:00", "10:30", "11:00", "11:30" })
            Assert.Contains("cal-off", At(time).ClassList);
        Assert.Equal("Time off", At("10:00").QuerySelector(".visually-hidden")!.TextContent);
        Assert.DoesNotContain("cal-off", At("12:00").ClassList);
        // Anna works until 17:00; the studio stays open until 20:00.
        Assert.Contains("cal-off", At("17:00").ClassList);
        Assert.Equal("Not working", At("17:00").QuerySelector(".visually-hidden")!.TextContent);
        Assert.DoesNotContain("cal-closed", At("17:00").ClassList);

        var week = await client.GetDocumentAsync($"/calendar?view=week&by=photographer&date={tuesday:yyyy-MM-dd}");
        var annaWeek = week.QuerySelectorAll("tbody tr").Single(r => RowName(r) == "Anna Lehmann");
        var partial = annaWeek.Single($"td[data-date='{tuesday:yyyy-MM-dd}']");
        Assert.DoesNotContain("cal-off", partial.ClassList);
        Assert.StartsWith("Time off 10:00", partial.Single(".cal-chip-off").TextContent.Trim());
        var whole = annaWeek.Single($"td[data-date='{tuesday.AddDays(1):yyyy-MM-dd}']");
        Assert.Contains("cal-off", whole.ClassList);
        Assert.Equal("Time off", whole.Single(".cal-label").TextContent.Trim());
    }

    [Fact]
    public async Task Week_view_has_seven_days_from_monday_and_the_booking_chip_in_its_room_and_day()
    {
        var (zone, _) = await StudioAsync();
        var booking = await ABookingAsync();
        var local = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(booking.StartsAt, zone));
        var monday = local.AddDays(-(((int)local.DayOfWeek + 6) % 7));
        var client = await SignedInAsync(Reception);

        var page = await client.GetDocumentAsync($"/calendar?view=week&by=room&date={local:yyyy-MM-dd}");
        var days = page.QuerySelectorAll("thead th[data-date]").Select(th => th.GetAttribute("data-date")).ToList();
        Assert.Equal(Enumerable.Range(0, 7).Select(i => monday.AddDays(i).ToString("yyyy-MM-dd")), days);
        var chip = page.Single($"a[href='/board/bookings/{booking.Id}']");
        Assert.NotNull(chip.Closest("li.cal-chip"));
        var cell = chip.Closest("td")!;
        Assert.Equal(local.ToString("yyyy-MM-dd"), cell.GetAttribute("data-date"));
        Assert.Equal(booking.Room, RowName(cell.Closest("tr")!));
        Assert.Contains(booking.Client, chip.TextContent);
    }

    [Fact]
    public async Task An_htmx_request_gets_only_the_grid_and_the_answer_varies_by_hx_request()
    {
        var client = await SignedInAsync(Reception);

        var fragment = await client.HtmxAsync(HttpMethod.Get, "/calendar?view=week&by=photographer");
        Assert.Equal(HttpStatusCode.OK, fragment.StatusCode);
        Assert.Contains("HX-Request", fragment.Headers.Vary);
        var html = await fragment.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        Assert.StartsWith("<div id=\"calendar-grid\"", html.Trim());
        var grid = (await fragment.ReadDocumentAsync()).Body!;
        Assert.Single(grid.Children);
        Assert.NotNull(grid.QuerySelector("table.cal-week"));

        var page = await client.GetAsync("/calendar");
        Assert.Contains("HX-Request", page.Headers.Vary);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("?view=xyz&by=abc&date=garbage")]
    [InlineData("?date=2026-02-30")]
    [InlineData("?date=0001-01-01&view=week")]
    [InlineData("?date=9999-12-31&view=week")]
    [InlineData("?view=1&by=1")]
    public async Task Bad_query_values_fall_back_to_the_defaults(string query)
    {
        var (zone, _) = await StudioAsync();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(app.Clock.GetUtcNow().UtcDateTime, zone));
        var client = await SignedInAsync(Reception);

        var response = await client.GetAsync("/calendar" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Equal(today.ToString("yyyy-MM-dd"), page.Single("#cal-date").GetAttribute("value"));
        Assert.NotNull(page.QuerySelector("#cal-by option[value=room][selected]"));
        if (!query.Contains("week")) Assert.NotNull(page.QuerySelector("#cal-view option[value=day][selected]"));
    }

    [Fact]
    public async Task On_the_day_clocks_go_forward_a_booking_at_ten_local_sits_in_the_ten_o_clock_column()
    {
        // 2027-03-28, a Sunday: Europe/Berlin moves from +01:00 to +02:00 at 02:00.
        var (zone, step) = await StudioAsync();
        Assert.Equal("Europe/Berlin", zone.Id);
        var day = new DateOnly(2027, 3, 28);
        await using var db = app.NewDb();
        var hours = new BusinessHours { Weekday = DayOfWeek.Sunday, Opens = new TimeOnly(9, 0), Closes = new TimeOnly(18, 0) };
        db.BusinessHours.Add(hours);
        var room = await db.Rooms.OrderBy(r => r.Id).FirstAsync();
        var service = await db.Services.SingleAsync(s => s.Name == "Portrait session");
        var start = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(10, 0)), zone);
        Assert.Equal(new DateTime(2027, 3, 28, 8, 0, 0), start);
        var booking = new PhotoStudio.Data.Booking
        {
            Code = "PS-DST27", ClientId = await db.Clients.Select(c => c.Id).FirstAsync(), ServiceId = service.Id, RoomId = room.Id,
            Status = BookingStatus.Confirmed, Price = service.Price, Currency = "EUR", ManageTokenHash = RandomNumberGenerator.GetBytes(32),
            CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
        };
        booking.Block(DateTime.SpecifyKind(start, DateTimeKind.Utc), DateTime.SpecifyKind(start.AddMinutes(service.DurationMinutes), DateTimeKind.Utc), room);
        db.Bookings.Add(booking);
        await db.SaveChangesAsync();
        try
        {
            var client = await SignedInAsync(Reception);
            var page = await client.GetDocumentAsync("/calendar?view=day&by=room&date=2027-03-28");

            var times = page.QuerySelectorAll("thead th[data-time]").Select(th => th.GetAttribute("data-time")).ToList();
            Assert.Equal(Enumerable.Range(0, 9 * 60 / step).Select(i => new TimeOnly(9, 0).AddMinutes(i * step).ToString("HH:mm")), times);
            var hourLabels = page.QuerySelectorAll("thead th.cal-hour").Select(th => th.TextContent.Trim()).ToList();
            Assert.Equal(9, hourLabels.Count);
            Assert.Equal(hourLabels.Count, hourLabels.Distinct().Count());

            var cell = page.Single($"a[href='/board/bookings/{booking.Id}']").Closest("td")!;
            Assert.Equal(HeaderColumn(page, "10:00"), ColumnOf(cell));
            Assert.Equal(service.DurationMinutes / step, int.Parse(cell.GetAttribute("colspan")!));
            Assert.Equal(room.Name, RowName(cell.Closest("tr")!));
            Assert.Empty(page.QuerySelectorAll("tbody td.cal-closed"));
        }
        finally
        {
            db.Bookings.Remove(booking);
            db.BusinessHours.Remove(hours);
            await db.SaveChangesAsync();
        }
    }

    [Fact]
    public async Task A_page_takes_the_same_few_queries_whatever_the_number_of_rows_and_bookings()
    {
        var (zone, _) = await StudioAsync();
        var booking = await ABookingAsync();
        var client = await SignedInAsync(Reception);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;

        async Task<int> QueriesAsync(string url)
        {
            await client.GetDocumentAsync(url); // warm: the security stamp check and caches settle first
            using var counter = new CommandCounter(database);
            await client.GetDocumentAsync(url);
            return counter.Count;
        }

        var busyWeek = await QueriesAsync($"/calendar?view=week&by=photographer&date={Day(booking.StartsAt, zone)}");
        var emptyWeek = await QueriesAsync("/calendar?view=week&by=photographer&date=2031-06-02");
        var busyDay = await QueriesAsync($"/calendar?view=day&by=room&date={Day(booking.StartsAt, zone)}");
        Assert.Equal(emptyWeek, busyWeek);
        Assert.InRange(busyWeek, 1, 8);
        Assert.InRange(busyDay, 1, 6);
    }
}
