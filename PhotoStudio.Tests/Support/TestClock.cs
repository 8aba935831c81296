namespace PhotoStudio.Tests.Support;

/// <summary>The real clock plus an offset a test can move forward: time passes normally, and jumps when asked.</summary>
public sealed class TestClock : TimeProvider
{
    /// <summary>The demo studio's time zone.</summary>
    public static readonly TimeZoneInfo StudioZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);

    /// <summary>Sets the clock to <paramref name="instant"/>, from where time passes normally; best before the app starts.</summary>
    public void MoveTo(DateTimeOffset instant) => Interlocked.Exchange(ref offsetTicks, (instant - base.GetUtcNow()).Ticks);

    /// <summary>12:00 tomorrow in the studio's zone: twelve hours from either midnight, so "today" stays one day while a class runs.</summary>
    public static DateTimeOffset MiddayTomorrow()
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, StudioZone).DateTime);
        var midday = today.AddDays(1).ToDateTime(new TimeOnly(12, 0));
        return new DateTimeOffset(midday, StudioZone.GetUtcOffset(midday));
    }
}
