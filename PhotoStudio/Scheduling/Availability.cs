namespace PhotoStudio.Scheduling;

/// <summary>
/// The availability engine: which starts can be offered for a service. A pure function of its
/// inputs (no database, no clock of its own), so the wizard's slot list and the confirm step's
/// re-check apply exactly the same rules.
/// </summary>
/// <remarks>
/// A start is offered when all of these hold:
/// <list type="bullet">
/// <item>it lies on the slot grid in local time, anchored at local midnight (09:00, 09:30, … for a 30-minute step);</item>
/// <item>the whole session <c>[start, start + duration)</c> lies inside one business interval of that local day,
/// and the day is not inside a closure;</item>
/// <item>start ≥ now + minimum notice, and the local date ≤ today (local) + horizon days;</item>
/// <item>a room (the chosen one, or for "any" the lowest-id allowed one that fits) is free for the blocked range
/// <c>[start − buffer before, end + buffer after)</c>: ranges touching only at an edge do not clash;</item>
/// <item>when the service needs a photographer, the chosen one (or for "any" the least-booked one that day,
/// lowest id on ties) works the whole session, has no time off overlapping it, and is free for the same
/// blocked range (the room's buffers, as in the database's exclusion constraint).</item>
/// </list>
/// Time-zone rules: durations are real elapsed time. A grid time that does not exist locally (the
/// spring-forward gap) is never offered. A grid time that exists twice (the fall-back overlap) is offered
/// once, at its FIRST occurrence, i.e. with the daylight-time offset; the second occurrence is refused.
/// A business or working-hours bound that falls into the gap snaps to the end of the gap; an ambiguous
/// bound also means its first occurrence.
/// </remarks>
public static class Availability
{
    /// <summary>Free slots between two local dates (both included), grouped per local date.</summary>
    /// <param name="rooms">The active rooms; allowed ids missing here are treated as unavailable.</param>
    /// <param name="photographers">The active photographers; ignored when the service needs none.</param>
    /// <param name="busy">Blocked ranges of live bookings; see <see cref="BusyWindow"/> for which to load.</param>
    /// <param name="roomId">A chosen room, or null for "any".</param>
    /// <param name="photographerId">A chosen photographer, or null for "any"; ignored when the service needs none.</param>
    public static SlotCalendar FindSlots(
        StudioRules rules,
        ServiceRequirements service,
        IReadOnlyList<RoomAvailability> rooms,
        IReadOnlyList<PhotographerAvailability> photographers,
        IReadOnlyList<BusyRange> busy,
        DateOnly firstDay,
        DateOnly lastDay,
        DateTimeOffset now,
        int? roomId = null,
        int? photographerId = null)
    {
        var search = new SlotSearch(rules, service, rooms, photographers, busy, now, roomId, photographerId);
        if (!search.CanOffer)
            return SlotCalendar.Empty;

        var from = firstDay > search.Today ? firstDay : search.Today;
        var to = lastDay < search.LastBookableDay ? lastDay : search.LastBookableDay;
        var days = new SortedDictionary<DateOnly, IReadOnlyList<FreeSlot>>();
        var found = new List<FreeSlot>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            found.Clear();
            search.CollectDay(day, onlyMinute: null, found);
            if (found.Count > 0)
                days.Add(day, found.ToArray());
        }
        return new SlotCalendar(days);
    }

    /// <summary>
    /// The slot starting exactly at <paramref name="startUtc"/>, with the room and photographer it would get,
    /// or null when that start would not be offered (off the grid, past, taken, forged…).
    /// </summary>
    public static FreeSlot? SlotAt(
        StudioRules rules,
        ServiceRequirements service,
        IReadOnlyList<RoomAvailability> rooms,
        IReadOnlyList<PhotographerAvailability> photographers,
        IReadOnlyList<BusyRange> busy,
        DateTime startUtc,
        DateTimeOffset now,
        int? roomId = null,
        int? photographerId = null)
    {
        if (startUtc.Kind == DateTimeKind.Local)
            throw new ArgumentException("Expected a UTC time.", nameof(startUtc));
        var start = DateTime.SpecifyKind(startUtc, DateTimeKind.Utc);

        var search = new SlotSearch(rules, service, rooms, photographers, busy, now, roomId, photographerId);
        if (!search.CanOffer)
            return null;

        var local = TimeZoneInfo.ConvertTimeFromUtc(start, rules.Zone);
        var day = DateOnly.FromDateTime(local);
        if (day < search.Today || day > search.LastBookableDay || local.TimeOfDay.Ticks % TimeSpan.TicksPerMinute != 0)
            return null;

        var found = new List<FreeSlot>(1);
        search.CollectDay(day, onlyMinute: (int)local.TimeOfDay.TotalMinutes, found);
        // The second occurrence of a fall-back time has the same local label but is never offered.
        return found.Count == 1 && found[0].StartUtc == start ? found[0] : null;
    }

    /// <summary>Whether exactly this start would be offered: the confirm step's guard against stale or forged input.</summary>
    public static bool IsFree(
        StudioRules rules,
        ServiceRequirements service,
        IReadOnlyList<RoomAvailability> rooms,
        IReadOnlyList<PhotographerAvailability> photographers,
        IReadOnlyList<BusyRange> busy,
        DateTime startUtc,
        DateTimeOffset now,
        int? roomId = null,
        int? photographerId = null) =>
        SlotAt(rules, service, rooms, photographers, busy, startUtc, now, roomId, photographerId) is not null;

    /// <summary>
    /// The UTC range whose overlapping busy ranges and time off can matter for slots between these local
    /// dates: load the live bookings whose blocked range overlaps it (one query), and pass them all.
    /// </summary>
    public static UtcRange BusyWindow(StudioRules rules, IReadOnlyList<RoomAvailability> rooms, DateOnly firstDay, DateOnly lastDay)
    {
        var before = 0;
        var after = 0;
        foreach (var room in rooms)
        {
            before = Math.Max(before, room.BufferBeforeMinutes);
            after = Math.Max(after, room.BufferAfterMinutes);
        }
        var start = StudioTime.BoundToUtc(rules.Zone, firstDay, 0).AddMinutes(-before);
        var end = StudioTime.BoundToUtc(rules.Zone, lastDay.AddDays(1), 0).AddMinutes(after);
        return new UtcRange(start, end);
    }
}

/// <summary>Local wall-clock time to UTC in the studio's zone, with the DST choices documented on <see cref="Availability"/>.</summary>
internal static class StudioTime
{
    /// <summary>The instant of an interval bound; minute 1440 is the next midnight, a bound in the gap snaps to its end.</summary>
    public static DateTime BoundToUtc(TimeZoneInfo zone, DateOnly day, int minuteOfDay) =>
        new(LocalDay.Of(zone, day).BoundTicks(minuteOfDay), DateTimeKind.Utc);

    /// <summary>One local date's clock. Most days have one offset throughout, so conversions are a subtraction.</summary>
    internal readonly struct LocalDay
    {
        private readonly TimeZoneInfo zone;
        private readonly long midnightTicks;
        // Set when the offset is the same at both midnights and neither is in a gap or overlap: no transition that day
        // (tzdb has no zone that changes offset and back within one local day).
        private readonly bool uniform;
        private readonly long offsetTicks;

        private LocalDay(TimeZoneInfo zone, long midnightTicks, bool uniform, long offsetTicks)
        {
            this.zone = zone;
            this.midnightTicks = midnightTicks;
            this.uniform = uniform;
            this.offsetTicks = offsetTicks;
        }

        public static LocalDay Of(TimeZoneInfo zone, DateOnly day)
        {
            var midnight = day.ToDateTime(TimeOnly.MinValue);
            var next = midnight.AddDays(1);
            var offset = zone.GetUtcOffset(midnight);
            var uniform = offset == zone.GetUtcOffset(next)
                && !zone.IsInvalidTime(midnight) && !zone.IsAmbiguousTime(midnight)
                && !zone.IsInvalidTime(next) && !zone.IsAmbiguousTime(next);
            return new LocalDay(zone, midnight.Ticks, uniform, offset.Ticks);
        }

        /// <summary>The instant of a local grid time, or false when that local time does not exist (spring-forward gap).</summary>
        public bool TryStartTicks(int minuteOfDay, out long utcTicks)
        {
            var localTicks = midnightTicks + minuteOfDay * TimeSpan.TicksPerMinute;
            if (uniform)
            {
                utcTicks = localTicks - offsetTicks;
                return true;
            }
            var local = new DateTime(localTicks);
            if (zone.IsInvalidTime(local))
            {
                utcTicks = 0;
                return false;
            }
            utcTicks = ValidLocalToUtcTicks(local);
            return true;
        }

        /// <summary>The instant of an interval bound; minute 1440 is the next midnight, a bound in the gap snaps to its end.</summary>
        public long BoundTicks(int minuteOfDay)
        {
            var localTicks = midnightTicks + minuteOfDay * TimeSpan.TicksPerMinute;
            if (uniform)
                return localTicks - offsetTicks;
            var local = new DateTime(localTicks);
            for (var i = 0; i < 24 * 60 && zone.IsInvalidTime(local); i++)
                local = local.AddMinutes(1);
            return ValidLocalToUtcTicks(local);
        }

        /// <summary>The offset in force at an instant of this day.</summary>
        public TimeSpan OffsetAt(long utcTicks) =>
            uniform ? new TimeSpan(offsetTicks) : zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc));

        private long ValidLocalToUtcTicks(DateTime local)
        {
            TimeSpan offset;
            if (zone.IsAmbiguousTime(local))
            {
                // The first occurrence is the one with the larger offset (daylight time): deterministic, documented.
                var offsets = zone.GetAmbiguousTimeOffsets(local);
                offset = offsets[0];
                for (var i = 1; i < offsets.Length; i++)
                    if (offsets[i] > offset)
                        offset = offsets[i];
            }
            else
            {
                offset = zone.GetUtcOffset(local);
            }
            return local.Ticks - offset.Ticks;
        }
    }
}
