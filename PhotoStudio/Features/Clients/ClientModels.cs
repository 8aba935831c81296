using System.ComponentModel.DataAnnotations;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Clients;

/// <summary>One client in the list, with what their bookings add up to.</summary>
public record ClientRow(int Id, string Name, string Email, string Phone, IReadOnlyList<string> Tags, bool Erased,
    DateTime? LastVisitLocal, int Bookings, decimal Spent);

/// <summary>The client list: its state (search, tag, erased, sort, page), one page of rows, and the tags there are to filter by.</summary>
public record ClientList(TableState State, Paged<ClientRow> Rows, IReadOnlyList<string> Tags, string Currency);

public record ConsentLine(string Kind, bool Granted, DateTime AtLocal, string Source, string By);

public record ClientNoteLine(string Author, DateTime AtLocal, string Text);

public record ClientBookingLine(int Id, string Code, DateTime StartsLocal, string Service, string Room, string? Photographer,
    BookingStatus Status, decimal Price, string Currency, bool Upcoming);

public record ClientMessageLine(string Kind, NotificationStatus Status, DateTime AtLocal, string BookingCode);

/// <summary>What a client's bookings add up to: the same definitions as the list's columns.</summary>
public record ClientTotals(int Bookings, decimal LifetimeValue, int NoShows, int Cancellations, DateTime? LastVisitLocal)
{
    public static readonly ClientTotals None = new(0, 0, 0, 0, null);
}

/// <summary>A client's profile: contact, consents, notes, bookings and the messages sent about them.</summary>
public record ClientProfile(
    int Id, string Name, string Email, string Phone, string Source, DateTime CreatedLocal, DateTime? ErasedLocal,
    IReadOnlyList<string> Tags, string Notes, bool MarketingOptIn, DateTime? TermsAcceptedLocal,
    IReadOnlyList<ConsentLine> Consents, IReadOnlyList<ClientNoteLine> StaffNotes, IReadOnlyList<ClientBookingLine> Bookings,
    ClientTotals Totals, IReadOnlyList<ClientMessageLine> Messages, string Currency, string TimeZone)
{
    public bool Erased => ErasedLocal is not null;

    public IEnumerable<ClientBookingLine> Upcoming => Bookings.Where(b => b.Upcoming).OrderBy(b => b.StartsLocal);

    /// <summary>Why the last note could not be added, with what was typed; null after a clean load.</summary>
    public string? NoteError { get; init; }

    public string? NoteText { get; init; }
}

/// <summary>Staff's edit of a client's contact, notes, tags and marketing consent.</summary>
public sealed record ClientForm
{
    public const int MaxTags = 20;
    public const int MaxTagLength = 40;

    [Required(ErrorMessage = "Please enter the client's name."), StringLength(200, ErrorMessage = "The name may have at most 200 characters.")]
    [Display(Name = "Name")]
    public string Name { get; init; } = "";

    [Required(ErrorMessage = "Please enter an email address."), EmailAddress(ErrorMessage = "Please enter a valid email address.")]
    [StringLength(254, ErrorMessage = "The email address may have at most 254 characters."), Display(Name = "Email")]
    public string Email { get; init; } = "";

    [StringLength(40, ErrorMessage = "The phone number may have at most 40 characters."), Display(Name = "Phone")]
    public string? Phone { get; init; }

    [StringLength(4000, ErrorMessage = "The notes may have at most 4000 characters."), Display(Name = "Notes")]
    public string? Notes { get; init; }

    /// <summary>Comma-separated as typed; <see cref="ClientTags.Parse"/> makes the list.</summary>
    [StringLength(1000, ErrorMessage = "Enter at most 20 tags of up to 40 characters each."), Display(Name = "Tags")]
    public string? Tags { get; init; }

    [Display(Name = "Agrees to receive marketing emails")]
    public bool MarketingOptIn { get; init; }

    public uint Version { get; init; }
}

/// <summary>The edit page: the form (as typed, or as saved), the client's name for the heading, whether they were erased, and why it came back.</summary>
public record ClientEditor(int Id, string Name, ClientForm Form, bool Erased = false, string? Message = null);

public static class ClientTags
{
    public const string TooLong = "Each tag may have at most 40 characters.";
    public const string TooMany = "Enter at most 20 tags.";

    /// <summary>Tags typed as "vip, family, VIP": trimmed, blanks dropped, repeats (in any case) dropped, first spelling kept.</summary>
    public static (IReadOnlyList<string> Tags, string? Error) Parse(string? typed)
    {
        var tags = (typed ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (tags.Any(t => t.Length > ClientForm.MaxTagLength)) return (tags, TooLong);
        return tags.Count > ClientForm.MaxTags ? (tags, TooMany) : (tags, null);
    }
}
