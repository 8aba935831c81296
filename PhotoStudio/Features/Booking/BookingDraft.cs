using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace PhotoStudio.Features.Booking;

/// <summary>
/// What the client has chosen so far in the wizard. It travels in an encrypted cookie, not the URL, so every
/// step is an ordinary GET (refresh and back work) and the details typed in step 4 survive a lost race.
/// </summary>
public record BookingDraft
{
    /// <summary>
    /// The draft's one-time id, made when the draft starts. The booking it becomes keeps it (unique in the database),
    /// so confirming the same draft again, replayed or double-clicked, finds that booking instead of making another.
    /// </summary>
    public Guid Id { get; init; }
    /// <summary>When the draft started (UTC); it expires <see cref="BookingDrafts.Lifetime"/> later.</summary>
    public DateTime IssuedAt { get; init; }
    public int? ServiceId { get; init; }
    /// <summary>Null means "any room".</summary>
    public int? RoomId { get; init; }
    /// <summary>Null means "any photographer" (or none needed).</summary>
    public int? PhotographerId { get; init; }
    public DateTime? StartUtc { get; init; }
    public ClientDetails? Details { get; init; }

    /// <summary>A new draft with a fresh one-time id.</summary>
    public static BookingDraft Start(DateTimeOffset now) => new() { Id = Guid.NewGuid(), IssuedAt = now.UtcDateTime };
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

/// <summary>
/// Reads and writes the draft cookie: compact UTF-8 JSON, Brotli-compressed, then encrypted and signed with the app's
/// data-protection keys. Every input the wizard accepts must fit (2,000 characters of notes in any script), so a
/// value too long for one cookie is split over several that each stay under browsers' 4 KB limit.
/// </summary>
public sealed class BookingDrafts(IDataProtectionProvider protection, TimeProvider clock)
{
    /// <summary>How long a draft lives after it started, whatever its cookie says.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>The draft's cookie (with <c>C1</c>, <c>C2</c> … appended when it is split).</summary>
    public const string CookieName = "ps.booking";
    /// <summary>Larger than any draft the validation allows (about 8 KB of UTF-8); anything bigger is not ours.</summary>
    private const int MaxPayloadBytes = 64 * 1024;

    // v2: compressed JSON with the one-time id; a v1 cookie no longer unprotects, and its holder starts again.
    private readonly IDataProtector protector = protection.CreateProtector("PhotoStudio.BookingDraft.v2");

    // Name, value and attributes of each Set-Cookie header under 4,000 characters; a lost chunk reads as no draft.
    private static readonly ChunkingCookieManager Chunks = new() { ChunkSize = 4000, ThrowForPartialCookies = false };

    // Text as UTF-8, not \uXXXX escapes: Cyrillic stays 2 bytes a letter (the cookie is never HTML).
    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// The draft the request brought. Unsealed once per request (the controller's expiry check and the action both
    /// ask); a draft written during the request is for the next one, as with any cookie.
    /// </summary>
    public BookingDraft Read(HttpRequest request)
    {
        var items = request.HttpContext.Items;
        if (items.TryGetValue(typeof(BookingDrafts), out var kept) && kept is BookingDraft draft) return draft;
        draft = Unseal(request);
        items[typeof(BookingDrafts)] = draft;
        return draft;
    }

    private BookingDraft Unseal(HttpRequest request)
    {
        if (Chunks.GetRequestCookie(request.HttpContext, CookieName) is not { Length: > 0 } value) return new BookingDraft();
        try
        {
            var sealedBytes = Base64Url.DecodeFromChars(value);
            using var compressed = new MemoryStream(protector.Unprotect(sealedBytes));
            using var brotli = new BrotliStream(compressed, CompressionMode.Decompress);
            var json = new byte[MaxPayloadBytes];
            var length = brotli.ReadAtLeast(json, json.Length, throwOnEndOfStream: false);
            if (length == json.Length) return new BookingDraft();
            return JsonSerializer.Deserialize<BookingDraft>(json.AsSpan(0, length), Json) ?? new BookingDraft();
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException or InvalidDataException)
        {
            return new BookingDraft(); // tampered, a missing chunk, expired keys or an old format: start again
        }
    }

    /// <summary>True for a draft that started more than <see cref="Lifetime"/> ago.</summary>
    public bool IsExpired(BookingDraft draft) =>
        draft.Id != Guid.Empty && clock.GetUtcNow().UtcDateTime - draft.IssuedAt >= Lifetime;

    public void Write(HttpResponse response, BookingDraft draft)
    {
        using var compressed = new MemoryStream();
        using (var brotli = new BrotliStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            JsonSerializer.Serialize(brotli, draft, Json);
        Chunks.AppendResponseCookie(response.HttpContext, CookieName, Base64Url.EncodeToString(protector.Protect(compressed.ToArray())),
            Options(response, Lifetime));
    }

    public void Clear(HttpResponse response) => Chunks.DeleteCookie(response.HttpContext, CookieName, Options(response, null));

    private static CookieOptions Options(HttpResponse response, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = response.HttpContext.Request.IsHttps,
        Path = "/",
        MaxAge = maxAge,
        IsEssential = true,
    };
}
