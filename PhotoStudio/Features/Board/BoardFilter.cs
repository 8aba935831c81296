using System.Globalization;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Board;

/// <summary>
/// What the board shows, bound from the query string and written back into every link, form and fragment URL,
/// so a copied address reproduces the view.
/// </summary>
public sealed record BoardFilter
{
    public const string Today = "today", Week = "week", Upcoming = "upcoming", Dates = "dates";
    private static readonly string[] Ranges = [Today, Week, Upcoming, Dates];

    public string? Range { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public int? Room { get; init; }
    public int? Photographer { get; init; }
    public string? Q { get; init; }
    /// <summary>Show the Cancelled and No-show columns instead of the workflow.</summary>
    public bool Closed { get; init; }

    /// <summary>Unknown ranges fall back to this week; dates outside the sane window are dropped, reversed ones swapped; the search is trimmed.</summary>
    public BoardFilter Normalized()
    {
        var (from, to) = (Sane(From), Sane(To));
        var range = Ranges.Contains(Range) ? Range : from is not null || to is not null ? Dates : Week;
        (from, to) = from > to ? (to, from) : (from, to);
        // PostgreSQL text cannot hold NUL, so it never reaches a query.
        var search = Q?.Replace("\0", "").Trim();
        var q = string.IsNullOrEmpty(search) ? null : search[..Math.Min(search.Length, 100)];
        return this with
        {
            Range = range, From = range == Dates ? from : null, To = range == Dates ? to : null, Q = q,
            Room = Room > 0 ? Room : null, Photographer = Photographer > 0 ? Photographer : null,
        };
    }

    private static DateOnly? Sane(DateOnly? day) => day is { } d && SaneDates.Contains(d) ? d : null;

    /// <summary>The local dates shown, as a UTC window; null ends are open.</summary>
    public (DateTime? FromUtc, DateTime? ToUtc) Window(StudioClock studio)
    {
        var today = studio.Today;
        var (first, last) = Range switch
        {
            Today => (today, today),
            Upcoming => (today, (DateOnly?)null),
            Dates => (From, To),
            _ => (today.AddDays(-(((int)today.DayOfWeek + 6) % 7)), today.AddDays(6 - (((int)today.DayOfWeek + 6) % 7))),
        };
        return (first is { } f ? studio.StartOfDayUtc(f) : null, last is { } l ? studio.StartOfDayUtc(l.AddDays(1)) : null);
    }

    /// <summary>The filter as a query string (no leading '?'), defaults left out.</summary>
    public string Query(params (string Key, string? Value)[] extra) =>
        QueryString.Create(Route(extra).Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).ToUriComponent().TrimStart('?');

    /// <summary>The values of <see cref="Query"/>, in the same order, for the htmx tag helpers (<c>hx-all-route-data</c>).</summary>
    public Dictionary<string, string> Route(params (string Key, string? Value)[] extra)
    {
        var pairs = new Dictionary<string, string>();
        void Add(string key, string? value) { if (!string.IsNullOrEmpty(value)) pairs[key] = value; }
        Add("range", Range == Week ? null : Range);
        Add("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("room", Room?.ToString(CultureInfo.InvariantCulture));
        Add("photographer", Photographer?.ToString(CultureInfo.InvariantCulture));
        Add("q", Q);
        Add("closed", Closed ? "true" : null);
        foreach (var (key, value) in extra) Add(key, value);
        return pairs;
    }

    /// <summary>A path with this filter's query string appended.</summary>
    public string Url(string path, params (string Key, string? Value)[] extra) =>
        Query(extra) is { Length: > 0 } query ? $"{path}?{query}" : path;
}
