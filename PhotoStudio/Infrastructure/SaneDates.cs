using System.Globalization;

namespace PhotoStudio.Infrastructure;

/// <summary>
/// The one window of dates the app accepts from a request. Outside it a date is a typo or an attack, and arithmetic
/// near DateTime's limits (a day added to 9999-12-31, a time zone applied to 0001-01-01) throws.
/// </summary>
public static class SaneDates
{
    public static readonly DateOnly Earliest = new(2000, 1, 1), Latest = new(2100, 12, 31);

    public static bool Contains(DateOnly day) => day >= Earliest && day <= Latest;

    public static bool Contains(DateTime time) => Contains(DateOnly.FromDateTime(time));

    /// <summary>A local date written as <c>yyyy-MM-dd</c> (surrounding spaces allowed), inside the window.</summary>
    public static bool TryParseDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day) && Contains(day);

    /// <summary>An instant in any ISO form (no offset means UTC), as UTC, inside the window.</summary>
    public static bool TryParseUtc(string? text, out DateTime utc) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out utc)
        && Contains(utc);
}
