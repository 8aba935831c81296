using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.Shared;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Features.Dashboard;

/// <summary>
/// The admin dashboard's figures, summed by PostgreSQL from the roll-ups that triggers keep beside the bookings
/// (<see cref="BookingDayStat"/>, <see cref="ClientDay"/>, <see cref="ClientFirstBooking"/>): a few rows per local day,
/// so a page costs the same handful of small queries for an empty week and a year of a million bookings.
/// </summary>
public class DashboardService(StudioDb db, StudioDay studioDay, UtilizationService utilization, ReportCache cache)
{
    /// <summary>Statuses whose price snapshot counts as revenue.</summary>
    private static readonly BookingStatus[] Earning =
        [BookingStatus.Confirmed, BookingStatus.Shooting, BookingStatus.Editing, BookingStatus.Delivered];

    /// <summary>The period read from the query string, with the studio's zone, currency and the UTC bounds of the period.</summary>
    public sealed record Window(DashboardPeriod Period, TimeZoneInfo Zone, string Currency, DateTime FromUtc, DateTime ToUtc)
    {
        /// <summary>The period of the same number of days just before this one, for the KPIs' comparison.</summary>
        public Window Previous()
        {
            var period = Period.Previous;
            return this with
            {
                Period = period,
                FromUtc = StudioTime.BoundToUtc(Zone, period.From, 0),
                ToUtc = StudioTime.BoundToUtc(Zone, period.To.AddDays(1), 0),
            };
        }
    }

    public async Task<Window> WindowAsync(string? range, string? from, string? to, CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        var period = DashboardPeriod.Parse(range, from, to, studio.Today);
        var (fromUtc, toUtc) = studio.Days(period.From, period.To);
        return new Window(period, studio.Zone, studio.Settings.Currency, fromUtc, toUtc);
    }

    public async Task<DashboardReport> ReportAsync(string? range, string? from, string? to, CancellationToken ct) =>
        await ReportAsync(await WindowAsync(range, from, to, ct), ct);

    /// <summary>
    /// The period's report: its figures as <see cref="ReportCache"/> keeps them (read afresh after any change), with the
    /// funnel read every time (each instance adds its visitors' counts every few seconds).
    /// </summary>
    public async Task<DashboardReport> ReportAsync(Window w, CancellationToken ct)
    {
        var report = await cache.GetAsync(new FiguresKey(w.Period.From, w.Period.To, w.Zone.Id, w.Currency), () => FiguresAsync(w, ct));
        return report with { Funnel = await FunnelAsync(w.Period, ct) };
    }

    private sealed record FiguresKey(DateOnly From, DateOnly To, string Zone, string Currency);

    private async Task<DashboardReport> FiguresAsync(Window w, CancellationToken ct)
    {
        var kpis = await KpisAsync(w, ct);
        var previous = await KpisAsync(w.Previous(), ct);

        // The roll-ups' days are the studio's local dates, so a DST week still buckets at local midnight.
        var perDay = await DayStats(w.Period)
            .GroupBy(s => s.Day)
            .Select(g => new { Day = g.Key, Count = g.Sum(s => s.Bookings), Revenue = g.Sum(s => Earning.Contains(s.Status) ? s.Revenue : 0m) })
            .ToDictionaryAsync(d => d.Day, d => (d.Count, d.Revenue), ct);
        var days = Enumerable.Range(0, w.Period.Days).Select(i => w.Period.From.AddDays(i))
            .Select(d => perDay.TryGetValue(d, out var x) ? new DayCount(d, x.Count, x.Revenue) : new DayCount(d, 0, 0m)).ToList();
        return new DashboardReport(w.Period, w.Currency, w.Zone.Id, kpis, days, await utilization.ReportAsync(w, ct), [])
            { Previous = previous };
    }

    /// <summary>The KPIs of one period: counts by status, revenue, rates, new and returning clients, lead time.</summary>
    public async Task<DashboardKpis> KpisAsync(Window w, CancellationToken ct)
    {
        var byStatus = await DayStats(w.Period).GroupBy(s => s.Status)
            .Select(g => new
            {
                Status = g.Key,
                Count = g.Sum(s => s.Bookings),
                Revenue = g.Sum(s => s.Revenue),
                LeadSeconds = g.Sum(s => s.LeadSeconds),
            })
            .ToListAsync(ct);

        // A client of the period has a booking starting in it; they are "new" when their first booking ever was made
        // (created) inside the period. Both in one pass over the clients who ever booked, one overlap test of their
        // booking days each: the cost follows the number of clients, not of bookings or days in the period.
        var clients = await db.Database.SqlQuery<ClientCounts>($"""
            SELECT count(*)::int AS "Clients",
                   (count(*) FILTER (WHERE f.first_created_at >= {w.FromUtc} AND f.first_created_at < {w.ToUtc}))::int AS "New"
            FROM client_first_bookings f
            WHERE f.days && daterange({w.Period.From}, {w.Period.To}, '[]')
            """).SingleAsync(ct);
        var (clientCount, newClients) = (clients.Clients, clients.New);

        int CountOf(BookingStatus s) => byStatus.Where(r => r.Status == s).Sum(r => r.Count);
        var total = byStatus.Sum(r => r.Count);
        var cancelled = CountOf(BookingStatus.Cancelled);
        var earning = byStatus.Where(r => Earning.Contains(r.Status)).ToList();
        var earningCount = earning.Sum(r => r.Count);
        var revenue = earning.Sum(r => r.Revenue);
        var notCancelled = byStatus.Where(r => r.Status != BookingStatus.Cancelled).ToList();
        var notCancelledCount = notCancelled.Sum(r => r.Count);

        return new DashboardKpis(
            [.. Enum.GetValues<BookingStatus>().Select(s => new StatusCount(s, CountOf(s)))],
            total,
            revenue,
            earningCount == 0 ? null : Math.Round(revenue / earningCount, 2),
            total == 0 ? null : (double)cancelled / total,
            notCancelledCount == 0 ? null : (double)CountOf(BookingStatus.NoShow) / notCancelledCount,
            newClients,
            clientCount - newClients,
            notCancelledCount == 0 ? null : (double)(notCancelled.Sum(r => r.LeadSeconds) / SecondsPerDay) / notCancelledCount);
    }

    /// <summary>The booking funnel over the period's days: every step with its count and its share of step 1.</summary>
    public async Task<IReadOnlyList<FunnelRow>> FunnelAsync(DashboardPeriod period, CancellationToken ct)
    {
        var counts = await db.FunnelCounts.AsNoTracking()
            .Where(f => f.Day >= period.From && f.Day <= period.To)
            .GroupBy(f => f.Step)
            .Select(g => new { Step = g.Key, Count = g.Sum(f => f.Count) })
            .ToDictionaryAsync(f => (int)f.Step, f => f.Count, ct);
        var first = counts.GetValueOrDefault(1);
        return [.. Enumerable.Range(1, FunnelCounter.Steps).Select(step =>
            new FunnelRow(step, counts.GetValueOrDefault(step), first == 0 ? null : (double)counts.GetValueOrDefault(step) / first))];
    }

    /// <summary>Statuses of a session that is still to happen or happening now.</summary>
    private static readonly BookingStatus[] Upcoming = [BookingStatus.Pending, BookingStatus.Confirmed, BookingStatus.Shooting];

    /// <summary>
    /// Today in the studio's zone: the day's counters, the sessions not yet over (time, service, room, photographer and
    /// the client's name only) and the employees with working hours today and no time off over the whole day.
    /// </summary>
    public async Task<TodayPanel> TodayAsync(CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        var w = await WindowAsync("today", null, null, ct);
        var day = w.Period.From;
        var now = studio.Now.UtcDateTime;

        // One query for the day's sessions: the count and the ones still to come are both taken from it.
        var sessions = await InRange(w).Where(b => b.Status != BookingStatus.Cancelled)
            .OrderBy(b => b.StartsAt).ThenBy(b => b.Id)
            .Select(b => new
            {
                b.Code, b.StartsAt, b.EndsAt, b.Status, Service = b.Service!.Name, Room = b.Room!.Name,
                Photographer = b.Photographer != null ? b.Photographer.FullName : null, Client = b.Client!.Name,
            })
            .ToListAsync(ct);
        var upcoming = sessions.Where(b => b.EndsAt > now && Upcoming.Contains(b.Status)).ToList();
        var made = await db.Bookings.AsNoTracking().CountAsync(b => b.CreatedAt >= w.FromUtc && b.CreatedAt < w.ToUtc, ct);
        var funnel = await db.FunnelCounts.AsNoTracking().Where(f => f.Day == day)
            .ToDictionaryAsync(f => (int)f.Step, f => f.Count, ct);


        var weekday = day.DayOfWeek;
        var working = await db.Employees.AsNoTracking()
            .Where(e => e.IsActive && e.WorkingHours.Any(h => h.Weekday == weekday)
                        && !e.TimeOff.Any(t => t.StartsAt <= w.FromUtc && t.EndsAt >= w.ToUtc))
            .OrderBy(e => e.FullName)
            .Select(e => new
            {
                e.FullName, e.Position,
                Hours = e.WorkingHours.Where(h => h.Weekday == weekday).OrderBy(h => h.Starts).Select(h => new { h.Starts, h.Ends }).ToList(),
            })
            .ToListAsync(ct);

        return new TodayPanel(day, w.Zone.Id, sessions.Count, made, funnel.GetValueOrDefault((int)FunnelStep.Service),
            funnel.GetValueOrDefault((int)FunnelStep.Confirmed),
            [.. upcoming.Select(b => new TodaySession(b.Code, studio.ToLocal(b.StartsAt), studio.ToLocal(b.EndsAt), b.Status, b.Service, b.Room, b.Photographer, b.Client))],
            [.. working.Select(e => new TodayWorker(e.FullName, e.Position, [.. e.Hours.Select(h => (h.Starts, h.Ends))]))]);
    }

    /// <summary>The period's bookings for the CSV export, read one row at a time (never the whole list in memory).</summary>
    public async IAsyncEnumerable<BookingExportRow> ExportAsync(Window w, [EnumeratorCancellation] CancellationToken ct)
    {
        var rows = InRange(w).OrderBy(b => b.StartsAt).ThenBy(b => b.Id)
            .Select(b => new
            {
                b.Code, b.StartsAt, b.EndsAt, b.Status, Service = b.Service!.Name, Room = b.Room!.Name,
                Photographer = b.Photographer != null ? b.Photographer.FullName : "", Client = b.Client!.Name, b.Price, b.Currency,
            })
            .AsAsyncEnumerable();
        await foreach (var b in rows.WithCancellation(ct))
            yield return new BookingExportRow(b.Code, Local(b.StartsAt, w.Zone), Local(b.EndsAt, w.Zone), b.Status.ToString(),
                b.Service, b.Room, b.Photographer, b.Client, b.Price, b.Currency);
    }

    private const decimal SecondsPerDay = 86_400m;

    private sealed record ClientCounts(int Clients, int New);

    /// <summary>The roll-up rows of the period's local days (sessions counted by the day they start on).</summary>
    private IQueryable<BookingDayStat> DayStats(DashboardPeriod period) =>
        db.BookingDayStats.AsNoTracking().Where(s => s.Day >= period.From && s.Day <= period.To);

    /// <summary>Bookings counted by session start inside the period.</summary>
    private IQueryable<Data.Booking> InRange(Window w) =>
        db.Bookings.AsNoTracking().Where(b => b.StartsAt >= w.FromUtc && b.StartsAt < w.ToUtc);

    private static string Local(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
