using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Features.Dashboard;

/// <summary>
/// The admin dashboard's figures. Everything is counted and summed by PostgreSQL (GROUP BY over the period's
/// bookings), so a page costs the same handful of queries for an empty week and a busy year.
/// </summary>
public class DashboardService(StudioDb db, TimeProvider clock, UtilizationService utilization)
{
    /// <summary>Statuses whose price snapshot counts as revenue.</summary>
    private static readonly BookingStatus[] Earning =
        [BookingStatus.Confirmed, BookingStatus.Shooting, BookingStatus.Editing, BookingStatus.Delivered];

    /// <summary>The period read from the query string, with the studio's zone, currency and the UTC bounds of the period.</summary>
    public sealed record Window(DashboardPeriod Period, TimeZoneInfo Zone, string Currency, DateTime FromUtc, DateTime ToUtc);

    public async Task<Window> WindowAsync(string? range, string? from, string? to, CancellationToken ct)
    {
        var studio = await db.Settings.AsNoTracking().OrderBy(s => s.Id)
            .Select(s => new { s.TimeZone, s.Currency }).FirstOrDefaultAsync(ct);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(studio?.TimeZone ?? "UTC");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone));
        var period = DashboardPeriod.Parse(range, from, to, today);
        return new Window(period, zone, studio?.Currency ?? "",
            StudioTime.BoundToUtc(zone, period.From, 0), StudioTime.BoundToUtc(zone, period.To.AddDays(1), 0));
    }

    public async Task<DashboardReport> ReportAsync(string? range, string? from, string? to, CancellationToken ct)
    {
        var w = await WindowAsync(range, from, to, ct);
        var inRange = InRange(w);

        var byStatus = await inRange.GroupBy(b => b.Status)
            .Select(g => new
            {
                Status = g.Key,
                Count = g.Count(),
                Revenue = g.Sum(b => b.Price),
                LeadDays = g.Sum(b => (b.StartsAt - b.CreatedAt).TotalDays),
            })
            .ToListAsync(ct);

        // A client of the period is "new" when their first booking ever was made (created) inside the period.
        var clients = db.Clients.Where(c => inRange.Any(b => b.ClientId == c.Id));
        var clientCount = await clients.CountAsync(ct);
        var newClients = await clients.CountAsync(c => db.Bookings.Where(b => b.ClientId == c.Id).Min(b => b.CreatedAt) >= w.FromUtc
                                                       && db.Bookings.Where(b => b.ClientId == c.Id).Min(b => b.CreatedAt) < w.ToUtc, ct);

        // Days are the studio's local dates (AT TIME ZONE in SQL), so a DST week still buckets at local midnight.
        var zoneId = w.Zone.Id;
        var perDay = await inRange
            .GroupBy(b => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeBySystemTimeZoneId(b.StartsAt, zoneId)))
            .Select(g => new { Day = g.Key, Count = g.Count() })
            .ToDictionaryAsync(d => d.Day, d => d.Count, ct);

        int CountOf(BookingStatus s) => byStatus.Where(r => r.Status == s).Sum(r => r.Count);
        var total = byStatus.Sum(r => r.Count);
        var cancelled = CountOf(BookingStatus.Cancelled);
        var earning = byStatus.Where(r => Earning.Contains(r.Status)).ToList();
        var earningCount = earning.Sum(r => r.Count);
        var revenue = earning.Sum(r => r.Revenue);
        var notCancelled = byStatus.Where(r => r.Status != BookingStatus.Cancelled).ToList();
        var notCancelledCount = notCancelled.Sum(r => r.Count);

        var kpis = new DashboardKpis(
            [.. Enum.GetValues<BookingStatus>().Select(s => new StatusCount(s, CountOf(s)))],
            total,
            revenue,
            earningCount == 0 ? null : Math.Round(revenue / earningCount, 2),
            total == 0 ? null : (double)cancelled / total,
            notCancelledCount == 0 ? null : (double)CountOf(BookingStatus.NoShow) / notCancelledCount,
            newClients,
            clientCount - newClients,
            notCancelledCount == 0 ? null : notCancelled.Sum(r => r.LeadDays) / notCancelledCount);

        var days = Enumerable.Range(0, w.Period.Days).Select(i => w.Period.From.AddDays(i))
            .Select(d => new DayCount(d, perDay.GetValueOrDefault(d))).ToList();
        return new DashboardReport(w.Period, w.Currency, w.Zone.Id, kpis, days, await utilization.ReportAsync(w, ct));
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

    /// <summary>Bookings counted by session start inside the period.</summary>
    private IQueryable<Data.Booking> InRange(Window w) =>
        db.Bookings.AsNoTracking().Where(b => b.StartsAt >= w.FromUtc && b.StartsAt < w.ToUtc);

    private static string Local(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
