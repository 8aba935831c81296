using System.ComponentModel.DataAnnotations;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Admin.Employees;

public record EmployeeRow(int Id, string FullName, string Email, string Position, IReadOnlyList<string> Roles, bool TwoFactor, bool IsActive);

public record EmployeeList(TableState State, Paged<EmployeeRow> Rows, IReadOnlyList<string> Roles);

/// <summary>The employee form, for creating and editing alike.</summary>
public sealed record EmployeeForm
{
    [Required(ErrorMessage = "Please enter the full name."), StringLength(200), Display(Name = "Full name")]
    public string FullName { get; init; } = "";

    [Required(ErrorMessage = "Please enter an email address."), EmailAddress(ErrorMessage = "Please enter a valid email address."), StringLength(256)]
    [Display(Name = "Email")]
    public string Email { get; init; } = "";

    [StringLength(40), Phone(ErrorMessage = "Please enter a valid phone number."), Display(Name = "Phone")]
    public string? Phone { get; init; }

    [StringLength(100), Display(Name = "Position")]
    public string? Position { get; init; }

    [RegularExpression("^#[0-9a-fA-F]{6}$", ErrorMessage = "Please choose a colour."), Display(Name = "Colour")]
    public string Color { get; init; } = "#0d6efd";

    public string[] Roles { get; init; } = [];

    /// <summary>On creation: "password" (the admin types one) or "link" (a one-time set-up link).</summary>
    public string Access { get; init; } = "link";

    [DataType(DataType.Password), Display(Name = "Initial password")]
    public string? InitialPassword { get; init; }

    public uint Version { get; init; }
}

/// <summary>An employee's page: the form, the account's state, and what needs attention.</summary>
public record EmployeePage(int? Id, EmployeeForm Form, IReadOnlyList<string> AllRoles, bool TwoFactor, bool IsActive, bool LockedOut,
    IReadOnlyList<UpcomingBooking> Upcoming, string? SetupLink, string? Message = null);

/// <summary>What the signed-in user may do to one employee: which roles they may give, and whether they may change them at all.</summary>
public record EmployeeGrant(IReadOnlySet<string> Roles, bool MayChange);

public record UpcomingBooking(int Id, string Code, DateTime StartsLocal, string Client, string Service, BookingStatus Status);

/// <summary>One row of the weekly hours editor; blank rows are ignored.</summary>
public sealed record HoursRow
{
    public DayOfWeek Day { get; init; }
    public string? Starts { get; init; }
    public string? Ends { get; init; }
    public string? Error { get; init; }

    public bool IsBlank => string.IsNullOrWhiteSpace(Starts) && string.IsNullOrWhiteSpace(Ends);
}

public record HoursPage(int Id, string Name, uint Version, IReadOnlyList<HoursRow> Rows, IReadOnlyList<string> Errors);

public sealed record TimeOffForm
{
    [Required(ErrorMessage = "Please enter when the time off starts."), Display(Name = "From")]
    public string? From { get; init; }

    [Required(ErrorMessage = "Please enter when the time off ends."), Display(Name = "Until")]
    public string? Until { get; init; }

    [StringLength(200), Display(Name = "Reason")]
    public string? Reason { get; init; }

    /// <summary>Set when the user saw the conflicting bookings and saves anyway.</summary>
    public bool Confirm { get; init; }
}

public record TimeOffLine(int Id, DateTime FromLocal, DateTime UntilLocal, string Reason);

public record TimeOffPage(int Id, string Name, IReadOnlyList<TimeOffLine> Entries, TimeOffForm Form, IReadOnlyList<UpcomingBooking> Conflicts,
    string TimeZone);

public sealed record ResetPasswordForm
{
    [Required(ErrorMessage = "Please enter a temporary password."), DataType(DataType.Password), Display(Name = "Temporary password")]
    public string TemporaryPassword { get; init; } = "";
}
