using System.Globalization;
using System.Text.Json.Serialization;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Dashboard;

/// <summary>
/// The dashboard's period as the address states it: <c>range=today|7d|30d|month|custom</c>, with <c>from</c>/<c>to</c>
/// (local dates, inclusive) for "custom". Anything unreadable falls back to the last 30 days.
/// </summary>
public sealed record DashboardPeriod(string Range, DateOnly From, DateOnly To)
{
    public const string DefaultRange = "30d";
    public static readonly string[] Ranges = ["today", "7d", "30d", "month", "custom"];
    // A year and a day: enough for any report, and it bounds the chart and the day table.
    private const int LongestCustomDays = 366;

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The period to compare with: the calendar month before for "month", else as many days just before.</summary>
    /// <remarks>Not serialized: each period has a previous one, without end.</remarks>
    [JsonIgnore]
    public DashboardPeriod Previous => Range == "month"
        ? this with { From = From.AddMonths(-1), To = From.AddDays(-1) }
        : this with { From = From.AddDays(-Days), To = From.AddDays(-1) };

    /// <summary>The query string of this period, for links (export, chart) that must show the same data.</summary>
    public string Query => Range == "custom"
        ? $"range=custom&from={Iso(From)}&to={Iso(To)}"
        : $"range={Range}";

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DashboardPeriod Parse(string? range, string? from, string? to, DateOnly today)
    {
        switch (range?.Trim().ToLowerInvariant())
        {
            case "today": return new("today", today, today);
            case "7d": return new("7d", today.AddDays(-6), today);
            case "month": return new("month", new DateOnly(today.Year, today.Month, 1), new DateOnly(today.Year, today.Month, 1).AddMonths(1).AddDays(-1));
            case "custom"
                when TryDay(from, out var first) && TryDay(to, out var last)
                     && first <= last && last.DayNumber - first.DayNumber < LongestCustomDays:
                return new("custom", first, last);
            default: return new(DefaultRange, today.AddDays(-29), today);
        }
    }

    private static bool TryDay(string? text, out DateOnly day) => SaneDates.TryParseDay(text, out day);
}

public sealed record StatusCount(BookingStatus Status, int Count);

/// <summary>A local day of the period: its sessions, and the revenue of those from Confirmed onward.</summary>
public sealed record DayCount(DateOnly Day, int Count, decimal Revenue);

/// <summary>A week (Monday first, local dates) of the period, clipped to the period at both ends.</summary>
public sealed record WeekRevenue(DateOnly From, DateOnly To, decimal Revenue);

/// <summary>The figures of the period; a rate or an average is null when there is nothing to divide by.</summary>
public sealed record DashboardKpis(
    IReadOnlyList<StatusCount> ByStatus,
    int Total,
    decimal Revenue,
    decimal? AverageValue,
    double? CancellationRate,
    double? NoShowRate,
    int NewClients,
    int ReturningClients,
    double? AverageLeadDays);

public sealed record DashboardReport(DashboardPeriod Period, string Currency, string TimeZone, DashboardKpis Kpis, IReadOnlyList<DayCount> PerDay,
    UtilizationReport Utilization,
    IReadOnlyList<FunnelRow> Funnel)
{
    public int BusiestDay => PerDay.Count == 0 ? 0 : PerDay.Max(d => d.Count);

    /// <summary>Revenue per local week, from the per-day sums (a period has at most 366 days, so this stays small).</summary>
    public IReadOnlyList<WeekRevenue> PerWeek =>
        [.. PerDay.GroupBy(d => d.Day.AddDays(-(((int)d.Day.DayOfWeek + 6) % 7)))
            .Select(w => new WeekRevenue(w.Min(d => d.Day), w.Max(d => d.Day), w.Sum(d => d.Revenue)))];

    public decimal BestWeek => PerDay.Count == 0 ? 0 : PerWeek.Max(w => w.Revenue);

    /// <summary>The largest step count (for the funnel chart's scale; a step may be reached more often than step 1).</summary>
    public int FunnelMax => Funnel.Count == 0 ? 0 : Funnel.Max(f => f.Count);

    /// <summary>The KPIs of the period of the same length just before this one (▲/▼ against each KPI).</summary>
    public DashboardKpis? Previous { get; init; }

    /// <summary>Today's panel, on the full page only (the period form's htmx answer is just the body).</summary>
    public TodayPanel? Today { get; init; }
}

/// <summary>One row of the bookings export, times already in the studio's zone.</summary>
public sealed record BookingExportRow(string Code, string Start, string End, string Status, string Service, string Room,
    string Photographer, string Client, decimal Price, string Currency);

/// <summary>One step of the booking funnel over the period; <see cref="Share"/> is the count over step 1's (null when step 1 is 0).</summary>
public sealed record FunnelRow(int Step, int Count, double? Share);

/// <summary>A session of today for the today panel: the client only by name, no contact data.</summary>
public sealed record TodaySession(string Code, DateTime LocalStart, DateTime LocalEnd, BookingStatus Status, string Service, string Room,
    string? Photographer, string Client);

/// <summary>Someone with working hours today and no time off over the whole day.</summary>
public sealed record TodayWorker(string Name, string Position, IReadOnlyList<(TimeOnly Starts, TimeOnly Ends)> Hours);

/// <summary>The dashboard's today panel: today's counters, the sessions still to come and who works today.</summary>
public sealed record TodayPanel(DateOnly Day, string TimeZone, int SessionsToday, int BookingsMadeToday, int BookingPageViews,
    int ConfirmedOnline, IReadOnlyList<TodaySession> Upcoming, IReadOnlyList<TodayWorker> Working);
