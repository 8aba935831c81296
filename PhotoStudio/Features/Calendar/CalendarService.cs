using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Features.Calendar;

/// <summary>
/// The staff calendar: day and week grids of live bookings by room or by photographer, with closures, working
/// hours and time off shaded. A fixed handful of queries per page, whatever the number of rows or bookings.
/// </summary>
public class CalendarService(StudioDb db, StudioDay studioDay)
{
    private const int MinutesPerDay = 24 * 60;
    // What a day view spans when the studio has no hours that weekday, so a closed day still reads as a day.
    private const int ClosedDayOpens = 9 * 60, ClosedDayCloses = 18 * 60;

    private sealed record Row(int? Id, string Name);
    private sealed record Loaded(int Id, string Code, DateTime StartsAt, DateTime EndsAt, string Client, string Service,
        int RoomId, string Room, int? PhotographerId, string? Photographer, BookingStatus Status);
    private sealed record LocalSpan(int From, int To);

    /// <summary>The grid for the query string values, with the bookings the signed-in user may see.</summary>
    public async Task<CalendarGrid> LoadAsync(string? view, string? by, string? date, CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        var zone = studio.Zone;
        var step = studio.Settings.SlotStepMinutes is > 0 and var s ? s : 30;
        var today = studio.Today;
        var query = CalendarQuery.Parse(view, by, date, today);
        var (first, last) = (query.FirstDay, query.LastDay);
        var (from, to) = studio.Days(first, last);
        // Without bookings.view_all the grid is the user's own row and bookings.
        var onlyUserId = studioDay.SeesAll ? null : studioDay.UserId;

        var hours = await db.BusinessHours.AsNoTracking().ToListAsync(ct);
        var closures = await db.Closures.AsNoTracking().Where(c => c.FirstDay <= last && c.LastDay >= first).ToListAsync(ct);

        var live = studioDay.Bookings
            .Where(b => b.StartsAt < to && b.EndsAt > from && Data.Booking.LiveStatuses.Contains(b.Status));

        List<Row> rows;
        ILookup<int, WorkingHours> working = Array.Empty<WorkingHours>().ToLookup(w => w.EmployeeId);
        ILookup<int, TimeOff> off = Array.Empty<TimeOff>().ToLookup(t => t.EmployeeId);
        if (query.By == CalendarBy.Room)
        {
            // Inactive rooms stay on the grid while they still hold bookings, so no booking is ever hidden.
            rows = await db.Rooms.AsNoTracking().Where(r => r.IsActive || live.Any(b => b.RoomId == r.Id))
                .OrderBy(r => r.Name).Select(r => new Row(r.Id, r.Name)).ToListAsync(ct);
        }
        else
        {
            var people = db.Employees.AsNoTracking();
            people = onlyUserId is not null
                ? people.Where(e => e.UserId == onlyUserId)
                : people.Where(e => (e.IsActive && db.ServiceEmployees.Any(x => x.EmployeeId == e.Id)) || live.Any(b => b.PhotographerId == e.Id));
            rows = await people.OrderBy(e => e.FullName).Select(e => new Row(e.Id, e.FullName)).ToListAsync(ct);
            var ids = rows.Select(r => r.Id!.Value).ToList();
            working = (await db.WorkingHours.AsNoTracking().Where(w => ids.Contains(w.EmployeeId)).ToListAsync(ct))
                .ToLookup(w => w.EmployeeId);
            off = (await db.TimeOff.AsNoTracking().Where(t => ids.Contains(t.EmployeeId) && t.StartsAt < to && t.EndsAt > from).ToListAsync(ct))
                .ToLookup(t => t.EmployeeId);
        }

        var bookings = await live.OrderBy(b => b.StartsAt)
            .Select(b => new Loaded(b.Id, b.Code, b.StartsAt, b.EndsAt, b.Client!.Name, b.Service!.Name,
                b.RoomId, b.Room!.Name, b.PhotographerId, b.Photographer != null ? b.Photographer.FullName : null, b.Status))
            .ToListAsync(ct);
        // Sessions that need no photographer get a row of their own, so "by photographer" still shows the whole day.
        if (query.By == CalendarBy.Photographer && onlyUserId is null && bookings.Any(b => b.PhotographerId is null))
            rows.Add(new Row(null, "")); // named by the view, which localizes it

        var context = new Context(zone, step, hours, closures, working, off);
        var byRow = bookings.ToLookup(b => query.By == CalendarBy.Room ? b.RoomId : b.PhotographerId);
        CalendarBooking Show(Loaded b) => new(b.Id, b.Code, ToLocal(b.StartsAt, zone), ToLocal(b.EndsAt, zone), b.Client, b.Service,
            query.By == CalendarBy.Room ? b.Photographer : b.Room, b.Status);
        var resources = rows.Select(r => (Resource: new CalendarResource(r.Id, r.Name), Bookings: byRow[r.Id].Select(Show).ToList())).ToList();

        var grid = query.View == CalendarView.Day
            ? new CalendarGrid(query, today, zone.Id, DayView(context, query.Date, resources, query.By), null)
            : new CalendarGrid(query, today, zone.Id, null, WeekView(context, query.Monday, resources, query.By));
        return grid with { NowLocal = studio.ToLocal(studio.Now.UtcDateTime) };
    }

    private sealed record Context(TimeZoneInfo Zone, int Step, List<BusinessHours> Hours, List<Closure> Closures,
        ILookup<int, WorkingHours> Working, ILookup<int, TimeOff> Off)
    {
        public Closure? ClosureOn(DateOnly day) => Closures.FirstOrDefault(c => c.FirstDay <= day && day <= c.LastDay);

        /// <summary>Opening intervals of the day in local minutes; none when the studio is closed.</summary>
        public List<LocalSpan> Open(DateOnly day) => ClosureOn(day) is not null ? []
            : [.. Hours.Where(h => h.Weekday == day.DayOfWeek).Select(h => new LocalSpan(Minute(h.Opens), Minute(h.Closes)))];

        public List<LocalSpan> Works(int employeeId, DateOnly day) =>
            [.. Working[employeeId].Where(w => w.Weekday == day.DayOfWeek).Select(w => new LocalSpan(Minute(w.Starts), Minute(w.Ends)))];

        /// <summary>Time off falling on the day, clipped to it, in local minutes (DST-correct: converted instant by instant).</summary>
        public List<LocalSpan> TimeOff(int employeeId, DateOnly day) =>
        [
            .. Off[employeeId]
                .Select(t => new LocalSpan(MinuteOn(day, t.StartsAt), MinuteOn(day, t.EndsAt)))
                .Where(s => s.To > s.From)
                .OrderBy(s => s.From),
        ];

        /// <summary>An instant as minutes after the local midnight of <paramref name="day"/>, clamped to that day.</summary>
        public int MinuteOn(DateOnly day, DateTime utc) => LocalMinute(day, ToLocal(utc, Zone));
    }

    private static DayGrid DayView(Context c, DateOnly day, List<(CalendarResource Resource, List<CalendarBooking> Bookings)> rows, CalendarBy by)
    {
        var open = c.Open(day);
        var closure = c.ClosureOn(day);
        // The grid runs from the earliest opening to the latest closing of the weekday, widened to cover any booking
        // outside them (hours can change after a booking was made), on the slot grid counted from local midnight.
        var first = open.Count > 0 ? open.Min(s => s.From) : ClosedDayOpens;
        var last = open.Count > 0 ? open.Max(s => s.To) : ClosedDayCloses;
        var placed = rows.Select(r => r.Bookings.Select(b => (Booking: b,
            From: LocalMinute(day, b.StartsLocal), To: LocalMinute(day, b.EndsLocal))).ToList()).ToList();
        foreach (var b in placed.SelectMany(p => p))
            (first, last) = (Math.Min(first, b.From), Math.Max(last, b.To));
        first = first / c.Step * c.Step;
        last = Math.Min(MinutesPerDay, (last + c.Step - 1) / c.Step * c.Step);
        var slots = Enumerable.Range(0, (last - first) / c.Step).Select(i => first + i * c.Step).ToList();

        var grid = new List<DayRow>();
        for (var r = 0; r < rows.Count; r++)
        {
            var resource = rows[r].Resource;
            // Working hours and time off shade photographer rows only; a room row is open whenever the studio is.
            var employee = by == CalendarBy.Photographer ? resource.Id : null;
            var works = employee is { } id ? c.Works(id, day) : null;
            var timeOff = employee is { } who ? c.TimeOff(who, day) : [];
            Shade ShadeAt(int from, int to) =>
                !open.Any(s => s.From <= from && to <= s.To) ? Shade.Closed
                : works is null ? Shade.Open
                : timeOff.Any(s => s.From < to && from < s.To) ? Shade.TimeOff
                : works.Any(s => s.From <= from && to <= s.To) ? Shade.Open
                : Shade.NotWorking;
            var cells = new List<DayCell>();
            var previous = Shade.Open;
            var column = 0;
            void EmptyUntil(int end)
            {
                for (; column < end; column++)
                {
                    var shade = ShadeAt(slots[column], slots[column] + c.Step);
                    cells.Add(new SlotCell(shade, shade != Shade.Open && shade != previous));
                    previous = shade;
                }
            }
            foreach (var b in placed[r])
            {
                // A booking covers every slot it touches: its start snapped down to the grid, its end rounded up, so
                // a session off the grid (made under another slot step) still shows its whole length and never less.
                var start = (b.From - first) / c.Step;
                var end = Math.Max(start + 1, (b.To - first + c.Step - 1) / c.Step);
                if (start < column && cells[^1] is BookingCell shared)
                {
                    // Snapping made it touch the previous booking's last slot: one cell holds both.
                    var span = Math.Max(shared.Span, end - (column - shared.Span));
                    cells[^1] = new BookingCell(span, [.. shared.Bookings, b.Booking]);
                    column += span - shared.Span;
                    continue;
                }
                EmptyUntil(start);
                cells.Add(new BookingCell(end - start, [b.Booking]));
                column = end;
                previous = Shade.Open;
            }
            EmptyUntil(slots.Count);
            grid.Add(new DayRow(resource, cells));
        }
        return new DayGrid(c.Step, slots, grid, open.Count == 0 ? closure?.Reason ?? "" : null);
    }

    private static WeekGrid WeekView(Context c, DateOnly monday, List<(CalendarResource Resource, List<CalendarBooking> Bookings)> rows, CalendarBy by)
    {
        var days = Enumerable.Range(0, 7).Select(monday.AddDays).ToList();
        var open = days.ToDictionary(d => d, c.Open);
        var grid = rows.Select(r => new WeekRow(r.Resource, [.. days.Select(day =>
        {
            // A session that began the evening before the week still belongs in the week's first column.
            var bookings = r.Bookings.Where(b => Max(DateOnly.FromDateTime(b.StartsLocal), monday) == day).ToList();
            if (open[day].Count == 0) return new WeekCell(day, Shade.Closed, [], bookings);
            if (by == CalendarBy.Room || r.Resource.Id is not { } employee) return new WeekCell(day, Shade.Open, [], bookings);
            var works = c.Works(employee, day);
            var timeOff = Merge(c.TimeOff(employee, day));
            if (works.Count == 0) return new WeekCell(day, Shade.NotWorking, [], bookings);
            if (works.All(w => timeOff.Any(t => t.From <= w.From && w.To <= t.To))) return new WeekCell(day, Shade.TimeOff, [], bookings);
            return new WeekCell(day, Shade.Open, [.. timeOff.Select(t => (t.From, t.To))], bookings);
        })])).ToList();
        return new WeekGrid(days, grid);
    }

    /// <summary>Overlapping or touching ranges joined, so two back-to-back absences count as one.</summary>
    private static List<LocalSpan> Merge(List<LocalSpan> sorted)
    {
        var merged = new List<LocalSpan>();
        foreach (var s in sorted)
            if (merged.Count > 0 && s.From <= merged[^1].To) merged[^1] = merged[^1] with { To = Math.Max(merged[^1].To, s.To) };
            else merged.Add(s);
        return merged;
    }

    /// <summary>A local time as minutes after the local midnight of <paramref name="day"/>, clamped to that day.</summary>
    private static int LocalMinute(DateOnly day, DateTime local)
    {
        var date = DateOnly.FromDateTime(local);
        return date < day ? 0 : date > day ? MinutesPerDay : (int)local.TimeOfDay.TotalMinutes;
    }

    private static int Minute(TimeOnly t) => t.Hour * 60 + t.Minute;
    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
    private static DateTime ToLocal(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
}
