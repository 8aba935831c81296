namespace PhotoStudio.Features.Dashboard;

/// <summary>One column of a column chart: its key (an ISO day or week start), its value and the text shown on hover.</summary>
public sealed record ChartColumn(string Key, decimal Value, string Tip);

/// <summary>A labelled tick of a chart's axis.</summary>
public sealed record ChartTick(decimal Value, string Label);

/// <summary>A label under the chart, centred on a column (the first and last align with the plot's edges).</summary>
public sealed record ChartLabel(int Column, string Text);

/// <summary>
/// A column chart as <c>_ColumnChart</c> draws it: columns scaled to the top tick of <see cref="ChartTicks"/>, a few
/// gridlines with their values, a few labels under the columns. <see cref="KeyName"/> names the data attribute that
/// carries each column's key (<c>data-day</c>, <c>data-week</c>), the same one the table alternative uses.
/// </summary>
public sealed record ColumnChart(string Id, string Title, string Description, string KeyName,
    IReadOnlyList<ChartColumn> Columns, IReadOnlyList<ChartTick> Ticks, IReadOnlyList<ChartLabel> Labels)
{
    public decimal Top => Ticks.Count == 0 ? 1 : Math.Max(1e-9m, Ticks[^1].Value);

    /// <summary>Up to <paramref name="most"/> indices of <paramref name="count"/> columns, evenly spread, first and last included.</summary>
    public static IReadOnlyList<int> Spread(int count, int most)
    {
        if (count <= most) return [.. Enumerable.Range(0, count)];
        if (most <= 1) return [0];
        return [.. Enumerable.Range(0, most).Select(k => (int)Math.Round(k * (count - 1) / (double)(most - 1))).Distinct()];
    }
}
