using System.ComponentModel.DataAnnotations;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Admin.Catalogue;

/// <summary>What a room or service form posts; <c>Version</c> is the row version the user saw.</summary>
public abstract class CatalogueForm
{
    public uint Version { get; set; }

    [Required(ErrorMessage = "Enter a name.")]
    [StringLength(100, ErrorMessage = "Keep the name to 100 characters.")]
    [Display(Name = "Name")]
    public string? Name { get; set; }

    [StringLength(2000, ErrorMessage = "Keep the description to 2000 characters.")]
    [Display(Name = "Description")]
    public string? Description { get; set; }
}

public class RoomForm : CatalogueForm
{
    [Range(1, 500, ErrorMessage = "Capacity must be between 1 and 500 people.")]
    [Display(Name = "Capacity (people)")]
    public int Capacity { get; set; } = 1;

    [Range(typeof(decimal), "0", "100000", ErrorMessage = "The hourly rate must be between 0 and 100000.")]
    [Display(Name = "Hourly rate")]
    public decimal HourlyRate { get; set; }

    [Range(0, 240, ErrorMessage = "A buffer must be between 0 and 240 minutes.")]
    [Display(Name = "Buffer before (minutes)")]
    public int BufferBeforeMinutes { get; set; }

    [Range(0, 240, ErrorMessage = "A buffer must be between 0 and 240 minutes.")]
    [Display(Name = "Buffer after (minutes)")]
    public int BufferAfterMinutes { get; set; }

    [Required(ErrorMessage = "Choose a colour.")]
    [RegularExpression("^#[0-9a-fA-F]{6}$", ErrorMessage = "Choose a colour written as #rrggbb.")]
    [Display(Name = "Colour")]
    public string? Color { get; set; } = "#6c757d";
}

public class ServiceForm : CatalogueForm
{
    /// <summary>Twelve hours: no session is longer than a studio day.</summary>
    public const int MaxDurationMinutes = 720;

    [Range(1, MaxDurationMinutes, ErrorMessage = "The duration must be between 1 minute and 12 hours.")]
    [Display(Name = "Duration (minutes)")]
    public int DurationMinutes { get; set; } = 60;

    [Range(typeof(decimal), "0", "1000000", ErrorMessage = "The price must be between 0 and 1000000.")]
    [Display(Name = "Price")]
    public decimal Price { get; set; }

    [Display(Name = "Needs a photographer")]
    public bool NeedsPhotographer { get; set; } = true;

    public List<int> RoomIds { get; set; } = [];

    public List<int> EmployeeIds { get; set; } = [];
}

/// <summary>Where an existing room or service stands: deactivation and deletion depend on it.</summary>
public record Standing(int Id, bool IsActive, int Bookings, uint Version)
{
    /// <summary>Bookings keep their room and service for history and statistics, so a referenced one is only deactivated.</summary>
    public bool Deletable => Bookings == 0;
}

/// <summary>A checkbox of the service form: an active room or employee, or an inactive one still chosen.</summary>
public record Choice(int Id, string Name, bool IsActive);

/// <summary>A room or service form as the page shows it; <c>Standing</c> is null for a new one.</summary>
public record Editor<TForm>(TForm Form, Standing? Standing, string? Message = null, ServiceChoices? Choices = null)
    where TForm : CatalogueForm
{
    public bool IsNew => Standing is null;
}

public record ServiceChoices(IReadOnlyList<Choice> Rooms, IReadOnlyList<Choice> Employees, int SlotStepMinutes);

public record RoomRow(int Id, string Name, int Capacity, decimal HourlyRate, int BufferBeforeMinutes, int BufferAfterMinutes,
    string Color, bool IsActive);

public record ServiceRow(int Id, string Name, int DurationMinutes, decimal Price, bool NeedsPhotographer, int Rooms, bool IsActive);

/// <summary>One page of a catalogue table and the state (search, filter, sort) it was drawn with.</summary>
public record CatalogueTable<TRow>(TableState State, Paged<TRow> Rows);

/// <summary>The deactivate / activate / delete buttons of a form: the row, its address, and the element the answer replaces.</summary>
public record StandingActions(Standing Standing, string Url, string Target);

/// <summary>A group of checkboxes of the service form; <c>Field</c> is the form property it posts.</summary>
public record ChoiceList(string Field, string Legend, string? Help, IReadOnlyList<Choice> Items, IReadOnlyList<int> Chosen);
