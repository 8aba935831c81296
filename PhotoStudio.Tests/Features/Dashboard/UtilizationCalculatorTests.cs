using PhotoStudio.Features.Dashboard;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Tests.Features.Dashboard;

/// <summary>The available-minutes calculator, by hand, in Europe/Berlin (clocks go forward 30 March 2031, back 26 October).</summary>
public class UtilizationCalculatorTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly DateOnly Monday = new(2031, 6, 2), Sunday = new(2031, 6, 8);

    private static WeeklyInterval At(DayOfWeek day, int from, int to) => new(day, new TimeOnly(from, 0), new TimeOnly(to % 24, 0));

    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    // The demo studio: weekdays 09–20, Saturday 10–18, Sunday closed.
    private static readonly WeeklyInterval[] Studio = [.. Weekdays.Select(d => At(d, 9, 20)), At(DayOfWeek.Saturday, 10, 18)];

    private static DateTime Utc(int m, int d, int h, int min = 0) => new(2031, m, d, h, min, 0, DateTimeKind.Utc);

    [Fact]
    public void A_normal_week_counts_every_opening_hour()
    {
        Assert.Equal(5 * 660 + 480, AvailableMinutes.Room(Berlin, Monday, Sunday, Studio, []));
    }

    [Fact]
    public void A_dst_day_counts_the_minutes_that_really_pass()
    {
        var day = new DateOnly(2031, 3, 30);
        Assert.Equal(DayOfWeek.Sunday, day.DayOfWeek);
        Assert.Equal(540, AvailableMinutes.Room(Berlin, day, day, [At(DayOfWeek.Sunday, 9, 18)], []));
        // Around the clock: the day has 23 hours, and the missing hour 02:00–03:00 has no minutes in the heatmap.
        Assert.Equal(23 * 60, AvailableMinutes.Room(Berlin, day, day, [At(DayOfWeek.Sunday, 0, 24)], []));
        var cells = AvailableMinutes.RoomCells(Berlin, day, day, [At(DayOfWeek.Sunday, 0, 24)], []);
        Assert.Equal(0, cells[(int)DayOfWeek.Sunday, 2]);
        Assert.Equal(60, cells[(int)DayOfWeek.Sunday, 1]);
        Assert.Equal(60, cells[(int)DayOfWeek.Sunday, 3]);
        // The autumn day has 25 hours; its 02:00 hour happens twice.
        var autumn = new DateOnly(2031, 10, 26);
        Assert.Equal(25 * 60, AvailableMinutes.Room(Berlin, autumn, autumn, [At(DayOfWeek.Sunday, 0, 24)], []));
        Assert.Equal(120, AvailableMinutes.RoomCells(Berlin, autumn, autumn, [At(DayOfWeek.Sunday, 0, 24)], [])[(int)DayOfWeek.Sunday, 2]);
    }

    [Fact]
    public void Closed_days_have_no_available_minutes()
    {
        var wednesday = new DateOnly(2031, 6, 4);
        ClosedDays[] closed = [new(wednesday, wednesday)];
        Assert.Equal(4 * 660 + 480, AvailableMinutes.Room(Berlin, Monday, Sunday, Studio, closed));
        Assert.Equal(4 * 480, AvailableMinutes.Photographer(Berlin, Monday, Sunday, Studio, closed, [.. Weekdays.Select(d => At(d, 9, 17))], []));
        var cells = AvailableMinutes.RoomCells(Berlin, Monday, Sunday, Studio, closed);
        Assert.Equal(0, cells[(int)DayOfWeek.Wednesday, 10]);
        Assert.Equal(60, cells[(int)DayOfWeek.Thursday, 10]);
        Assert.Equal(0, cells[(int)DayOfWeek.Thursday, 20]);
    }

    [Fact]
    public void Time_off_for_half_a_day_takes_half_the_day()
    {
        WeeklyInterval[] anna = [.. Weekdays.Select(d => At(d, 9, 17))];
        Assert.Equal(5 * 480, AvailableMinutes.Photographer(Berlin, Monday, Sunday, Studio, [], anna, []));
        // Wednesday 09:00–13:00 local is 07:00–11:00 UTC in summer time.
        UtcRange[] dentist = [new(Utc(6, 4, 7), Utc(6, 4, 11))];
        Assert.Equal(5 * 480 - 240, AvailableMinutes.Photographer(Berlin, Monday, Sunday, Studio, [], anna, dentist));
        // Time off outside working hours changes nothing; overlapping time off counts once.
        UtcRange[] more = [.. dentist, new(Utc(6, 4, 9), Utc(6, 4, 10)), new(Utc(6, 7, 8), Utc(6, 7, 12))];
        Assert.Equal(5 * 480 - 240, AvailableMinutes.Photographer(Berlin, Monday, Sunday, Studio, [], anna, more));
    }

    [Fact]
    public void Split_working_hours_intersect_with_opening_hours()
    {
        WeeklyInterval[] studio = [At(DayOfWeek.Monday, 10, 19)];
        WeeklyInterval[] maria = [At(DayOfWeek.Monday, 9, 13), At(DayOfWeek.Monday, 14, 20), At(DayOfWeek.Tuesday, 9, 13)];
        // 10–13 and 14–19; Tuesday the studio is closed.
        Assert.Equal(3 * 60 + 5 * 60, AvailableMinutes.Photographer(Berlin, Monday, Sunday, studio, [], maria, []));
        // Working until midnight (end 00:00) on a day the studio is open around the clock.
        WeeklyInterval[] late = [new(DayOfWeek.Monday, new TimeOnly(18, 0), TimeOnly.MinValue)];
        Assert.Equal(6 * 60, AvailableMinutes.Photographer(Berlin, Monday, Monday, [At(DayOfWeek.Monday, 0, 24)], [], late, []));
    }
}
