using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Features.Dashboard;

/// <summary>Booked against available minutes of one room or photographer; <see cref="Share"/> is null when nothing was available.</summary>
public sealed record UtilizationRow(int Id, string Name, double BookedMinutes, double AvailableMinutes)
{
    public double? Share => AvailableMinutes > 0 ? BookedMinutes / AvailableMinutes : null;
}

/// <summary>One weekday × local hour of a room over the period.</summary>
public sealed record HeatCell(DayOfWeek Day, int Hour, double BookedMinutes, double AvailableMinutes)
{
    public double? Share => AvailableMinutes > 0 ? BookedMinutes / AvailableMinutes : null;

    /// <summary>0–4: none, up to a quarter, a half, three quarters, more.</summary>
    public int Step => Share switch
    {
        null or <= 0 => 0,
        <= 0.25 => 1,
        <= 0.5 => 2,
        <= 0.75 => 3,
        _ => 4,
    };
}

public sealed record RoomHeatmap(int RoomId, string Name, IReadOnlyList<HeatCell> Cells)
{
    public HeatCell? Cell(DayOfWeek day, int hour) => Cells.FirstOrDefault(c => c.Day == day && c.Hour == hour);
}

/// <summary>The utilization tables and heatmaps of a period. <see cref="Hours"/>: the local hours with any opening time.</summary>
public sealed record UtilizationReport(
    IReadOnlyList<UtilizationRow> Rooms,
    IReadOnlyList<UtilizationRow> Photographers,
    IReadOnlyList<int> Hours,
    IReadOnlyList<RoomHeatmap> Heatmaps)
{
    /// <summary>Monday first, as the studio's week is read.</summary>
    public static readonly DayOfWeek[] Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];
}

/// <summary>
/// Available minutes from the small tables (opening hours, closures, working hours, time off), local day by local day
/// in the studio's zone. Every local interval end is turned into a UTC instant and the instants subtracted, so a
/// 23- or 25-hour day counts the minutes that really passed (09:00–18:00 is 540 minutes on a DST day too).
/// </summary>
public static class AvailableMinutes
{
    /// <summary>Opening time of a room: business hours of each day from <paramref name="first"/> to <paramref name="last"/>, minus closed days.</summary>
    public static double Room(TimeZoneInfo zone, DateOnly first, DateOnly last,
        IReadOnlyList<WeeklyInterval> businessHours, IReadOnlyList<ClosedDays> closures)
    {
        double total = 0;
        foreach (var day in Days(first, last))
            if (!Closed(day, closures))
                total += Sum(DayRanges(zone, day, businessHours));
        return total;
    }

    /// <summary>Opening time ∩ working hours of each day, minus closed days and time off.</summary>
    public static double Photographer(TimeZoneInfo zone, DateOnly first, DateOnly last,
        IReadOnlyList<WeeklyInterval> businessHours, IReadOnlyList<ClosedDays> closures,
        IReadOnlyList<WeeklyInterval> workingHours, IReadOnlyList<UtcRange> timeOff)
    {
        var off = Merge(timeOff);
        double total = 0;
        foreach (var day in Days(first, last))
        {
            if (Closed(day, closures)) continue;
            var open = Intersect(DayRanges(zone, day, businessHours), DayRanges(zone, day, workingHours));
            total += Sum(Subtract(open, off));
        }
        return total;
    }

    /// <summary>Opening minutes of each (local weekday, local hour) cell over the period: <c>[(int)DayOfWeek, hour]</c>.</summary>
    public static double[,] RoomCells(TimeZoneInfo zone, DateOnly first, DateOnly last,
        IReadOnlyList<WeeklyInterval> businessHours, IReadOnlyList<ClosedDays> closures)
    {
        var cells = new double[7, 24];
        foreach (var day in Days(first, last))
        {
            if (Closed(day, closures)) continue;
            var open = DayRanges(zone, day, businessHours);
            if (open.Count == 0) continue;
            for (var hour = 0; hour < 24; hour++)
            {
                var cell = new UtcRange(StudioTime.BoundToUtc(zone, day, hour * 60), StudioTime.BoundToUtc(zone, day, (hour + 1) * 60));
                if (cell.End > cell.Start)
                    cells[(int)day.DayOfWeek, hour] += Sum(Intersect(open, [cell]));
            }
        }
        return cells;
    }

    /// <summary>The day's intervals of a weekly schedule as sorted, merged UTC ranges (end 00:00 = midnight).</summary>
    public static List<UtcRange> DayRanges(TimeZoneInfo zone, DateOnly day, IReadOnlyList<WeeklyInterval> weekly)
    {
        var ranges = new List<UtcRange>();
        foreach (var w in weekly)
        {
            if (w.Day != day.DayOfWeek) continue;
            var start = w.Starts.Hour * 60 + w.Starts.Minute;
            var end = w.Ends == TimeOnly.MinValue ? 24 * 60 : w.Ends.Hour * 60 + w.Ends.Minute;
            if (end <= start) continue;
            var range = new UtcRange(StudioTime.BoundToUtc(zone, day, start), StudioTime.BoundToUtc(zone, day, end));
            if (range.End > range.Start) ranges.Add(range);
        }
        return Merge(ranges);
    }

    private static IEnumerable<DateOnly> Days(DateOnly first, DateOnly last)
    {
        for (var d = first; d <= last; d = d.AddDays(1)) yield return d;
    }

    private static bool Closed(DateOnly day, IReadOnlyList<ClosedDays> closures)
    {
        foreach (var c in closures)
            if (c.Contains(day)) return true;
        return false;
    }

    private static double Sum(List<UtcRange> ranges) => ranges.Sum(r => (r.End - r.Start).TotalMinutes);

    private static List<UtcRange> Merge(IEnumerable<UtcRange> ranges)
    {
        var merged = new List<UtcRange>();
        foreach (var r in ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && r.Start <= merged[^1].End)
            {
                if (r.End > merged[^1].End) merged[^1] = merged[^1] with { End = r.End };
            }
            else merged.Add(r);
        }
        return merged;
    }

    /// <summary>Both inputs sorted and merged.</summary>
    private static List<UtcRange> Intersect(List<UtcRange> a, List<UtcRange> b)
    {
        var result = new List<UtcRange>();
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            var start = a[i].Start > b[j].Start ? a[i].Start : b[j].Start;
            var end = a[i].End < b[j].End ? a[i].End : b[j].End;
            if (end > start) result.Add(new UtcRange(start, end));
            if (a[i].End < b[j].End) i++; else j++;
        }
        return result;
    }

    /// <summary>Both inputs sorted and merged.</summary>
    private static List<UtcRange> Subtract(List<UtcRange> from, List<UtcRange> minus)
    {
        var result = new List<UtcRange>();
        foreach (var r in from)
        {
            var start = r.Start;
            foreach (var m in minus)
            {
                if (m.End <= start) continue;
                if (m.Start >= r.End) break;
                if (m.Start > start) result.Add(new UtcRange(start, m.Start));
                if (m.End > start) start = m.End;
                if (start >= r.End) break;
            }
            if (start < r.End) result.Add(new UtcRange(start, r.End));
        }
        return result;
    }
}

/// <summary>
/// The dashboard's utilization: booked minutes summed by PostgreSQL from the roll-ups (<see cref="BookingDayStat"/> per
/// room and photographer, <see cref="RoomHourStat"/> per local weekday × hour), available minutes worked out in C# from
/// hours, closures and time off. A fixed number of small queries per page, whatever the number of bookings.
/// </summary>
public class UtilizationService(StudioDb db)
{
    private const decimal SecondsPerMinute = 60m;

    public async Task<UtilizationReport> ReportAsync(DashboardService.Window w, CancellationToken ct)
    {
        var (first, last) = (w.Period.From, w.Period.To);
        var live = db.BookingDayStats.AsNoTracking()
            .Where(s => s.Day >= first && s.Day <= last && Data.Booking.LiveStatuses.Contains(s.Status));

        var hours = await db.BusinessHours.AsNoTracking().Select(h => new WeeklyInterval(h.Weekday, h.Opens, h.Closes)).ToListAsync(ct);
        var closures = await db.Closures.AsNoTracking()
            .Where(c => c.LastDay >= w.Period.From && c.FirstDay <= w.Period.To)
            .Select(c => new ClosedDays(c.FirstDay, c.LastDay)).ToListAsync(ct);
        var rooms = await db.Rooms.AsNoTracking()
            .Where(r => r.IsActive || live.Any(s => s.RoomId == r.Id))
            .OrderBy(r => r.Name).Select(r => new { r.Id, r.Name }).ToListAsync(ct);
        // Photographers: active staff who may take a service, and anyone who did take a session in the period.
        var staff = await db.Employees.AsNoTracking()
            .Where(e => (e.IsActive && db.ServiceEmployees.Any(s => s.EmployeeId == e.Id)) || live.Any(s => s.PhotographerId == e.Id))
            .OrderBy(e => e.FullName)
            .Select(e => new
            {
                e.Id,
                e.FullName,
                Working = e.WorkingHours.Select(h => new WeeklyInterval(h.Weekday, h.Starts, h.Ends)).ToList(),
                Off = e.TimeOff.Where(t => t.StartsAt < w.ToUtc && t.EndsAt > w.FromUtc).Select(t => new UtcRange(t.StartsAt, t.EndsAt)).ToList(),
            })
            .AsSplitQuery()
            .ToListAsync(ct);

        var bookedRooms = await live.GroupBy(s => s.RoomId)
            .Select(g => new { g.Key, Seconds = g.Sum(s => s.BookedSeconds) })
            .ToDictionaryAsync(g => g.Key, g => (double)(g.Seconds / SecondsPerMinute), ct);
        var bookedStaff = await live.Where(s => s.PhotographerId != null).GroupBy(s => s.PhotographerId!.Value)
            .Select(g => new { g.Key, Seconds = g.Sum(s => s.BookedSeconds) })
            .ToDictionaryAsync(g => g.Key, g => (double)(g.Seconds / SecondsPerMinute), ct);
        var heat = await db.RoomHourStats.AsNoTracking()
            .Where(h => h.Day >= first && h.Day <= last)
            .GroupBy(h => new { h.RoomId, h.Weekday, h.Hour })
            .Select(g => new { g.Key, Seconds = g.Sum(h => h.BookedSeconds) })
            .ToDictionaryAsync(g => (g.Key.RoomId, (int)g.Key.Weekday, g.Key.Hour), g => (double)(g.Seconds / SecondsPerMinute), ct);

        var p = w.Period;
        var roomAvailable = AvailableMinutes.Room(w.Zone, p.From, p.To, hours, closures);
        var cells = AvailableMinutes.RoomCells(w.Zone, p.From, p.To, hours, closures);
        var openHours = Enumerable.Range(0, 24).Where(h => Enumerable.Range(0, 7).Any(d => cells[d, h] > 0)).ToList();

        var roomRows = rooms.Select(r => new UtilizationRow(r.Id, r.Name, bookedRooms.GetValueOrDefault(r.Id), roomAvailable)).ToList();
        var staffRows = staff.Select(e => new UtilizationRow(e.Id, e.FullName, bookedStaff.GetValueOrDefault(e.Id),
            AvailableMinutes.Photographer(w.Zone, p.From, p.To, hours, closures, e.Working, e.Off))).ToList();

        var heatmaps = rooms.Select(r => new RoomHeatmap(r.Id, r.Name,
            [.. from day in UtilizationReport.Week
                from hour in openHours
                select new HeatCell(day, hour, heat.GetValueOrDefault((r.Id, (int)day, hour)), cells[(int)day, hour])])).ToList();
        return new UtilizationReport(roomRows, staffRows, openHours, heatmaps);
    }
}
