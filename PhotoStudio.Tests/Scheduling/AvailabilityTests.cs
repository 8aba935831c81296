using PhotoStudio.Scheduling;

namespace PhotoStudio.Tests.Scheduling;

/// <summary>The availability engine: pure unit tests, no database. Times are Europe/Berlin unless said otherwise.</summary>
public class AvailabilityTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    // A summer week (CEST, UTC+2), well ahead of "now".
    private static readonly DateOnly Monday = new(2027, 6, 7);
    private static readonly DateOnly Tuesday = Monday.AddDays(1);
    private static readonly DateTimeOffset LongBefore = new(2027, 6, 1, 6, 0, 0, TimeSpan.Zero);

    private static readonly WeeklyInterval[] WeekdaysNineToFive =
        [.. Enumerable.Range(1, 5).Select(d => Open((DayOfWeek)d, "09:00", "17:00"))];

    [Fact]
    public void Slots_lie_on_the_local_grid_inside_business_hours()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "12:00"), Open(DayOfWeek.Monday, "13:00", "17:00"));

        var slots = Find(rules, Solo(60, 1), [Room(1)], Monday, Monday);

        Assert.Equal(
            ["09:00", "09:30", "10:00", "10:30", "11:00", "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"],
            Times(slots, Monday));
        var first = slots.SlotsOn(Monday)[0];
        Assert.Equal(new DateTime(2027, 6, 7, 7, 0, 0, DateTimeKind.Utc), first.StartUtc);
        Assert.Equal(new DateTime(2027, 6, 7, 8, 0, 0, DateTimeKind.Utc), first.EndUtc);
        Assert.Equal(new DateTimeOffset(2027, 6, 7, 9, 0, 0, TimeSpan.FromHours(2)), first.LocalStart);
        Assert.Equal(TimeSpan.FromHours(2), first.LocalStart.Offset);
        Assert.Null(first.PhotographerId);
    }

    [Fact]
    public void The_grid_is_anchored_at_local_midnight_not_at_opening_time()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "10:00", "13:00")) with { SlotStepMinutes = 45 };

        var slots = Find(rules, Solo(45, 1), [Room(1)], Monday, Monday);

        Assert.Equal(["10:30", "11:15", "12:00"], Times(slots, Monday));
    }

    [Fact]
    public void Slots_are_grouped_by_local_date_not_by_utc_date()
    {
        var rules = Rules(Open(DayOfWeek.Tuesday, "00:00", "02:00"), Open(DayOfWeek.Monday, "22:00", "00:00"));

        var slots = Find(rules, Solo(60, 1), [Room(1)], Monday, Tuesday);

        Assert.Equal(["22:00", "22:30", "23:00"], Times(slots, Monday));
        Assert.Equal(["00:00", "00:30", "01:00"], Times(slots, Tuesday));
        Assert.Equal(new DateTime(2027, 6, 7, 22, 0, 0, DateTimeKind.Utc), slots.SlotsOn(Tuesday)[0].StartUtc);
        Assert.Equal(Tuesday, slots.SlotsOn(Tuesday)[0].LocalDate);
    }

    [Fact]
    public void Closed_days_and_days_without_business_hours_have_no_slots()
    {
        var rules = Rules(WeekdaysNineToFive) with { Closures = [new ClosedDays(Tuesday, Tuesday.AddDays(1))] };

        var slots = Find(rules, Solo(60, 1), [Room(1)], Monday, Monday.AddDays(6));

        Assert.Equal([Monday, Monday.AddDays(3), Monday.AddDays(4)], slots.Days.Keys);
        Assert.Empty(slots.SlotsOn(Tuesday));
        Assert.False(slots.HasSlots(Monday.AddDays(5)));
    }

    [Fact]
    public void Minimum_notice_hides_starts_too_close_to_now_and_a_start_exactly_at_the_notice_is_offered()
    {
        var rules = Rules(WeekdaysNineToFive) with { MinimumNotice = TimeSpan.FromHours(2) };
        var tenLocal = new DateTimeOffset(2027, 6, 7, 10, 0, 0, TimeSpan.FromHours(2));

        var atTen = Find(rules, Solo(60, 1), [Room(1)], Monday, Monday, now: tenLocal);
        var atTenPastTen = Find(rules, Solo(60, 1), [Room(1)], Monday, Monday, now: tenLocal.AddMinutes(10));

        Assert.Equal("12:00", Times(atTen, Monday)[0]);
        Assert.Equal("12:30", Times(atTenPastTen, Monday)[0]);
    }

    [Fact]
    public void Nothing_is_offered_past_the_horizon_or_before_today()
    {
        var rules = Rules(WeekdaysNineToFive) with { HorizonDays = 3 };
        var mondayMorning = new DateTimeOffset(2027, 6, 7, 6, 0, 0, TimeSpan.Zero);

        var slots = Find(rules, Solo(60, 1), [Room(1)], Monday.AddDays(-7), Monday.AddDays(6), now: mondayMorning);

        Assert.Equal([Monday, Tuesday, Monday.AddDays(2), Monday.AddDays(3)], slots.Days.Keys);
    }

    [Fact]
    public void A_buffer_touching_another_bookings_blocked_range_only_at_the_edge_is_offered()
    {
        // The room blocks 15 minutes either side; the existing booking 12:00–13:00 blocks 11:45–13:15.
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "17:00"));
        var busy = new[] { new BusyRange(1, null, At(Monday, "11:45"), At(Monday, "13:15")) };

        var times = Times(Find(rules, Solo(60, 1), [Room(1, before: 15, after: 15)], Monday, Monday, busy: busy), Monday);

        Assert.Contains("10:30", times);     // blocks 10:15–11:45: touches at 11:45
        Assert.DoesNotContain("11:00", times);
        Assert.DoesNotContain("13:00", times);
        Assert.Contains("13:30", times);     // blocks 13:15–14:45: touches at 13:15
    }

    [Fact]
    public void A_buffer_overlapping_another_bookings_blocked_range_by_one_minute_is_not_offered()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "17:00"));
        var busy = new[] { new BusyRange(1, null, At(Monday, "11:44"), At(Monday, "13:16")) };

        var times = Times(Find(rules, Solo(60, 1), [Room(1, before: 15, after: 15)], Monday, Monday, busy: busy), Monday);

        Assert.Contains("10:00", times);
        Assert.DoesNotContain("10:30", times);
        Assert.DoesNotContain("13:30", times);
        Assert.Contains("14:00", times);
    }

    [Fact]
    public void Back_to_back_sessions_fit_in_a_room_without_buffers()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "13:00"));
        var busy = new[] { new BusyRange(1, null, At(Monday, "10:00"), At(Monday, "11:00")) };

        var slots = Find(rules, Solo(60, 1), [Room(1)], Monday, Monday, busy: busy);

        Assert.Equal(["09:00", "11:00", "11:30", "12:00"], Times(slots, Monday));
    }

    [Fact]
    public void A_booking_in_another_room_does_not_block_the_room()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "11:00"));
        var busy = new[] { new BusyRange(2, null, At(Monday, "09:00"), At(Monday, "11:00")) };

        var slots = Find(rules, Solo(60, 1, 2), [Room(1), Room(2)], Monday, Monday, busy: busy, roomId: 1);

        Assert.Equal(["09:00", "09:30", "10:00"], Times(slots, Monday));
    }

    [Fact]
    public void A_photographer_busy_in_another_room_blocks_the_slot()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "13:00"));
        var service = Shoot(60, rooms: [1, 2], photographers: [7, 8]);
        var staff = new[] { Photographer(7, Open(DayOfWeek.Monday, "09:00", "13:00")), Photographer(8, Open(DayOfWeek.Monday, "09:00", "13:00")) };
        var busy = new[] { new BusyRange(2, 7, At(Monday, "10:00"), At(Monday, "11:00")) };

        var withSeven = Find(rules, service, [Room(1), Room(2)], Monday, Monday, staff, busy, roomId: 1, photographerId: 7);
        var withEight = Find(rules, service, [Room(1), Room(2)], Monday, Monday, staff, busy, roomId: 1, photographerId: 8);

        Assert.Equal(["09:00", "11:00", "11:30", "12:00"], Times(withSeven, Monday));
        Assert.Equal(["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"], Times(withEight, Monday));
        Assert.All(withSeven.SlotsOn(Monday), slot => Assert.Equal((1, (int?)7), (slot.RoomId, slot.PhotographerId)));
    }

    [Fact]
    public void A_photographer_is_offered_only_inside_working_hours_and_outside_time_off()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "17:00"));
        var photographer = Photographer(7, Open(DayOfWeek.Monday, "10:00", "12:00"), Open(DayOfWeek.Monday, "13:00", "16:00")) with
        {
            TimeOff = [new UtcRange(At(Monday, "14:00"), At(Monday, "15:00"))],
        };

        var slots = Find(rules, Shoot(60, [1], [7]), [Room(1)], Monday, Monday.AddDays(1), [photographer]);

        Assert.Equal(["10:00", "10:30", "11:00", "13:00", "15:00"], Times(slots, Monday));
        Assert.False(slots.HasSlots(Tuesday)); // does not work on Tuesdays
    }

    [Fact]
    public void Any_photographer_is_the_least_booked_that_day_and_the_lowest_id_on_ties()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "18:00"));
        var hours = Open(DayOfWeek.Monday, "09:00", "18:00");
        var staff = new[] { Photographer(3, hours), Photographer(1, hours), Photographer(2, hours) };
        var busy = new[]
        {
            // Photographer 1: two bookings today. Photographers 2 and 3: one each. Other days do not count.
            new BusyRange(9, 1, At(Monday, "09:00"), At(Monday, "10:00")),
            new BusyRange(9, 1, At(Monday, "16:00"), At(Monday, "17:00")),
            new BusyRange(9, 2, At(Monday, "12:00"), At(Monday, "13:00")),
            new BusyRange(9, 3, At(Monday, "17:00"), At(Monday, "18:00")),
            new BusyRange(9, 2, At(Tuesday, "09:00"), At(Tuesday, "10:00")),
            new BusyRange(9, 2, At(Tuesday, "11:00"), At(Tuesday, "12:00")),
        };

        var slots = Find(rules, Shoot(60, [1], [1, 2, 3]), [Room(1)], Monday, Monday, staff, busy).SlotsOn(Monday);

        int? Picked(string time) => slots.Single(s => s.LocalStart.ToString("HH:mm") == time).PhotographerId;
        Assert.Equal(2, Picked("09:00"));  // 2 and 3 tie with one booking: lowest id
        Assert.Equal(3, Picked("12:00"));  // 2 is busy
        Assert.Equal(2, Picked("16:00"));
        Assert.Equal(2, Picked("17:00"));  // 3 is busy, 1 is busy until 17:00 but has more bookings
    }

    [Fact]
    public void Any_room_is_the_lowest_id_allowed_free_room()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "12:00"));
        var busy = new[] { new BusyRange(2, null, At(Monday, "10:00"), At(Monday, "11:00")) };

        var slots = Find(rules, Solo(60, 3, 2), [Room(1), Room(3), Room(2)], Monday, Monday, busy: busy).SlotsOn(Monday);

        Assert.Equal([2, 3, 3, 3, 2], slots.Select(s => s.RoomId));
    }

    [Fact]
    public void Any_room_needs_a_photographer_free_for_that_rooms_buffers()
    {
        // Room 1 blocks 30 minutes after a session; room 2 none. The only photographer is busy from 11:00.
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "12:00"));
        var staff = new[] { Photographer(7, Open(DayOfWeek.Monday, "09:00", "12:00")) };
        var busy = new[] { new BusyRange(3, 7, At(Monday, "11:00"), At(Monday, "12:00")) };

        var slot = Find(rules, Shoot(60, [1, 2], [7]), [Room(1, after: 30), Room(2)], Monday, Monday, staff, busy)
            .SlotsOn(Monday).Single(s => s.LocalStart.Hour == 10 && s.LocalStart.Minute == 0);

        Assert.Equal((2, (int?)7), (slot.RoomId, slot.PhotographerId));
    }

    [Fact]
    public void A_room_or_photographer_not_allowed_for_the_service_gives_nothing()
    {
        var rules = Rules(WeekdaysNineToFive);
        var staff = new[] { Photographer(7, WeekdaysNineToFive), Photographer(8, WeekdaysNineToFive) };
        var rooms = new[] { Room(1), Room(2) };
        var service = Shoot(60, [1], [7]);

        Assert.NotEmpty(Find(rules, service, rooms, Monday, Monday, staff, roomId: 1, photographerId: 7).Days);
        Assert.Empty(Find(rules, service, rooms, Monday, Monday, staff, roomId: 2).Days);
        Assert.Empty(Find(rules, service, rooms, Monday, Monday, staff, photographerId: 8).Days);
        Assert.Empty(Find(rules, service, rooms, Monday, Monday, staff, photographerId: 99).Days);
        Assert.Empty(Find(rules, service with { RoomIds = [5] }, rooms, Monday, Monday, staff).Days);
        Assert.False(IsFree(rules, service, rooms, staff, [], At(Monday, "10:00"), roomId: 2));
    }

    [Fact]
    public void A_service_without_a_photographer_ignores_photographers()
    {
        var rules = Rules(Open(DayOfWeek.Monday, "09:00", "11:00"));
        var staff = new[] { Photographer(7) }; // works never
        var busy = new[] { new BusyRange(2, 7, At(Monday, "09:00"), At(Monday, "11:00")) };

        var slots = Find(rules, Solo(60, 1), [Room(1)], Monday, Monday, staff, busy, photographerId: 7);

        Assert.Equal(["09:00", "09:30", "10:00"], Times(slots, Monday));
        Assert.All(slots.SlotsOn(Monday), slot => Assert.Null(slot.PhotographerId));
    }

    [Fact]
    public void Spring_forward_day_in_Berlin_has_no_slot_at_a_time_that_does_not_exist()
    {
        var springForward = new DateOnly(2027, 3, 28);
        var sundayBefore = springForward.AddDays(-7);
        var rules = Rules(Open(DayOfWeek.Sunday, "01:00", "05:00"));
        var now = new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);

        var slots = Find(rules, Solo(60, 1), [Room(1)], sundayBefore, springForward, now: now);

        Assert.Equal(["01:00", "01:30", "02:00", "02:30", "03:00", "03:30", "04:00"], Times(slots, sundayBefore));
        Assert.Equal(["01:00", "01:30", "03:00", "03:30", "04:00"], Times(slots, springForward));
        var halfPastOne = slots.SlotsOn(springForward)[1];
        Assert.Equal(new DateTime(2027, 3, 28, 0, 30, 0, DateTimeKind.Utc), halfPastOne.StartUtc);
        // A 60-minute session is real elapsed time: 01:30 CET + 1 h = 03:30 CEST.
        Assert.Equal(new DateTime(2027, 3, 28, 1, 30, 0, DateTimeKind.Utc), halfPastOne.EndUtc);
        Assert.Equal(TimeSpan.FromHours(1), halfPastOne.LocalStart.Offset);
        Assert.Equal(TimeSpan.FromHours(2), slots.SlotsOn(springForward)[2].LocalStart.Offset);
        Assert.DoesNotContain(slots.SlotsOn(springForward), s => s.LocalStart.Hour == 2);
        // The instant right after the gap is 03:00 CEST, offered once under that label.
        Assert.Single(slots.SlotsOn(springForward), s => s.StartUtc == new DateTime(2027, 3, 28, 1, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Fall_back_day_in_Berlin_offers_the_repeated_hour_once_at_the_daylight_offset()
    {
        var fallBack = new DateOnly(2027, 10, 31);
        var sundayBefore = fallBack.AddDays(-7);
        var rules = Rules(Open(DayOfWeek.Sunday, "01:00", "05:00"));
        var now = new DateTimeOffset(2027, 10, 1, 0, 0, 0, TimeSpan.Zero);

        var slots = Find(rules, Solo(60, 1), [Room(1)], sundayBefore, fallBack, now: now);

        string[] sevenStarts = ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30", "04:00"];
        Assert.Equal(sevenStarts, Times(slots, sundayBefore));
        Assert.Equal(sevenStarts, Times(slots, fallBack));
        var halfPastTwo = Assert.Single(slots.SlotsOn(fallBack), s => s.LocalStart.Hour == 2 && s.LocalStart.Minute == 30);
        Assert.Equal(new DateTime(2027, 10, 31, 0, 30, 0, DateTimeKind.Utc), halfPastTwo.StartUtc);
        Assert.Equal(TimeSpan.FromHours(2), halfPastTwo.LocalStart.Offset);
        Assert.Equal(new DateTime(2027, 10, 31, 2, 0, 0, DateTimeKind.Utc), slots.SlotsOn(fallBack)[4].StartUtc); // 03:00 CET
        Assert.Equal(TimeSpan.FromHours(1), slots.SlotsOn(fallBack)[4].LocalStart.Offset);

        // The second 02:30 (CET, 01:30 UTC) is the same label: refused even if posted.
        Assert.True(IsFree(rules, Solo(60, 1), [Room(1)], [], [], new DateTime(2027, 10, 31, 0, 30, 0, DateTimeKind.Utc), now));
        Assert.False(IsFree(rules, Solo(60, 1), [Room(1)], [], [], new DateTime(2027, 10, 31, 1, 30, 0, DateTimeKind.Utc), now));
    }

    [Fact]
    public void A_whole_day_of_business_hours_counts_the_right_number_of_slots_on_both_DST_days()
    {
        var rules = Rules(Open(DayOfWeek.Sunday, "00:00", "00:00")); // open around the clock on Sundays
        var now = new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);

        int Count(DateOnly day) => Find(rules, Solo(60, 1), [Room(1)], day, day, now: now).SlotsOn(day).Count;

        Assert.Equal(47, Count(new DateOnly(2027, 3, 21)));  // 00:00 … 23:00
        Assert.Equal(45, Count(new DateOnly(2027, 3, 28)));  // 02:00 and 02:30 do not exist
        Assert.Equal(47, Count(new DateOnly(2027, 10, 31))); // each label once, though the day lasts 25 hours
    }

    [Fact]
    public void IsFree_agrees_with_FindSlots_on_a_sample_of_starts()
    {
        var data = Dataset.Generate(seed: 7);
        var calendar = Availability.FindSlots(data.Rules, data.Service, data.Rooms, data.Photographers, data.Busy,
            data.FirstDay, data.LastDay, data.Now);
        var offered = calendar.All.ToDictionary(s => s.StartUtc);

        var checkedFree = 0;
        var from = TimeZoneInfo.ConvertTimeToUtc(data.FirstDay.AddDays(1).ToDateTime(TimeOnly.MinValue), Berlin);
        for (var start = from; start < from.AddDays(7); start = start.AddMinutes(10))
        {
            var slot = Availability.SlotAt(data.Rules, data.Service, data.Rooms, data.Photographers, data.Busy, start, data.Now);
            Assert.Equal(offered.GetValueOrDefault(start), slot);
            checkedFree += slot is null ? 0 : 1;
        }
        Assert.True(checkedFree > 20, $"only {checkedFree} free starts sampled");

        var aFreeOne = calendar.All.First(s => s.StartUtc > data.Now.UtcDateTime.AddDays(3));
        Assert.True(IsFree(data.Rules, data.Service, data.Rooms, data.Photographers, data.Busy, aFreeOne.StartUtc, data.Now));
        Assert.True(IsFree(data.Rules, data.Service, data.Rooms, data.Photographers, data.Busy, aFreeOne.StartUtc, data.Now,
            aFreeOne.RoomId, aFreeOne.PhotographerId));
        // Forged: off the grid by 7 minutes, or by 30 seconds.
        Assert.False(IsFree(data.Rules, data.Service, data.Rooms, data.Photographers, data.Busy, aFreeOne.StartUtc.AddMinutes(7), data.Now));
        Assert.False(IsFree(data.Rules, data.Service, data.Rooms, data.Photographers, data.Busy, aFreeOne.StartUtc.AddSeconds(30), data.Now));
        // Stale: the same start seen again after it has passed.
        Assert.False(IsFree(data.Rules, data.Service, data.Rooms, data.Photographers, data.Busy, aFreeOne.StartUtc, aFreeOne.StartUtc.AddHours(1)));
        // Taken meanwhile by another booking in every allowed room.
        var taken = data.Busy.Concat(data.Rooms.Select(r => new BusyRange(r.Id, null, aFreeOne.StartUtc, aFreeOne.EndUtc))).ToArray();
        Assert.False(IsFree(data.Rules, data.Service, data.Rooms, data.Photographers, taken, aFreeOne.StartUtc, data.Now));
    }

    [Fact]
    public void A_month_for_5_rooms_and_10_photographers_with_500_bookings_matches_a_brute_force_check()
    {
        var data = Dataset.Generate(seed: 42);
        Assert.Equal(500, data.Busy.Length);

        foreach (var (roomId, photographerId) in new (int?, int?)[] { (null, null), (2, null), (null, 6), (4, 3) })
        {
            var calendar = Availability.FindSlots(data.Rules, data.Service, data.Rooms, data.Photographers, data.Busy,
                data.FirstDay, data.LastDay, data.Now, roomId, photographerId);
            var expected = BruteForce(data, roomId, photographerId);

            Assert.Equal(expected, calendar.All.ToList());
            Assert.All(calendar.Days, day => Assert.All(day.Value, slot => Assert.Equal(day.Key, slot.LocalDate)));
            if (roomId is null && photographerId is null)
            {
                Assert.True(expected.Count > 200, $"only {expected.Count} slots: the dataset tests too little");
                Assert.True(expected.Select(s => s.RoomId).Distinct().Count() > 1);
                Assert.True(expected.Select(s => s.PhotographerId).Distinct().Count() > 3);
                Assert.False(calendar.HasSlots(new DateOnly(2027, 6, 14))); // closed
            }
        }
    }

    // --- A realistic month: 5 rooms, 10 photographers, 500 live bookings (June 2027, no DST change). ---

    private sealed record Dataset(
        StudioRules Rules, ServiceRequirements Service, RoomAvailability[] Rooms,
        PhotographerAvailability[] Photographers, BusyRange[] Busy, DateOnly FirstDay, DateOnly LastDay, DateTimeOffset Now)
    {
        public static Dataset Generate(int seed)
        {
            var random = new Random(seed);
            var weekdays = Enumerable.Range(1, 5).Select(d => (DayOfWeek)d).ToArray();
            var rules = new StudioRules(Berlin, 30, TimeSpan.FromHours(2), 25,
                [
                    .. weekdays.Select(d => Open(d, "09:00", "13:00")),
                    .. weekdays.Select(d => Open(d, "14:00", "20:00")),
                    Open(DayOfWeek.Saturday, "10:00", "16:00"),
                ],
                [new ClosedDays(new DateOnly(2027, 6, 14), new DateOnly(2027, 6, 15))]);
            var rooms = new[] { Room(5, 10, 10), Room(1, 15, 15), Room(2), Room(3, 0, 30), Room(4, 30, 0) };
            var photographers = Enumerable.Range(1, 10).Select(id =>
            {
                var from = 8 + id % 3;
                var hours = weekdays.Concat([DayOfWeek.Saturday]).Where((_, i) => (i + id) % 6 != 0)
                    .SelectMany(d => new[] { Open(d, $"{from:00}:00", "13:30"), Open(d, "14:00", $"{17 + id % 4}:30") });
                var off = new DateTime(2027, 6, 1 + random.Next(28), 6 + random.Next(10), 0, 0, DateTimeKind.Utc);
                return new PhotographerAvailability(id, [.. hours], [new UtcRange(off, off.AddHours(1 + random.Next(30)))]);
            }).ToArray();
            var busy = Enumerable.Range(0, 500).Select(_ =>
            {
                var room = rooms[random.Next(rooms.Length)];
                int? photographer = random.Next(5) == 0 ? null : 1 + random.Next(10);
                var start = new DateTime(2027, 6, 1 + random.Next(30), 6 + random.Next(12), 15 * random.Next(4), 0, DateTimeKind.Utc);
                var end = start.AddMinutes(30 * (1 + random.Next(6)));
                return new BusyRange(room.Id, photographer,
                    start.AddMinutes(-room.BufferBeforeMinutes), end.AddMinutes(room.BufferAfterMinutes));
            }).ToArray();
            var service = new ServiceRequirements(90, true, [1, 2, 4, 5], [1, 2, 3, 5, 6, 7, 8, 9, 10]);
            return new Dataset(rules, service, rooms, photographers, busy,
                new DateOnly(2027, 6, 1), new DateOnly(2027, 6, 30), new DateTimeOffset(2027, 5, 31, 22, 0, 0, TimeSpan.Zero));
        }
    }

    /// <summary>The rules read straight from the brief, slowly, with no indexes: the engine must agree with it.</summary>
    private static List<FreeSlot> BruteForce(Dataset data, int? roomId, int? photographerId)
    {
        var (rules, service) = (data.Rules, data.Service);
        var zone = rules.Zone;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(data.Now, zone).DateTime);
        DateTime ToUtc(DateOnly day, TimeOnly time) => TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(time), zone);
        DateOnly LocalDate(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, zone));
        bool Inside(IEnumerable<WeeklyInterval> hours, DateOnly day, DateTime start, DateTime end) =>
            hours.Any(h => h.Day == day.DayOfWeek && start >= ToUtc(day, h.Starts) && end <= ToUtc(day, h.Ends));

        var slots = new List<FreeSlot>();
        for (var day = data.FirstDay; day <= data.LastDay; day = day.AddDays(1))
        {
            if (day > today.AddDays(rules.HorizonDays) || rules.Closures.Any(c => day >= c.FirstDay && day <= c.LastDay))
                continue;
            for (var minute = 0; minute < 24 * 60; minute += rules.SlotStepMinutes)
            {
                var start = ToUtc(day, TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(minute)));
                var end = start.AddMinutes(service.DurationMinutes);
                if (start < data.Now.UtcDateTime + rules.MinimumNotice || !Inside(rules.BusinessHours, day, start, end))
                    continue;
                foreach (var room in data.Rooms.Where(r => service.RoomIds.Contains(r.Id) && (roomId ?? r.Id) == r.Id).OrderBy(r => r.Id))
                {
                    var blocked = new UtcRange(start.AddMinutes(-room.BufferBeforeMinutes), end.AddMinutes(room.BufferAfterMinutes));
                    if (data.Busy.Any(b => b.RoomId == room.Id && blocked.Overlaps(new UtcRange(b.StartUtc, b.EndUtc))))
                        continue;
                    var photographer = data.Photographers
                        .Where(p => service.PhotographerIds.Contains(p.Id) && (photographerId ?? p.Id) == p.Id)
                        .Where(p => Inside(p.WorkingHours, day, start, end))
                        .Where(p => !p.TimeOff.Any(off => off.Overlaps(new UtcRange(start, end))))
                        .Where(p => !data.Busy.Any(b => b.PhotographerId == p.Id && blocked.Overlaps(new UtcRange(b.StartUtc, b.EndUtc))))
                        .OrderBy(p => data.Busy.Count(b => b.PhotographerId == p.Id && LocalDate(b.StartUtc) == day))
                        .ThenBy(p => p.Id)
                        .FirstOrDefault();
                    if (photographer is null)
                        continue;
                    var local = TimeZoneInfo.ConvertTimeFromUtc(start, zone);
                    slots.Add(new FreeSlot(start, end, new DateTimeOffset(local, zone.GetUtcOffset(start)), room.Id, photographer.Id));
                    break;
                }
            }
        }
        return slots;
    }

    // --- Small builders ---

    private static StudioRules Rules(params WeeklyInterval[] hours) => new(Berlin, 30, TimeSpan.Zero, 365, hours, []);

    private static WeeklyInterval Open(DayOfWeek day, string from, string to) => new(day, TimeOnly.Parse(from), TimeOnly.Parse(to));

    private static ServiceRequirements Solo(int minutes, params int[] rooms) => new(minutes, false, rooms, []);

    private static ServiceRequirements Shoot(int minutes, int[] rooms, int[] photographers) => new(minutes, true, rooms, photographers);

    private static RoomAvailability Room(int id, int before = 0, int after = 0) => new(id, before, after);

    private static PhotographerAvailability Photographer(int id, params WeeklyInterval[] hours) => new(id, hours, []);

    /// <summary>A Berlin wall-clock time on a day without a DST change, as UTC.</summary>
    private static DateTime At(DateOnly day, string time) =>
        TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.Parse(time)), Berlin);

    private static SlotCalendar Find(
        StudioRules rules, ServiceRequirements service, RoomAvailability[] rooms, DateOnly first, DateOnly last,
        PhotographerAvailability[]? photographers = null, BusyRange[]? busy = null,
        int? roomId = null, int? photographerId = null, DateTimeOffset? now = null) =>
        Availability.FindSlots(rules, service, rooms, photographers ?? [], busy ?? [], first, last, now ?? LongBefore, roomId, photographerId);

    private static bool IsFree(
        StudioRules rules, ServiceRequirements service, RoomAvailability[] rooms, PhotographerAvailability[] photographers,
        BusyRange[] busy, DateTime start, DateTimeOffset? now = null, int? roomId = null, int? photographerId = null) =>
        Availability.IsFree(rules, service, rooms, photographers, busy, start, now ?? LongBefore, roomId, photographerId);

    private static string[] Times(SlotCalendar calendar, DateOnly day) =>
        [.. calendar.SlotsOn(day).Select(slot => slot.LocalStart.ToString("HH:mm"))];
}
