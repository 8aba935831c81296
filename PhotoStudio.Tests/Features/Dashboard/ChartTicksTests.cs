using PhotoStudio.Features.Dashboard;

namespace PhotoStudio.Tests.Features.Dashboard;

/// <summary>Axis ticks: round steps from zero to the first tick at or above the largest value, never more than asked.</summary>
public class ChartTicksTests
{
    [Theory]
    [InlineData(7, new[] { 0, 2, 4, 6, 8 })]
    [InlineData(8, new[] { 0, 2, 4, 6, 8 })]
    [InlineData(9, new[] { 0, 5, 10 })]
    [InlineData(100, new[] { 0, 50, 100 })]
    [InlineData(101, new[] { 0, 50, 100, 150 })]
    [InlineData(800, new[] { 0, 200, 400, 600, 800 })]
    [InlineData(1234, new[] { 0, 500, 1000, 1500 })]
    public void Counts_get_a_few_round_ticks_up_to_the_largest(int max, int[] expected) =>
        Assert.Equal(expected.Select(e => (decimal)e), ChartTicks.For(max, whole: true));

    [Fact]
    public void A_count_axis_never_steps_below_one()
    {
        Assert.Equal([0m, 1m], ChartTicks.For(1, whole: true));
        Assert.Equal([0m, 1m, 2m, 3m], ChartTicks.For(3, whole: true));
    }

    [Fact]
    public void Amounts_may_step_below_one()
    {
        Assert.Equal([0m, 0.2m, 0.4m, 0.6m, 0.8m], ChartTicks.For(0.7m));
        Assert.Equal([0m, 0.5m, 1m], ChartTicks.For(1m));
        Assert.Equal([0m, 2000m, 4000m, 6000m], ChartTicks.For(5_432.10m));
    }

    [Fact]
    public void An_empty_chart_still_has_an_axis()
    {
        Assert.Equal([0m, 1m], ChartTicks.For(0));
        Assert.Equal([0m, 1m], ChartTicks.For(-5, whole: true));
    }

    [Theory]
    [InlineData(1, 0.6)]
    [InlineData(2, 0.6)]
    [InlineData(4, 37)]
    [InlineData(6, 123_456)]
    [InlineData(3, 9_999_999)]
    public void The_ticks_cover_the_largest_value_in_at_most_the_asked_steps(int intervals, double max)
    {
        var ticks = ChartTicks.For((decimal)max, intervals);
        Assert.InRange(ticks.Count - 1, 1, intervals);
        Assert.Equal(0m, ticks[0]);
        Assert.True(ticks[^1] >= (decimal)max, $"top tick {ticks[^1]} below {max}");
        Assert.True(ticks[^2] < (decimal)max, $"a whole step above {max} wasted");
        var step = ticks[1];
        Assert.All(ticks.Select((t, i) => (t, i)), x => Assert.Equal(x.i * step, x.t));
        // 1, 2 or 5 times a power of ten.
        var mantissa = step / (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)step)));
        Assert.Contains(mantissa, new[] { 1m, 2m, 5m });
    }
}

/// <summary>Which columns get a label under the chart: a few, evenly spread, the first and the last among them.</summary>
public class ColumnLabelsTests
{
    [Theory]
    [InlineData(0, 5, new int[0])]
    [InlineData(1, 5, new[] { 0 })]
    [InlineData(4, 5, new[] { 0, 1, 2, 3 })]
    [InlineData(30, 5, new[] { 0, 7, 14, 22, 29 })]
    [InlineData(366, 5, new[] { 0, 91, 182, 274, 365 })]
    [InlineData(5, 3, new[] { 0, 2, 4 })]
    public void A_few_columns_are_labelled_from_first_to_last(int columns, int most, int[] expected) =>
        Assert.Equal(expected, ColumnChart.Spread(columns, most));
}
