namespace PhotoStudio.Features.Notifications;

/// <summary>The messages the studio sends, by the name the outbox stores.</summary>
public static class NotificationKind
{
    // To the client
    public const string Received = "received";
    public const string Confirmed = "confirmed";
    public const string Rescheduled = "rescheduled";
    public const string Cancelled = "cancelled";
    public const string Expired = "expired";
    /// <summary>A reminder is stored as "reminder-{minutes before}", one kind per configured offset.</summary>
    public const string ReminderPrefix = "reminder-";
    public const string ThankYou = "thank_you";
    /// <summary>A fresh manage link asked for on /my; always sent, whatever the settings say.</summary>
    public const string ManageLink = "manage_link";

    // To staff
    public const string NewBooking = "new_booking";
    public const string Assigned = "assigned";

    public static string Reminder(int minutesBefore) => ReminderPrefix + minutesBefore.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool IsReminder(string kind) => kind.StartsWith(ReminderPrefix, StringComparison.Ordinal);

    /// <summary>The minutes before the session a reminder kind stands for, or null for any other kind.</summary>
    public static int? ReminderMinutes(string kind) =>
        IsReminder(kind) && int.TryParse(kind.AsSpan(ReminderPrefix.Length), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var minutes) ? minutes : null;

    /// <summary>The kinds an admin may switch off in the settings ("reminder" stands for all reminders).</summary>
    public static readonly IReadOnlyList<string> Switchable =
        [Received, Confirmed, Rescheduled, Cancelled, Expired, "reminder", ThankYou, NewBooking, Assigned];

    /// <summary>Whether the studio's settings let this kind go out.</summary>
    public static bool IsOn(Data.StudioSettings settings, string kind) =>
        kind == ManageLink || !settings.MessagesOff.Contains(IsReminder(kind) ? "reminder" : kind);

    /// <summary>Messages that carry the booking's calendar event; a cancellation carries its METHOD:CANCEL.</summary>
    public static bool CarriesEvent(string kind) => kind is not (ThankYou or ManageLink);

    public static bool IsForStaff(string kind) => kind is NewBooking or Assigned;
}
