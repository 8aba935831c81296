using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Features.Dashboard;
using PhotoStudio.Tests.Support;
using BookingRow = PhotoStudio.Data.Booking;

namespace PhotoStudio.Tests.Features.Dashboard;

/// <summary>
/// The dashboard reads roll-ups that triggers keep beside the bookings. After a seeded random series of creates, moves,
/// reschedules, status changes, cancellations, client and price changes, several-row statements and deletes, most of
/// them on or across the DST days of 2031 in the studio's zone (Europe/Berlin: 30 March and 26 October), every figure
/// the dashboard shows must equal the same figure worked out here straight from the bookings; and again after the
/// studio's zone changes (the roll-ups are rebuilt in the new zone) and changes back.
/// </summary>
public class RollUpTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static readonly BookingStatus[] Earning =
        [BookingStatus.Confirmed, BookingStatus.Shooting, BookingStatus.Editing, BookingStatus.Delivered];

    // Periods that start or end on the DST days, contain them, or are just those days; and the whole year.
    private static readonly (string From, string To)[] Periods =
    [
        ("2031-03-30", "2031-03-30"), ("2031-03-24", "2031-03-30"), ("2031-03-30", "2031-04-12"), ("2031-03-29", "2031-03-31"),
        ("2031-10-26", "2031-10-26"), ("2031-10-20", "2031-10-26"), ("2031-10-26", "2031-11-08"), ("2031-10-01", "2031-10-31"),
        ("2031-01-01", "2031-12-31"),
    ];

    // The days sessions land on: mostly around the two clock changes, a few anywhere in the year.
    private static readonly DateTime[] Around =
        [new(2031, 3, 28, 0, 0, 0, DateTimeKind.Utc), new(2031, 10, 24, 0, 0, 0, DateTimeKind.Utc)];

    [Fact]
    public async Task Roll_ups_equal_the_raw_figures_after_a_random_series_of_changes_across_DST_days()
    {
        var random = new Random(15);
        await using (var db = app.NewDb())
        {
            var rooms = await db.Rooms.Select(r => r.Id).ToListAsync();
            var staff = await db.Employees.Select(e => e.Id).ToListAsync();
            var services = await db.Services.ToListAsync();
            var made = new List<int>();
            var applied = 0;

            DateTime Start()
            {
                var day = random.Next(10) == 0
                    ? new DateTime(2031, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(random.Next(365))
                    : Around[random.Next(Around.Length)].AddDays(random.Next(5));
                return day.AddMinutes(15 * random.Next(96));
            }
            int Minutes() => 15 * random.Next(1, 17);
            BookingStatus Status() => (BookingStatus)random.Next(Enum.GetValues<BookingStatus>().Length);
            int? Photographer() => random.Next(4) == 0 ? null : staff[random.Next(staff.Count)];
            int Some() => made[random.Next(made.Count)];

            for (var step = 0; step < 400; step++)
            {
                var op = made.Count < 20 ? 0 : random.Next(10);
                var start = Start();
                var end = start.AddMinutes(Minutes());
                var status = Status();
                // A change the exclusion constraints refuse (a live session over another in the same room or with the same
                // photographer) changes nothing, like in the app: the series goes on with the next one.
                try
                {
                    switch (op)
                    {
                        case 0 or 1:
                            var service = services[random.Next(services.Count)];
                            var roomId = rooms[random.Next(rooms.Count)];
                            var room = await db.Rooms.SingleAsync(r => r.Id == roomId);
                            var booking = TestBookings.NewBooking($"RU-{step:D5}", $"Roll-up client {step}", $"rollup-{step}@example.test",
                                service, room, Photographer(), status, start, end,
                                start.AddDays(-random.Next(0, 90)).AddMinutes(-random.Next(1440)));
                            // Every third booking is a returning client's (one of the earlier ones).
                            if (made.Count > 0 && random.Next(3) == 0)
                            {
                                var earlier = Some();
                                booking.Client = null;
                                booking.ClientId = await db.Bookings.Where(b => b.Id == earlier).Select(b => b.ClientId).SingleAsync();
                            }
                            booking.Price = random.Next(0, 50_000) / 100m;
                            db.Bookings.Add(booking);
                            await db.SaveChangesAsync();
                            made.Add(booking.Id);
                            break;
                        case 2:
                            await db.Database.ExecuteSqlAsync($"UPDATE bookings SET room_id = {rooms[random.Next(rooms.Count)]} WHERE id = {Some()}");
                            break;
                        case 3:
                            await db.Database.ExecuteSqlAsync($"UPDATE bookings SET photographer_id = {Photographer()} WHERE id = {Some()}");
                            break;
                        case 4:
                            await db.Database.ExecuteSqlAsync(
                                $"UPDATE bookings SET starts_at = {start}, ends_at = {end}, blocked = tstzrange({start}, {end}) WHERE id = {Some()}");
                            break;
                        case 5:
                            await db.Database.ExecuteSqlAsync($"UPDATE bookings SET status = {status.ToString()} WHERE id = {Some()}");
                            break;
                        case 6:
                            await db.Database.ExecuteSqlAsync($"UPDATE bookings SET status = 'Cancelled' WHERE id = {Some()}");
                            break;
                        case 7:
                            // A merge of clients, a changed price snapshot, a back-dated creation: one statement each.
                            var donor = Some();
                            var other = await db.Bookings.Where(b => b.Id == donor).Select(b => b.ClientId).SingleAsync();
                            await db.Database.ExecuteSqlAsync($"UPDATE bookings SET client_id = {other} WHERE id = {Some()}");
                            await db.Database.ExecuteSqlAsync($"UPDATE bookings SET price = {random.Next(0, 50_000) / 100m} WHERE id = {Some()}");
                            await db.Database.ExecuteSqlAsync(
                                $"UPDATE bookings SET created_at = created_at - make_interval(hours => {random.Next(-48, 2000)}) WHERE id = {Some()}");
                            break;
                        case 8:
                            // Several rows in one statement: everything of one room on one day moves an hour later, or is cancelled.
                            var picked = Some();
                            var pick = await db.Bookings.Where(b => b.Id == picked).Select(b => new { b.RoomId, b.StartsAt }).SingleAsync();
                            if (random.Next(2) == 0)
                                await db.Database.ExecuteSqlAsync($"""
                                    UPDATE bookings SET starts_at = starts_at + interval '1 hour', ends_at = ends_at + interval '1 hour',
                                                        blocked = tstzrange(lower(blocked) + interval '1 hour', upper(blocked) + interval '1 hour')
                                    WHERE room_id = {pick.RoomId} AND starts_at >= {pick.StartsAt.AddHours(-12)} AND starts_at < {pick.StartsAt.AddHours(12)}
                                    """);
                            else
                                await db.Database.ExecuteSqlAsync(
                                    $"UPDATE bookings SET status = 'Cancelled' WHERE room_id = {pick.RoomId} AND starts_at >= {pick.StartsAt.AddHours(-12)} AND starts_at < {pick.StartsAt.AddHours(12)}");
                            break;
                        default:
                            var gone = Some();
                            await db.Database.ExecuteSqlAsync($"DELETE FROM bookings WHERE id = {gone}");
                            made.Remove(gone);
                            break;
                    }
                    applied++;
                }
                catch (Exception e) when (e is PostgresException { SqlState: PostgresErrorCodes.ExclusionViolation }
                                              || e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ExclusionViolation })
                {
                    db.ChangeTracker.Clear();
                }
            }
            // The series must really have changed things (not refused them all).
            Assert.True(applied > 300, $"{applied} of 400 changes applied");
            Assert.True(made.Count > 50, $"{made.Count} bookings left");
        }

        await AssertRollUpsMatchAsync("Europe/Berlin");

        // Another zone: the roll-ups are rebuilt in it (the buckets of Berlin's days are not New York's).
        await SetZoneAsync("America/New_York");
        await AssertRollUpsMatchAsync("America/New_York");
        await SetZoneAsync("Europe/Berlin");
        await AssertRollUpsMatchAsync("Europe/Berlin");
    }

    [Fact]
    public async Task The_period_report_reads_no_booking_rows()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        const string year = "/admin?range=custom&from=2031-01-01&to=2031-12-31";
        await admin.HtmxAsync(HttpMethod.Get, year);

        // The period form's answer (the body without the today panel): KPIs of the period and the one before, per day,
        // utilization and heatmap, funnel, all from the roll-ups. A fixed handful of queries, none over bookings.
        using var all = new CommandCounter(database);
        // EF names the table "bookings AS b"; SQL by hand would read "FROM bookings b".
        using var queried = new CommandCounter(database, containing: "bookings AS ");
        using var handWritten = new CommandCounter(database, containing: "FROM bookings ");
        app.ForgetReports(); // the figures as read after a change, not as kept
        var response = await admin.HtmxAsync(HttpMethod.Get, year);
        response.EnsureSuccessStatusCode();
        Assert.Equal(0, queried.Count + handWritten.Count);
        // Settings; by status and clients, twice (the period and the one before); per day; funnel; utilization: hours,
        // closures, rooms, staff in 3 split queries, booked per room and per photographer, heatmap: 16.
        Assert.InRange(all.Count, 1, 16);
    }

    // The app keeps the settings row per instance: wait until it heard of the change before reading a report.
    private Task SetZoneAsync(string zone) =>
        app.ChangeSettingsAsync(db => db.Database.ExecuteSqlAsync($"UPDATE studio_settings SET time_zone = {zone}"));

    private async Task AssertRollUpsMatchAsync(string zoneId)
    {
        await app.ReportsHeardAsync();
        List<BookingRow> bookings;
        await using (var db = app.NewDb())
            bookings = await db.Bookings.AsNoTracking().ToListAsync();

        foreach (var (from, to) in Periods)
        {
            await using var scope = app.Scope();
            var dashboard = scope.ServiceProvider.GetRequiredService<DashboardService>();
            var w = await dashboard.WindowAsync("custom", from, to, default);
            Assert.Equal(zoneId, w.Zone.Id);
            var report = await dashboard.ReportAsync(w, default);
            var what = $"{zoneId} {from}…{to}";

            AssertKpis(Kpis(bookings, w), report.Kpis, what);
            AssertKpis(Kpis(bookings, w.Previous()), report.Previous!, what + " (previous)");

            var inRange = InRange(bookings, w);
            var perDay = inRange.GroupBy(b => LocalDay(b.StartsAt, w.Zone))
                .ToDictionary(g => g.Key, g => (Count: g.Count(), Revenue: g.Where(b => Earning.Contains(b.Status)).Sum(b => b.Price)));
            Assert.Equal(w.Period.Days, report.PerDay.Count);
            foreach (var day in report.PerDay)
            {
                var expected = perDay.GetValueOrDefault(day.Day);
                Assert.True(expected.Count == day.Count && expected.Revenue == day.Revenue,
                    $"{what} {day.Day}: {day.Count}, {day.Revenue} instead of {expected.Count}, {expected.Revenue}");
            }

            var live = inRange.Where(b => BookingRow.IsLive(b.Status)).ToList();
            foreach (var room in report.Utilization.Rooms)
                AssertClose(live.Where(b => b.RoomId == room.Id).Sum(b => (b.EndsAt - b.StartsAt).TotalMinutes), room.BookedMinutes, $"{what} room {room.Name}");
            Assert.Empty(live.Select(b => b.RoomId).Distinct().Except(report.Utilization.Rooms.Select(r => r.Id)));
            foreach (var person in report.Utilization.Photographers)
                AssertClose(live.Where(b => b.PhotographerId == person.Id).Sum(b => (b.EndsAt - b.StartsAt).TotalMinutes), person.BookedMinutes,
                    $"{what} photographer {person.Name}");
            Assert.Empty(live.Where(b => b.PhotographerId != null).Select(b => b.PhotographerId!.Value).Distinct()
                .Except(report.Utilization.Photographers.Select(p => p.Id)));

            var heat = Heat(live, w.Zone);
            foreach (var map in report.Utilization.Heatmaps)
                foreach (var cell in map.Cells)
                    AssertClose(heat.GetValueOrDefault((map.RoomId, cell.Day, cell.Hour)), cell.BookedMinutes,
                        $"{what} heatmap {map.Name} {cell.Day} {cell.Hour}h");
            // The hours outside opening time are not drawn, but the roll-up holds them too.
            await using var db = app.NewDb();
            var stored = await db.RoomHourStats.Where(h => h.Day >= w.Period.From && h.Day <= w.Period.To)
                .GroupBy(h => new { h.RoomId, h.Weekday, h.Hour })
                .Select(g => new { g.Key.RoomId, g.Key.Weekday, g.Key.Hour, Seconds = g.Sum(h => h.BookedSeconds) })
                .ToListAsync();
            Assert.Equal(heat.Count, stored.Count);
            foreach (var s in stored)
                AssertClose(heat.GetValueOrDefault((s.RoomId, s.Weekday, s.Hour)), (double)(s.Seconds / 60m), $"{what} stored heat {s.RoomId} {s.Weekday} {s.Hour}h");
        }
    }

    private static void AssertKpis(DashboardKpis expected, DashboardKpis actual, string what)
    {
        Assert.Equal(expected.ByStatus, actual.ByStatus);
        Assert.True(expected.Total == actual.Total, $"{what}: total {actual.Total} instead of {expected.Total}");
        Assert.True(expected.Revenue == actual.Revenue, $"{what}: revenue {actual.Revenue} instead of {expected.Revenue}");
        Assert.Equal(expected.AverageValue, actual.AverageValue);
        Assert.Equal(expected.CancellationRate, actual.CancellationRate);
        Assert.Equal(expected.NoShowRate, actual.NoShowRate);
        Assert.True(expected.NewClients == actual.NewClients, $"{what}: {actual.NewClients} new clients instead of {expected.NewClients}");
        Assert.True(expected.ReturningClients == actual.ReturningClients,
            $"{what}: {actual.ReturningClients} returning clients instead of {expected.ReturningClients}");
        Assert.Equal(expected.AverageLeadDays is null, actual.AverageLeadDays is null);
        if (expected.AverageLeadDays is { } lead) AssertClose(lead, actual.AverageLeadDays!.Value, $"{what}: lead days");
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) < 1e-6, $"{what}: {actual} instead of {expected}");

    private static List<BookingRow> InRange(List<BookingRow> bookings, DashboardService.Window w) =>
        [.. bookings.Where(b => b.StartsAt >= w.FromUtc && b.StartsAt < w.ToUtc)];

    private static DateOnly LocalDay(DateTime utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));

    /// <summary>The KPIs of a period worked out from the bookings themselves, as the dashboard defines them.</summary>
    private static DashboardKpis Kpis(List<BookingRow> all, DashboardService.Window w)
    {
        var inRange = InRange(all, w);
        int CountOf(BookingStatus s) => inRange.Count(b => b.Status == s);
        var earning = inRange.Where(b => Earning.Contains(b.Status)).ToList();
        var revenue = earning.Sum(b => b.Price);
        var notCancelled = inRange.Where(b => b.Status != BookingStatus.Cancelled).ToList();
        var clients = inRange.Select(b => b.ClientId).ToHashSet();
        var firstMade = all.GroupBy(b => b.ClientId).ToDictionary(g => g.Key, g => g.Min(b => b.CreatedAt));
        var newClients = clients.Count(c => firstMade[c] >= w.FromUtc && firstMade[c] < w.ToUtc);
        return new DashboardKpis(
            [.. Enum.GetValues<BookingStatus>().Select(s => new StatusCount(s, CountOf(s)))],
            inRange.Count,
            revenue,
            earning.Count == 0 ? null : Math.Round(revenue / earning.Count, 2),
            inRange.Count == 0 ? null : (double)CountOf(BookingStatus.Cancelled) / inRange.Count,
            notCancelled.Count == 0 ? null : (double)CountOf(BookingStatus.NoShow) / notCancelled.Count,
            newClients,
            clients.Count - newClients,
            notCancelled.Count == 0 ? null : notCancelled.Sum(b => (b.StartsAt - b.CreatedAt).TotalDays) / notCancelled.Count);
    }

    /// <summary>
    /// Booked minutes per room, local weekday and local hour: each session walked minute by minute on the UTC axis
    /// and every minute put in the local hour it falls in (a repeated autumn hour adds to the same cell twice).
    /// </summary>
    private static Dictionary<(int RoomId, DayOfWeek Day, int Hour), double> Heat(List<BookingRow> live, TimeZoneInfo zone)
    {
        var heat = new Dictionary<(int, DayOfWeek, int), double>();
        foreach (var b in live)
            for (var t = DateTime.SpecifyKind(b.StartsAt, DateTimeKind.Utc); t < b.EndsAt; t = t.AddMinutes(1))
            {
                var local = TimeZoneInfo.ConvertTimeFromUtc(t, zone);
                var key = (b.RoomId, local.DayOfWeek, local.Hour);
                heat[key] = heat.GetValueOrDefault(key) + Math.Min(1, (b.EndsAt - t).TotalMinutes);
            }
        return heat;
    }
}
