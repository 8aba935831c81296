using System.Globalization;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Calendar;

public enum CalendarView { Day, Week }
public enum CalendarBy { Room, Photographer }

/// <summary>What the calendar shows; all of it lives in the URL, so links, refreshes and the live refresh agree.</summary>
public record CalendarQuery(CalendarView View, CalendarBy By, DateOnly Date)
{
    /// <summary>Reads the query string; anything unknown or malformed falls back to the defaults (day, by room, today).</summary>
    public static CalendarQuery Parse(string? view, string? by, string? date, DateOnly today) => new(
        string.Equals(view, "week", StringComparison.OrdinalIgnoreCase) ? CalendarView.Week : CalendarView.Day,
        string.Equals(by, "photographer", StringComparison.OrdinalIgnoreCase) ? CalendarBy.Photographer : CalendarBy.Room,
        SaneDates.TryParseDay(date, out var d) ? d : today);

    /// <summary>The Monday of the week holding <see cref="Date"/>.</summary>
    public DateOnly Monday => Date.AddDays(-(((int)Date.DayOfWeek + 6) % 7));

    public DateOnly FirstDay => View == CalendarView.Day ? Date : Monday;
    public DateOnly LastDay => View == CalendarView.Day ? Date : Monday.AddDays(6);
    public DateOnly Previous => Date.AddDays(View == CalendarView.Day ? -1 : -7);
    public DateOnly Next => Date.AddDays(View == CalendarView.Day ? 1 : 7);

    public string Url(DateOnly? date = null, CalendarView? view = null) =>
        "/calendar?" + string.Join("&", Route(date, view).Select(v => $"{v.Key}={v.Value}"));

    /// <summary>The query of <see cref="Url"/> as route values, for the htmx tag helpers (<c>hx-all-route-data</c>).</summary>
    public Dictionary<string, string> Route(DateOnly? date = null, CalendarView? view = null) => new()
    {
        ["view"] = (view ?? View).ToString().ToLowerInvariant(),
        ["by"] = By.ToString().ToLowerInvariant(),
        ["date"] = (date ?? Date).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };
}

/// <summary>A row of the grid: a room, a photographer, or (Id null) the sessions that need no photographer.</summary>
public record CalendarResource(int? Id, string Name);

/// <param name="With">The other resource: the photographer in a room row, the room in a photographer row.</param>
public record CalendarBooking(int Id, string Code, DateTime StartsLocal, DateTime EndsLocal, string Client, string Service,
    string? With, BookingStatus Status);

/// <summary>Why a time or day is not bookable for a row; Open when it is.</summary>
public enum Shade { Open, Closed, NotWorking, TimeOff }

public abstract record DayCell(int Span);
/// <param name="LabelHere">The first cell of a run of equal shading: it carries the run's text for screen readers.</param>
public record SlotCell(Shade Shade, bool LabelHere) : DayCell(1);
/// <summary>Usually one booking; several only when snapping to the grid made neighbours share a column.</summary>
public record BookingCell(int Span, IReadOnlyList<CalendarBooking> Bookings) : DayCell(Span);

public record DayRow(CalendarResource Resource, IReadOnlyList<DayCell> Cells);
/// <param name="Slots">The columns, as minutes after local midnight.</param>
/// <param name="ClosedReason">Set (possibly empty) when the studio is closed all day.</param>
public record DayGrid(int SlotStepMinutes, IReadOnlyList<int> Slots, IReadOnlyList<DayRow> Rows, string? ClosedReason);

/// <param name="TimeOff">Parts of the day off, as local minutes after midnight, when the day is not off as a whole.</param>
public record WeekCell(DateOnly Date, Shade Shade, IReadOnlyList<(int From, int To)> TimeOff, IReadOnlyList<CalendarBooking> Bookings);
public record WeekRow(CalendarResource Resource, IReadOnlyList<WeekCell> Cells);
public record WeekGrid(IReadOnlyList<DateOnly> Days, IReadOnlyList<WeekRow> Rows);

/// <summary>Everything the grid partial renders: one of <see cref="Day"/> and <see cref="Week"/> is set.</summary>
public record CalendarGrid(CalendarQuery Query, DateOnly Today, string TimeZone, DayGrid? Day, WeekGrid? Week)
{
    /// <summary>The studio's wall clock now: open cells before it offer no "book here" link.</summary>
    public DateTime NowLocal { get; init; }

    /// <summary>The front desk's form for an open cell, with this row's room or photographer, the date and maybe the time.</summary>
    public string NewBookingUrl(CalendarResource row, DateOnly date, int? minuteOfDay = null) =>
        $"/board/new?{(Query.By == CalendarBy.Room ? "roomId" : "photographerId")}={row.Id}&date={date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
        + (minuteOfDay is { } m ? $"&time={m / 60:D2}:{m % 60:D2}" : "");

    /// <summary>Whether an open cell still lies ahead (a whole day in the week view, a time in the day view).</summary>
    public bool Bookable(DateOnly date, int? minuteOfDay = null) =>
        date > DateOnly.FromDateTime(NowLocal)
        || (date == DateOnly.FromDateTime(NowLocal) && (minuteOfDay is not { } m || m > NowLocal.Hour * 60 + NowLocal.Minute));

    /// <summary>A local minute of the day as a time; minute 1440 is the end of the day.</summary>
    public static string Clock(int minuteOfDay) => minuteOfDay >= 24 * 60
        ? "24:00"
        : TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(minuteOfDay)).ToString("t", CultureInfo.CurrentCulture);
}
