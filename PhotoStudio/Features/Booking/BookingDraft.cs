using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace PhotoStudio.Features.Booking;

/// <summary>
/// What the client has chosen so far in the wizard. It travels in an encrypted cookie, not the URL, so every
/// step is an ordinary GET (refresh and back work) and the details typed in step 4 survive a lost race.
/// </summary>
public record BookingDraft
{
    public int? ServiceId { get; init; }
    /// <summary>Null means "any room".</summary>
    public int? RoomId { get; init; }
    /// <summary>Null means "any photographer" (or none needed).</summary>
    public int? PhotographerId { get; init; }
    public DateTime? StartUtc { get; init; }
    public ClientDetails? Details { get; init; }
}

public record ClientDetails
{
    [Required(ErrorMessage = "Enter your name.")]
    [StringLength(200, ErrorMessage = "Keep the name under 200 characters.")]
    [Display(Name = "Your name")]
    public string Name { get; init; } = "";

    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(254, ErrorMessage = "Enter a valid email address.")]
    [Display(Name = "Email")]
    public string Email { get; init; } = "";

    [Required(ErrorMessage = "Enter a phone number so the studio can reach you.")]
    [RegularExpression(@"^\+?[0-9 ()\-]{6,30}$", ErrorMessage = "Enter a phone number with digits, spaces, dashes or a leading +.")]
    [Display(Name = "Phone")]
    public string Phone { get; init; } = "";

    [Range(1, 100, ErrorMessage = "Guests must be between {1} and {2}.")]
    [Display(Name = "Number of people")]
    public int Guests { get; init; } = 1;

    [StringLength(2000, ErrorMessage = "Keep the notes under 2000 characters.")]
    [Display(Name = "Anything we should know?")]
    public string? Notes { get; init; }

    [Range(typeof(bool), "true", "true", ErrorMessage = "Please accept the terms to book.")]
    [Display(Name = "I accept the studio's terms and cancellation policy")]
    public bool AcceptTerms { get; init; }

    [Display(Name = "Send me news and offers by email")]
    public bool MarketingOptIn { get; init; }
}

/// <summary>Reads and writes the draft cookie, encrypted and signed with the app's data-protection keys.</summary>
public sealed class BookingDrafts(IDataProtectionProvider protection)
{
    private const string Cookie = "ps.booking";
    private readonly IDataProtector protector = protection.CreateProtector("PhotoStudio.BookingDraft.v1");

    public BookingDraft Read(HttpRequest request)
    {
        if (request.Cookies[Cookie] is not { Length: > 0 } value) return new BookingDraft();
        try
        {
            return JsonSerializer.Deserialize<BookingDraft>(protector.Unprotect(value)) ?? new BookingDraft();
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return new BookingDraft(); // tampered, expired keys or an old format: start again
        }
    }

    public void Write(HttpResponse response, BookingDraft draft) =>
        response.Cookies.Append(Cookie, protector.Protect(JsonSerializer.Serialize(draft)), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = response.HttpContext.Request.IsHttps,
            MaxAge = TimeSpan.FromHours(2),
            IsEssential = true,
        });

    public void Clear(HttpResponse response) => response.Cookies.Delete(Cookie);
}
