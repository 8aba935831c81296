namespace PhotoStudio.Data.Seeding;

/// <summary>
/// When bookings were made and handled: the desk (admin, manager, reception) takes calls and confirms while one of
/// them is at work, so desk work lands in their working hours.
/// </summary>
public partial class DemoSeeder
{
    /// <summary>When a booking was made: a walk-in minutes before, a pending request lately, the rest days or weeks ahead.</summary>
    private DateTime ChooseCreatedAt(Booking b)
    {
        if (b.Source == "walk-in")
        {
            var walkIn = b.StartsAt.AddMinutes(-rng.Next(10, 45));
            return Second(OnDuty(walkIn) is null ? b.StartsAt.AddMinutes(-10) : walkIn);
        }
        // Pending requests are recent (older ones would have been confirmed or expired by now); the rest
        // were made between a few hours and three weeks ahead; always with the minimum notice, never later than now.
        var latest = Min(now.AddMinutes(-20), b.StartsAt.AddHours(-2));
        var created = b.Status == BookingStatus.Pending ? now.AddMinutes(-rng.Next(20, 36 * 60))
            : b.StartsAt > now ? now.AddMinutes(-rng.Next(30, 14 * 24 * 60))
            : b.StartsAt.AddMinutes(-rng.Next(3 * 60, 21 * 24 * 60));
        created = Min(created, latest);
        if (b.Source == "phone")
        {
            // Phone bookings are typed in by the desk while it is staffed; a call that cannot fit became a web booking.
            var atDesk = DeskTime(created);
            if (atDesk <= latest) created = atDesk;
            else b.Source = "web";
        }
        return Second(created);
    }

    /// <summary>
    /// When the desk does something it could do from <paramref name="earliest"/> but would rather do at
    /// <paramref name="preferred"/>: the first staffed moment from the preferred time, else from the earliest,
    /// as long as it is no later than <paramref name="limit"/>; null when the desk is closed all that while.
    /// </summary>
    private DateTime? DeskWindow(DateTime earliest, DateTime preferred, DateTime limit)
    {
        foreach (var t in new[] { DeskTime(preferred), DeskTime(earliest) })
            if (t >= earliest && t <= limit) return t;
        return null;
    }

    /// <summary>A desk employee (admin, manager, receptionist) working at that moment, if any; picked at random.</summary>
    private Employee? OnDuty(DateTime utc)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        var (day, time) = (DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local));
        var present = staff.Desk.Where(e => AtWork(e, day, time)).ToList();
        return present.Count == 0 ? null : Pick(present);
    }

    /// <summary>The moment itself when the desk is staffed, else a little after the desk next opens.</summary>
    private DateTime DeskTime(DateTime utc)
    {
        if (OnDuty(utc) is not null) return utc;
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        var (day, time) = (DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local));
        for (var d = day; d <= day.AddDays(7); d = d.AddDays(1))
        {
            var opens = staff.Desk.SelectMany(e => e.WorkingHours)
                .Where(w => w.Weekday == d.DayOfWeek && (d > day || w.Starts > time))
                .Select(w => (TimeOnly?)w.Starts).Min();
            if (opens is { } t) return Utc(d, t).AddMinutes(rng.Next(0, 45));
        }
        return utc;
    }

    private static bool AtWork(Employee e, DateOnly day, TimeOnly time) =>
        e.WorkingHours.Any(w => w.Weekday == day.DayOfWeek && w.Starts <= time && time <= w.Ends);
}
