using PhotoStudio.Features.Dashboard;

namespace PhotoStudio.Tests.Features.Dashboard;

/// <summary>Each KPI against the previous period: up, down, flat or new; rates in points; a rise in cancellations is not good.</summary>
public class KpiChangeTests
{
    [Fact]
    public void A_count_that_rose_is_up_by_its_relative_change_and_good()
    {
        var change = KpiChange.Relative(56, 50);
        Assert.Equal(Trend.Up, change.Trend);
        Assert.Equal(0.12, change.Change, 6);
        Assert.False(change.InPoints);
        Assert.True(change.Good);
    }

    [Fact]
    public void A_count_that_fell_is_down_and_not_good()
    {
        var change = KpiChange.Relative(30, 40);
        Assert.Equal(Trend.Down, change.Trend);
        Assert.Equal(0.25, change.Change, 6);
        Assert.False(change.Good);
    }

    [Fact]
    public void Something_where_there_was_nothing_is_new()
    {
        var change = KpiChange.Relative(3, 0);
        Assert.Equal(Trend.New, change.Trend);
        Assert.True(change.Good);
        // An average with nothing to average before: the previous period had no such bookings.
        Assert.Equal(Trend.New, KpiChange.Relative(160, null).Trend);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1000, 1000)]
    [InlineData(1004, 1000)]   // 0.4 % shows as 0 %
    public void What_rounds_to_no_change_is_flat(double current, double previous)
    {
        var change = KpiChange.Relative(current, previous);
        Assert.Equal(Trend.Flat, change.Trend);
        Assert.Null(change.Good);
    }

    [Fact]
    public void Nothing_now_is_no_comparison()
    {
        Assert.Equal(Trend.None, KpiChange.Relative(null, 5).Trend);
        Assert.Equal(Trend.None, KpiChange.Points(null, 0.1, Better.Lower).Trend);
        Assert.Equal(Trend.None, KpiChange.Points(0.1, null, Better.Lower).Trend);
    }

    [Fact]
    public void Rates_change_in_percentage_points()
    {
        // 10 % → 12.5 %: 2.5 points (a relative 25 % would overstate it).
        var change = KpiChange.Points(0.125, 0.10, Better.Lower);
        Assert.Equal(Trend.Up, change.Trend);
        Assert.True(change.InPoints);
        Assert.Equal(2.5, change.Change, 6);
        Assert.Equal(Trend.Flat, KpiChange.Points(0.1001, 0.1, Better.Lower).Trend);
    }

    [Fact]
    public void More_cancellations_or_no_shows_are_not_good_and_fewer_are()
    {
        Assert.False(KpiChange.Points(0.2, 0.1, Better.Lower).Good);
        Assert.True(KpiChange.Points(0.05, 0.1, Better.Lower).Good);
        Assert.False(KpiChange.Relative(4, 2, Better.Lower).Good);
        Assert.False(KpiChange.Relative(4, 0, Better.Lower).Good);
    }

    [Fact]
    public void A_neutral_kpi_moves_without_a_verdict()
    {
        var change = KpiChange.Relative(12, 10, Better.Neither);
        Assert.Equal(Trend.Up, change.Trend);
        Assert.Null(change.Good);
    }
}
