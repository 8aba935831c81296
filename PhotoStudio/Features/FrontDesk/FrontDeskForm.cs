using System.ComponentModel.DataAnnotations;
using PhotoStudio.Features.Booking;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Features.FrontDesk;

/// <summary>What the receptionist typed: the session, the time, the client (found or new) and how to tell them.</summary>
/// <remarks>Every field is bounded here; the rules that need the database (active service, free time, capacity) are the service's.</remarks>
public class FrontDeskForm
{
    public static readonly IReadOnlyList<string> Sources = ["phone", "walk-in", "email", "other"];
    /// <summary>What a booking made through the JSON API records as its source (never offered on the form).</summary>
    public const string ApiSource = "api";
    public static readonly IReadOnlyList<string> Statuses = [nameof(Data.BookingStatus.Confirmed), nameof(Data.BookingStatus.Pending)];

    public int? ServiceId { get; set; }
    /// <summary>Null means "any room".</summary>
    public int? RoomId { get; set; }
    /// <summary>Null means "any photographer" (or none needed).</summary>
    public int? PhotographerId { get; set; }

    [Range(1, 100, ErrorMessage = "Guests must be between {1} and {2}.")]
    public int Guests { get; set; } = 1;

    /// <summary>The local date, <c>yyyy-MM-dd</c>.</summary>
    [StringLength(10, ErrorMessage = "Enter a valid date.")]
    public string? Date { get; set; }

    /// <summary>One of the offered local times, <c>HH:mm</c>.</summary>
    [StringLength(5, ErrorMessage = "Choose a time.")]
    public string? Time { get; set; }

    /// <summary>The "book outside business hours" override (only for <c>settings.manage</c>), with a time typed freely.</summary>
    public bool OutsideHours { get; set; }

    [StringLength(8, ErrorMessage = "Enter a time such as 21:30.")]
    public string? TypedTime { get; set; }

    /// <summary>The chosen existing client (set by the suggestions, a radio choice or the profile's link).</summary>
    public int? ClientId { get; set; }

    /// <summary>Without JavaScript: the radio choice among the matches, a client id or "new".</summary>
    [StringLength(12)]
    public string? ClientPick { get; set; }

    /// <summary>The text typed in the client field; "q", as the suggestions' own address names it.</summary>
    [StringLength(100, ErrorMessage = "Search with up to 100 characters.")]
    [Microsoft.AspNetCore.Mvc.ModelBinder(Name = "q")]
    public string? ClientQuery { get; set; }

    [StringLength(200, ErrorMessage = "Keep the name under 200 characters.")]
    public string? NewName { get; set; }

    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(254, ErrorMessage = "Enter a valid email address.")]
    public string? NewEmail { get; set; }

    [StringLength(40, ErrorMessage = "Keep the phone under 40 characters.")]
    public string? NewPhone { get; set; }

    [StringLength(2000, ErrorMessage = "Keep the notes under 2000 characters.")]
    public string? ClientNotes { get; set; }

    [StringLength(2000, ErrorMessage = "Keep the notes under 2000 characters.")]
    public string? InternalNotes { get; set; }

    [StringLength(10)]
    public string Source { get; set; } = "phone";

    [StringLength(10)]
    public string Status { get; set; } = nameof(Data.BookingStatus.Confirmed);

    [StringLength(2)]
    public string Language { get; set; } = BookingLanguage.Current;

    public bool SendConfirmation { get; set; } = true;

    /// <summary>"refresh" re-renders the form (matches and times) without booking: the no-JavaScript search.</summary>
    [StringLength(10)]
    public string? Intent { get; set; }

    public bool Refresh => Intent == "refresh";

    /// <summary>The radio choice made without JavaScript wins over the hidden field it stands for.</summary>
    public void ApplyPick()
    {
        if (ClientPick == "new") ClientId = null;
        else if (int.TryParse(ClientPick, out var id)) ClientId = id;
    }

    /// <summary>The time to book: the typed one under the override, else the chosen one.</summary>
    public string? ChosenTime => OutsideHours && !string.IsNullOrWhiteSpace(TypedTime) ? TypedTime : Time;
}

public record ClientChoice(int Id, string Name, string Email, string Phone);

/// <summary>The form and everything it offers: sessions, rooms and photographers for the session, the day's free times, the client.</summary>
/// <param name="Matches">Clients found by the search (shown as radio choices without JavaScript); null when nobody searched.</param>
public record FrontDeskPage(FrontDeskForm Form, IReadOnlyList<ServiceOption> Services, ServiceOption? Service,
    IReadOnlyList<NamedOption> Rooms, IReadOnlyList<NamedOption> Photographers, int? Capacity, DateOnly Day,
    IReadOnlyList<FreeSlot> Times, ClientChoice? Client, IReadOnlyList<ClientChoice>? Matches, bool MayOverride,
    string TimeZone, DateOnly Today, string? Message = null);

/// <summary>The suggestions for what was typed in the client field.</summary>
public record ClientSuggestions(string Query, IReadOnlyList<ClientChoice> Clients);
