using System.Globalization;
using System.Text.RegularExpressions;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Notifications;

/// <summary>
/// What staff read for a kind of message: a localization key (and, for a reminder, its offset), so the outbox page,
/// the booking panel and the settings name each message the same way. An unknown kind (written by a later version)
/// is shown as stored rather than hidden.
/// </summary>
public static class KindLabels
{
    public static Text Of(string kind) => kind switch
    {
        NotificationKind.Received => new Text("Request received"),
        NotificationKind.Confirmed => new Text("Booking confirmed"),
        NotificationKind.Rescheduled => new Text("Booking moved"),
        NotificationKind.Cancelled => new Text("Booking cancelled"),
        NotificationKind.Expired => new Text("Request expired"),
        "reminder" => new Text("Reminders"),
        NotificationKind.ThankYou => new Text("Thank you"),
        NotificationKind.ManageLink => new Text("Manage link"),
        NotificationKind.NewBooking => new Text("New booking (to staff)"),
        NotificationKind.Assigned => new Text("Assignment (to the photographer)"),
        _ when NotificationKind.ReminderMinutes(kind) is { } minutes => new Text("Reminder {0} before", ReminderOffsets.Format(minutes)),
        _ => new Text(kind),
    };
}

/// <summary>
/// Reminder offsets as an admin types them: "24h, 2h", "90m", "1d"; each between 15 minutes and 14 days, at most five.
/// </summary>
public static partial class ReminderOffsets
{
    public const int Min = 15;
    public const int Max = 14 * 24 * 60;
    public const int MaxCount = 5;

    public const string TooMany = "Enter at most 5 reminders.";
    public const string Unreadable = "Enter each reminder as hours or minutes before the session, for example 24h, 2h or 30m.";
    public const string OutOfRange = "Each reminder must be between 15 minutes and 14 days before the session.";

    /// <summary>Minutes as the shortest exact unit: 1440 is "24h", 90 is "90m", 20160 is "336h".</summary>
    public static string Format(int minutes) => minutes % 60 == 0
        ? (minutes / 60).ToString(CultureInfo.InvariantCulture) + "h"
        : minutes.ToString(CultureInfo.InvariantCulture) + "m";

    public static string Format(IEnumerable<int> minutes) => string.Join(", ", minutes.Select(Format));

    /// <summary>The offsets in minutes, largest first and without repeats, or the message that says what is wrong.</summary>
    public static (IReadOnlyList<int> Minutes, string? Error) Parse(string? text)
    {
        var parts = (text ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length > MaxCount * 4) return ([], TooMany);
        var minutes = new List<int>();
        foreach (var part in parts)
        {
            var match = Offset().Match(part);
            if (!match.Success) return ([], Unreadable);
            var value = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            var total = char.ToLowerInvariant(match.Groups["unit"].Value[0]) switch { 'd' => value * 1440, 'h' => value * 60, _ => value };
            if (total is < Min or > Max) return ([], OutOfRange);
            minutes.Add(total);
        }
        var distinct = minutes.Distinct().OrderDescending().ToList();
        return distinct.Count > MaxCount ? ([], TooMany) : (distinct, null);
    }

    [GeneratedRegex(@"^(?<n>\d{1,5})\s*(?<unit>d|h|m|min)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Offset();
}
