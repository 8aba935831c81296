namespace PhotoStudio.Scheduling;

// The inputs and results of the availability engine. Plain values, filled by the caller from the
// database (settings, active rooms, staff hours, live bookings); the engine never touches EF.

/// <summary>
/// A weekly interval of local wall-clock time, e.g. Monday 09:00–13:00, in the studio's zone.
/// <see cref="Ends"/> = 00:00 means "until midnight" (the admin forms never store it: the tables' checks refuse it);
/// any other end not after the start is ignored.
/// </summary>
public readonly record struct WeeklyInterval(DayOfWeek Day, TimeOnly Starts, TimeOnly Ends);

/// <summary>Local dates on which the studio is closed, both ends included.</summary>
public readonly record struct ClosedDays(DateOnly FirstDay, DateOnly LastDay)
{
    public bool Contains(DateOnly day) => day >= FirstDay && day <= LastDay;
}

/// <summary>A half-open <c>[Start, End)</c> range of UTC instants.</summary>
public readonly record struct UtcRange(DateTime Start, DateTime End)
{
    public bool Overlaps(UtcRange other) => Start < other.End && other.Start < End;
}

/// <summary>Studio-wide rules: zone, slot grid, notice, horizon, opening hours and closures.</summary>
/// <param name="Zone">The studio's IANA zone; every grid time and weekday is local to it.</param>
/// <param name="SlotStepMinutes">Distance between offered starts, anchored at local midnight.</param>
/// <param name="MinimumNotice">A start must be at least this far from now.</param>
/// <param name="HorizonDays">The last bookable local date is today (local) plus this many days.</param>
/// <param name="BusinessHours">Opening intervals; several per weekday allowed.</param>
/// <param name="Closures">Closed local-date ranges.</param>
public sealed record StudioRules(
    TimeZoneInfo Zone,
    int SlotStepMinutes,
    TimeSpan MinimumNotice,
    int HorizonDays,
    IReadOnlyList<WeeklyInterval> BusinessHours,
    IReadOnlyList<ClosedDays> Closures);

/// <summary>An active room and its buffers, which widen a session into its blocked range.</summary>
public sealed record RoomAvailability(int Id, int BufferBeforeMinutes, int BufferAfterMinutes);

/// <summary>An active photographer: weekly working intervals (local time) and time off (UTC).</summary>
public sealed record PhotographerAvailability(
    int Id,
    IReadOnlyList<WeeklyInterval> WorkingHours,
    IReadOnlyList<UtcRange> TimeOff);

/// <summary>What a service asks for: its length, whether it needs a photographer, where and by whom.</summary>
public sealed record ServiceRequirements(
    int DurationMinutes,
    bool NeedsPhotographer,
    IReadOnlyCollection<int> RoomIds,
    IReadOnlyCollection<int> PhotographerIds);

/// <summary>
/// What one live booking holds: its room, its photographer (if any) and its blocked range
/// <c>[StartUtc, EndUtc)</c>, buffers already included (the <c>Blocked</c> column of a booking).
/// </summary>
public readonly record struct BusyRange(int RoomId, int? PhotographerId, DateTime StartUtc, DateTime EndUtc);

/// <summary>An offered start, with the room and photographer it would be booked with.</summary>
/// <param name="LocalStart">The start in the studio's zone, with the offset in force then.</param>
/// <param name="PhotographerId">Null when the service needs no photographer.</param>
public sealed record FreeSlot(DateTime StartUtc, DateTime EndUtc, DateTimeOffset LocalStart, int RoomId, int? PhotographerId)
{
    public DateOnly LocalDate => DateOnly.FromDateTime(LocalStart.DateTime);
    public TimeOnly LocalTime => TimeOnly.FromDateTime(LocalStart.DateTime);
}

/// <summary>Free slots per local date, in date order; only dates with at least one slot are present.</summary>
public sealed record SlotCalendar(IReadOnlyDictionary<DateOnly, IReadOnlyList<FreeSlot>> Days)
{
    public static SlotCalendar Empty { get; } = new(new SortedDictionary<DateOnly, IReadOnlyList<FreeSlot>>());

    /// <summary>The day's slots in time order, or none.</summary>
    public IReadOnlyList<FreeSlot> SlotsOn(DateOnly day) => Days.TryGetValue(day, out var slots) ? slots : [];

    public bool HasSlots(DateOnly day) => Days.ContainsKey(day);

    /// <summary>Every slot, in time order.</summary>
    public IEnumerable<FreeSlot> All => Days.Values.SelectMany(slots => slots);
}
