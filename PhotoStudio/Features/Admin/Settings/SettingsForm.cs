using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Settings;

/// <summary>The studio settings as the admin form posts them; business hours are seven days, Monday first.</summary>
public record SettingsForm : IValidatableObject
{
    [Required(ErrorMessage = "Enter the studio's name.")]
    [StringLength(200, ErrorMessage = "Keep the name under 200 characters.")]
    [Display(Name = "Studio name")]
    public string Name { get; init; } = "";

    [StringLength(300, ErrorMessage = "Keep the address under 300 characters.")]
    [Display(Name = "Address")]
    public string? Address { get; init; }

    [StringLength(40, ErrorMessage = "Keep the phone number under 40 characters.")]
    [Display(Name = "Phone")]
    public string? Phone { get; init; }

    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(254, ErrorMessage = "Enter a valid email address.")]
    [Display(Name = "Email")]
    public string? Email { get; init; }

    [Required(ErrorMessage = "Choose a time zone.")]
    [Display(Name = "Time zone")]
    public string TimeZone { get; init; } = "";

    [Required(ErrorMessage = "Choose a currency.")]
    [RegularExpression("^[A-Z]{3}$", ErrorMessage = "Choose a three-letter currency code such as EUR.")]
    [Display(Name = "Currency")]
    public string Currency { get; init; } = "";

    [Range(5, 240, ErrorMessage = "The slot step must be between {1} and {2} minutes.")]
    [Display(Name = "Slot step (minutes)")]
    public int SlotStepMinutes { get; init; }

    [Range(0, 525600, ErrorMessage = "The minimum notice must be between {1} and {2} minutes.")]
    [Display(Name = "Minimum notice (minutes)")]
    public int MinimumNoticeMinutes { get; init; }

    [Range(1, 730, ErrorMessage = "The horizon must be between {1} and {2} days.")]
    [Display(Name = "Booking horizon (days)")]
    public int HorizonDays { get; init; }

    [Range(0, 8760, ErrorMessage = "The cut-off must be between {1} and {2} hours.")]
    [Display(Name = "Cancellation cut-off (hours)")]
    public int CancelCutoffHours { get; init; }

    [Range(0, 8760, ErrorMessage = "The cut-off must be between {1} and {2} hours.")]
    [Display(Name = "Reschedule cut-off (hours)")]
    public int RescheduleCutoffHours { get; init; }

    [Display(Name = "Confirm new bookings automatically")]
    public bool AutoConfirm { get; init; }

    [StringLength(2000, ErrorMessage = "Keep the deposit policy under 2000 characters.")]
    [Display(Name = "Deposit policy")]
    public string? DepositPolicy { get; init; }

    [StringLength(200, ErrorMessage = "Keep the sender name under 200 characters.")]
    [Display(Name = "Sender name")]
    public string? SenderName { get; init; }

    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(254, ErrorMessage = "Enter a valid email address.")]
    [Display(Name = "Sender address")]
    public string? SenderEmail { get; init; }

    /// <summary>One address per line, as typed; checked line by line in <see cref="StudioSettingsService.Check"/>.</summary>
    [StringLength(6000, ErrorMessage = "Enter at most 20 addresses.")]
    [Display(Name = "Staff who hear of new bookings")]
    public string? StaffRecipients { get; init; }

    /// <summary>"24h, 2h" (<see cref="PhotoStudio.Features.Notifications.ReminderOffsets"/>); empty for no reminders.</summary>
    [StringLength(200, ErrorMessage = "Enter at most 5 reminders.")]
    [Display(Name = "Reminders before the session")]
    public string? ReminderOffsets { get; init; }

    /// <summary>The switchable kinds left on (<see cref="PhotoStudio.Features.Notifications.NotificationKind.Switchable"/>); other values are ignored.</summary>
    public List<string> MessagesOn { get; init; } = [];

    [Range(0, 8760, ErrorMessage = "Enter between {1} and {2} hours (0 = never).")]
    [Display(Name = "Cancel unconfirmed requests after (hours; 0 = never)")]
    public int ExpirePendingAfterHours { get; init; }

    [Range(1, 50, ErrorMessage = "Enter between {1} and {2} attempts.")]
    [Display(Name = "Attempts before a message fails")]
    public int MaxSendAttempts { get; init; }

    /// <summary>Retention in months as typed (1 to 240); blank is off. Text, so anything else gets a message of ours.</summary>
    [StringLength(10, ErrorMessage = "Enter a number of months between 1 and 240, or leave it blank.")]
    [Display(Name = "Erase clients after N months without a booking")]
    public string? EraseClientsAfterMonths { get; init; }

    /// <summary>The settings row's xmin when the form was loaded.</summary>
    public uint Version { get; init; }

    /// <summary>Monday first; each day's intervals as typed ("HH:mm"), blank rows ignored.</summary>
    public List<DayHoursForm> Days { get; init; } = [];

    /// <summary>What the attributes cannot say: a real zone, a slot grid that tiles the day, sane intervals.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext context) => FormErrors.Said(context, StudioSettingsService.Check(this));
}

/// <summary>One weekday's opening intervals: the n-th opening goes with the n-th closing.</summary>
public record DayHoursForm
{
    public List<string?> Opens { get; init; } = [];
    public List<string?> Closes { get; init; } = [];
}

public record ClosureForm : IValidatableObject
{
    [Required(ErrorMessage = "Enter the first closed day.")]
    [Display(Name = "First day")]
    public DateOnly? FirstDay { get; init; }

    [Required(ErrorMessage = "Enter the last closed day.")]
    [Display(Name = "Last day")]
    public DateOnly? LastDay { get; init; }

    [StringLength(200, ErrorMessage = "Keep the reason under 200 characters.")]
    [Display(Name = "Reason")]
    public string? Reason { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        var errors = new List<FieldError>();
        if (FirstDay is { } first && LastDay is { } last && first > last)
            errors.Add(new(nameof(LastDay), "The last day cannot be before the first day."));
        if (StudioSettingsService.HasNul(Reason)) errors.Add(new(nameof(Reason), StudioSettingsService.NulMessage));
        return FormErrors.Said(context, errors);
    }
}
