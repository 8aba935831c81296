namespace PhotoStudio.Scheduling;

/// <summary>
/// One availability query, prepared once: busy ranges and time off indexed per room and per photographer
/// (sorted starts plus a running maximum of ends, so an overlap test is one binary search), weekly hours
/// split per weekday. Then <see cref="CollectDay"/> walks a day's grid with no per-candidate allocation.
/// Used by <see cref="Availability"/> only; not thread-safe (per-day scratch arrays).
/// </summary>
internal sealed class SlotSearch
{
    private const int MinutesPerDay = 24 * 60;

    private readonly TimeZoneInfo zone;
    private readonly int step;
    private readonly long durationTicks;
    private readonly long earliestStartTicks;
    private readonly IReadOnlyList<ClosedDays> closures;
    private readonly Interval[][] businessByWeekday;

    private readonly int[] roomIds;
    private readonly long[] roomBeforeTicks;
    private readonly long[] roomAfterTicks;
    private readonly RangeIndex[] roomBusy;

    private readonly bool needsPhotographer;
    private readonly int[] photographerIds;
    private readonly Interval[][][] workByWeekday;
    private readonly RangeIndex[] timeOff;
    private readonly RangeIndex[] photographerBusy;

    // Per-day scratch: business and working intervals as UTC ticks, and each photographer's busy count that day.
    private readonly long[] openTicks;
    private readonly long[] closeTicks;
    private readonly long[][] workStartTicks;
    private readonly long[][] workEndTicks;
    private readonly int[] workCount;
    private readonly int[] bookingsThatDay;

    public DateOnly Today { get; }
    public DateOnly LastBookableDay { get; }
    public bool CanOffer => roomIds.Length > 0 && (!needsPhotographer || photographerIds.Length > 0);

    public SlotSearch(
        StudioRules rules,
        ServiceRequirements service,
        IReadOnlyList<RoomAvailability> rooms,
        IReadOnlyList<PhotographerAvailability> photographers,
        IReadOnlyList<BusyRange> busy,
        DateTimeOffset now,
        int? roomId,
        int? photographerId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rules.SlotStepMinutes, 0, nameof(rules.SlotStepMinutes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(service.DurationMinutes, 0, nameof(service.DurationMinutes));

        zone = rules.Zone;
        step = rules.SlotStepMinutes;
        durationTicks = TimeSpan.TicksPerMinute * service.DurationMinutes;
        earliestStartTicks = (now.UtcDateTime + rules.MinimumNotice).Ticks;
        closures = rules.Closures;
        Today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now.UtcDateTime, zone));
        LastBookableDay = Today.AddDays(rules.HorizonDays);
        businessByWeekday = SplitPerWeekday(rules.BusinessHours);
        openTicks = new long[businessByWeekday.Max(intervals => intervals.Length)];
        closeTicks = new long[openTicks.Length];

        var allowedRooms = service.RoomIds as ISet<int> ?? service.RoomIds.ToHashSet();
        var chosenRooms = rooms
            .Where(room => allowedRooms.Contains(room.Id) && (roomId is null || room.Id == roomId))
            .DistinctBy(room => room.Id)
            .OrderBy(room => room.Id)
            .ToArray();
        roomIds = chosenRooms.Select(room => room.Id).ToArray();
        roomBeforeTicks = chosenRooms.Select(room => room.BufferBeforeMinutes * TimeSpan.TicksPerMinute).ToArray();
        roomAfterTicks = chosenRooms.Select(room => room.BufferAfterMinutes * TimeSpan.TicksPerMinute).ToArray();

        needsPhotographer = service.NeedsPhotographer;
        var chosenPhotographers = Array.Empty<PhotographerAvailability>();
        if (needsPhotographer)
        {
            var allowedPhotographers = service.PhotographerIds as ISet<int> ?? service.PhotographerIds.ToHashSet();
            chosenPhotographers = photographers
                .Where(p => allowedPhotographers.Contains(p.Id) && (photographerId is null || p.Id == photographerId))
                .DistinctBy(p => p.Id)
                .OrderBy(p => p.Id)
                .ToArray();
        }
        photographerIds = chosenPhotographers.Select(p => p.Id).ToArray();
        workByWeekday = chosenPhotographers.Select(p => SplitPerWeekday(p.WorkingHours)).ToArray();
        timeOff = chosenPhotographers
            .Select(p => RangeIndex.Build(p.TimeOff.Select(off => (off.Start.Ticks, off.End.Ticks)).ToList()))
            .ToArray();
        workStartTicks = workByWeekday.Select(days => new long[days.Max(intervals => intervals.Length)]).ToArray();
        workEndTicks = workStartTicks.Select(starts => new long[starts.Length]).ToArray();
        workCount = new int[photographerIds.Length];
        bookingsThatDay = new int[photographerIds.Length];

        (roomBusy, photographerBusy) = IndexBusy(busy);
    }

    /// <summary>Appends the day's free slots in time order; with <paramref name="onlyMinute"/>, only that grid time is considered.</summary>
    public void CollectDay(DateOnly day, int? onlyMinute, List<FreeSlot> found)
    {
        if (!CanOffer || day < Today || day > LastBookableDay)
            return;
        foreach (var closure in closures)
            if (closure.Contains(day))
                return;

        var business = businessByWeekday[(int)day.DayOfWeek];
        if (business.Length == 0)
            return;

        var clock = StudioTime.LocalDay.Of(zone, day);
        var firstMinute = MinutesPerDay;
        var endMinute = 0;
        for (var i = 0; i < business.Length; i++)
        {
            openTicks[i] = clock.BoundTicks(business[i].Starts);
            closeTicks[i] = clock.BoundTicks(business[i].Ends);
            firstMinute = Math.Min(firstMinute, business[i].Starts);
            endMinute = Math.Max(endMinute, business[i].Ends);
        }

        if (needsPhotographer)
            PreparePhotographers(day, clock);

        // Grid times are multiples of the step from local midnight. Local labels map to instants in the
        // same order (first occurrences only), so labels outside [first opening, last closing) cannot fit.
        var minute = (firstMinute + step - 1) / step * step;
        for (; minute < endMinute && minute < MinutesPerDay; minute += step)
        {
            if (onlyMinute is int wanted && minute != wanted)
                continue;
            if (!clock.TryStartTicks(minute, out var start))
                continue;

            var end = start + durationTicks;
            if (start < earliestStartTicks || !InsideOne(openTicks, closeTicks, business.Length, start, end))
                continue;

            if (TryPlace(start, end, out var room, out var photographer))
            {
                var offset = clock.OffsetAt(start);
                found.Add(new FreeSlot(
                    new DateTime(start, DateTimeKind.Utc),
                    new DateTime(end, DateTimeKind.Utc),
                    new DateTimeOffset(start + offset.Ticks, offset),
                    roomIds[room],
                    photographer < 0 ? null : photographerIds[photographer]));
            }
        }
    }

    private void PreparePhotographers(DateOnly day, StudioTime.LocalDay clock)
    {
        var weekday = (int)day.DayOfWeek;
        var dayStart = clock.BoundTicks(0);
        var dayEnd = clock.BoundTicks(MinutesPerDay);
        for (var p = 0; p < photographerIds.Length; p++)
        {
            var work = workByWeekday[p][weekday];
            for (var i = 0; i < work.Length; i++)
            {
                workStartTicks[p][i] = clock.BoundTicks(work[i].Starts);
                workEndTicks[p][i] = clock.BoundTicks(work[i].Ends);
            }
            workCount[p] = work.Length;
            bookingsThatDay[p] = photographerBusy[p].CountStartingIn(dayStart, dayEnd);
        }
    }

    /// <summary>The lowest-id free room, and for it the least-booked free photographer (lowest id on ties).</summary>
    private bool TryPlace(long start, long end, out int room, out int photographer)
    {
        photographer = -1;
        for (room = 0; room < roomIds.Length; room++)
        {
            var blockedStart = start - roomBeforeTicks[room];
            var blockedEnd = end + roomAfterTicks[room];
            if (roomBusy[room].Overlaps(blockedStart, blockedEnd))
                continue;
            if (!needsPhotographer)
                return true;

            for (var p = 0; p < photographerIds.Length; p++)
            {
                // Ids are ascending, so a strict "fewer" keeps the lowest id on ties.
                if (photographer >= 0 && bookingsThatDay[p] >= bookingsThatDay[photographer])
                    continue;
                if (InsideOne(workStartTicks[p], workEndTicks[p], workCount[p], start, end)
                    && !timeOff[p].Overlaps(start, end)
                    && !photographerBusy[p].Overlaps(blockedStart, blockedEnd))
                    photographer = p;
            }
            if (photographer >= 0)
                return true;
        }
        return false;
    }

    private static bool InsideOne(long[] starts, long[] ends, int count, long start, long end)
    {
        for (var i = 0; i < count; i++)
            if (start >= starts[i] && end <= ends[i])
                return true;
        return false;
    }

    private (RangeIndex[] Rooms, RangeIndex[] Photographers) IndexBusy(IReadOnlyList<BusyRange> busy)
    {
        var roomSlot = new Dictionary<int, int>(roomIds.Length);
        for (var i = 0; i < roomIds.Length; i++)
            roomSlot[roomIds[i]] = i;
        var photographerSlot = new Dictionary<int, int>(photographerIds.Length);
        for (var i = 0; i < photographerIds.Length; i++)
            photographerSlot[photographerIds[i]] = i;

        var perRoom = roomIds.Select(_ => new List<(long, long)>()).ToArray();
        var perPhotographer = photographerIds.Select(_ => new List<(long, long)>()).ToArray();
        foreach (var range in busy)
        {
            var ticks = (range.StartUtc.Ticks, range.EndUtc.Ticks);
            if (roomSlot.TryGetValue(range.RoomId, out var r))
                perRoom[r].Add(ticks);
            if (range.PhotographerId is int id && photographerSlot.TryGetValue(id, out var p))
                perPhotographer[p].Add(ticks);
        }
        return (perRoom.Select(RangeIndex.Build).ToArray(), perPhotographer.Select(RangeIndex.Build).ToArray());
    }

    /// <summary>Weekly intervals as minutes of the day, per weekday; an end of 00:00 means midnight (1440).</summary>
    private static Interval[][] SplitPerWeekday(IReadOnlyList<WeeklyInterval> intervals)
    {
        var perDay = new List<Interval>[7];
        for (var d = 0; d < 7; d++)
            perDay[d] = [];
        foreach (var interval in intervals)
        {
            var starts = interval.Starts.Hour * 60 + interval.Starts.Minute;
            var ends = interval.Ends == TimeOnly.MinValue ? MinutesPerDay : interval.Ends.Hour * 60 + interval.Ends.Minute;
            if (ends > starts)
                perDay[(int)interval.Day].Add(new Interval(starts, ends));
        }
        return perDay.Select(list => list.ToArray()).ToArray();
    }

    private readonly record struct Interval(int Starts, int Ends);
}

/// <summary>
/// Half-open ranges sorted by start, with the running maximum of their ends: "does anything overlap
/// [from, to)" is one binary search, correct even if the ranges overlap each other.
/// </summary>
internal sealed class RangeIndex
{
    private static readonly RangeIndex Empty = new([], []);

    private readonly long[] starts;
    private readonly long[] maxEndSoFar;

    private RangeIndex(long[] starts, long[] maxEndSoFar)
    {
        this.starts = starts;
        this.maxEndSoFar = maxEndSoFar;
    }

    public static RangeIndex Build(List<(long Start, long End)> ranges)
    {
        // An empty range blocks nothing under [) bounds.
        ranges.RemoveAll(range => range.End <= range.Start);
        if (ranges.Count == 0)
            return Empty;
        ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
        var starts = new long[ranges.Count];
        var maxEnd = new long[ranges.Count];
        var max = long.MinValue;
        for (var i = 0; i < ranges.Count; i++)
        {
            starts[i] = ranges[i].Start;
            max = Math.Max(max, ranges[i].End);
            maxEnd[i] = max;
        }
        return new RangeIndex(starts, maxEnd);
    }

    public bool Overlaps(long from, long to)
    {
        var before = FirstStartingAtOrAfter(to);
        return before > 0 && maxEndSoFar[before - 1] > from;
    }

    public int CountStartingIn(long from, long to) => FirstStartingAtOrAfter(to) - FirstStartingAtOrAfter(from);

    private int FirstStartingAtOrAfter(long instant)
    {
        int low = 0, high = starts.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (starts[middle] < instant)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }
}
