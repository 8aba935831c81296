namespace PhotoStudio.Features.Admin;

/// <summary>
/// The rule business hours and working hours share with the database: an interval opens and closes on the same
/// day. Its ends are times of day and the tables' checks (closes &gt; opens, ends &gt; starts) have no 24:00, so
/// 00:00 cannot close a day: both forms refuse it, and their messages say to use 23:59.
/// </summary>
public static class WeeklyHours
{
    public static bool IsInterval(TimeOnly opens, TimeOnly closes) => opens < closes;
}
