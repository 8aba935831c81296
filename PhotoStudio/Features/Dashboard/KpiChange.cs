namespace PhotoStudio.Features.Dashboard;

/// <summary>Which way a KPI should move: more bookings is good, more cancellations is not, lead time is neither.</summary>
public enum Better { Higher, Lower, Neither }

public enum Trend { None, Flat, Up, Down, New }

/// <summary>
/// A KPI against the previous period. <see cref="Change"/> is a fraction (0.12 for 12 %) for counts and amounts, and
/// percentage points (2.5) for rates, where a relative change of a rate would mislead. <see cref="Good"/> is null
/// when the direction means neither good nor bad (or nothing changed).
/// </summary>
public sealed record KpiChange(Trend Trend, double Change, bool InPoints, bool? Good)
{
    public static readonly KpiChange None = new(Trend.None, 0, false, null);

    /// <summary>A count or an amount: the relative change, "new" when the previous period had none.</summary>
    /// <remarks>An average with nothing to average (null) counts as zero: the previous period had no such bookings.</remarks>
    public static KpiChange Relative(double? current, double? previous, Better better = Better.Higher)
    {
        if (current is not { } now) return None;
        var before = previous ?? 0;
        if (before == 0) return now == 0 ? Flat(false) : new(Trend.New, 0, false, Judge(Trend.Up, better));
        var change = (now - before) / Math.Abs(before);
        // Shown as a whole percentage: what rounds to 0 % is no change.
        return Math.Abs(change) < 0.005 ? Flat(false) : Moved(change, false, better);
    }

    /// <summary>A rate (a share of 0–1): the difference in percentage points; nothing to compare when either is missing.</summary>
    public static KpiChange Points(double? current, double? previous, Better better)
    {
        if (current is not { } now || previous is not { } before) return None;
        var points = Math.Round((now - before) * 100, 1);
        return points == 0 ? Flat(true) : Moved(points, true, better);
    }

    private static KpiChange Flat(bool inPoints) => new(Trend.Flat, 0, inPoints, null);

    private static KpiChange Moved(double change, bool inPoints, Better better)
    {
        var trend = change > 0 ? Trend.Up : Trend.Down;
        return new(trend, Math.Abs(change), inPoints, Judge(trend, better));
    }

    private static bool? Judge(Trend trend, Better better) => better switch
    {
        Better.Higher => trend == Trend.Up,
        Better.Lower => trend == Trend.Down,
        _ => null,
    };
}
