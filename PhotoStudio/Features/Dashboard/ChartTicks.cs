namespace PhotoStudio.Features.Dashboard;

/// <summary>
/// The value axis of a dashboard chart: ticks from zero on a round step (1, 2 or 5 times a power of ten) up to the
/// first tick at or above the largest value, so the gridlines read "0, 20, 40, 60" and the bars scale to the top tick.
/// </summary>
public static class ChartTicks
{
    private static readonly decimal[] Multiples = [1m, 2m, 5m, 10m];

    /// <param name="max">The largest value the chart shows (negative counts as zero).</param>
    /// <param name="intervals">The most steps between ticks (a few labels, never crowded).</param>
    /// <param name="whole">Counts: the step is never below 1, so no tick reads "2.5 bookings".</param>
    public static IReadOnlyList<decimal> For(decimal max, int intervals = 4, bool whole = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intervals, 1);
        if (max <= 0) return [0m, 1m];
        var step = Step(max, intervals);
        if (whole && step < 1) step = 1;
        var count = (int)Math.Ceiling(max / step);
        return [.. Enumerable.Range(0, count + 1).Select(i => i * step)];
    }

    /// <summary>The smallest round step that reaches <paramref name="max"/> in at most <paramref name="intervals"/> steps.</summary>
    private static decimal Step(decimal max, int intervals)
    {
        var power = Power((int)Math.Floor(Math.Log10((double)(max / intervals))));
        foreach (var m in Multiples)
            if (Math.Ceiling(max / (m * power)) <= intervals) return m * power;
        return 10m * power;
    }

    private static decimal Power(int exponent)
    {
        var p = 1m;
        for (var i = 0; i < exponent; i++) p *= 10m;
        for (var i = 0; i > exponent; i--) p /= 10m;
        return p;
    }
}
