using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Search;

public record ClientHit(int Id, string Name, string Email, string Phone);

public record BookingHit(int Id, string Code, string Client, DateTime StartsAt, BookingStatus Status);

/// <summary>What one search found; <paramref name="Hint"/> instead of results when the query is too short or too long.</summary>
public record SearchResults(string Q, string? Hint, IReadOnlyList<ClientHit> Clients, IReadOnlyList<BookingHit> Bookings)
{
    public bool Empty => Clients.Count == 0 && Bookings.Count == 0;
}

/// <summary>
/// The search box in the staff header: clients by a fragment of their name, email or phone (with <c>clients.view</c>),
/// and bookings by their code (those the user may see: all with <c>bookings.view_all</c>, their own sessions with
/// <c>bookings.view_own</c>). At most two queries, each limited, whatever the number of matches.
/// </summary>
public sealed class GlobalSearch(StudioDb db, StudioDay studioDay, IHttpContextAccessor http)
{
    /// <summary>The policy of the search: any staff member who may see clients or bookings.</summary>
    public const string Policy = "search";
    public const int MinLength = 2;
    public const int MaxLength = 100;
    public const int Top = 10;

    private ClaimsPrincipal User => http.HttpContext?.User ?? new ClaimsPrincipal();

    private bool May(string permission) => User.HasClaim(Permissions.ClaimType, permission);

    public async Task<SearchResults> FindAsync(string? typed, CancellationToken ct)
    {
        // PostgreSQL text cannot hold NUL.
        var q = (typed ?? "").Replace("\0", "").Trim();
        if (q.Length is < MinLength or > MaxLength)
            return new SearchResults(q.Length > MaxLength ? q[..MaxLength] : q,
                q.Length > MaxLength ? "Type at most 100 characters." : "Type at least 2 characters: a name, an email, a phone number or a booking code.", [], []);

        var clients = May(Permissions.ClientsView) ? await ClientsQuery(q).ToListAsync(ct) : [];
        var bookings = May(Permissions.BookingsViewAll) || May(Permissions.BookingsViewOwn) ? await BookingsAsync(q, ct) : [];
        return new SearchResults(q, null, clients, bookings);
    }

    /// <summary>The client search as SQL: a trigram-indexed ILIKE on the generated search column (tests EXPLAIN it).</summary>
    public IQueryable<ClientHit> ClientsQuery(string q) =>
        db.Clients.AsNoTracking()
            .Where(c => c.ErasedAt == null && EF.Functions.ILike(c.SearchText, Like.Containing(q)))
            .OrderBy(c => c.Name).ThenBy(c => c.Id)
            .Take(Top)
            .Select(c => new ClientHit(c.Id, c.Name, c.Email, c.Phone));

    /// <summary>Codes are stored as "PS-7K3QX": "ps-7k3" and "7K3QX" both find it (a prefix, in any case).</summary>
    private async Task<List<BookingHit>> BookingsAsync(string q, CancellationToken ct)
    {
        var code = q.ToUpperInvariant();
        var prefixed = code.StartsWith("PS-", StringComparison.Ordinal);
        var bare = prefixed ? code[3..] : code;
        if (bare.Length < (prefixed ? 1 : MinLength) || !bare.All(char.IsAsciiLetterOrDigit)) return [];
        var prefix = "PS-" + bare;
        var clock = await studioDay.ClockAsync(ct);
        var rows = await studioDay.Bookings
            .Where(b => b.Code.StartsWith(prefix))
            .OrderByDescending(b => b.StartsAt).ThenBy(b => b.Id)
            .Take(Top)
            .Select(b => new { b.Id, b.Code, Client = b.Client!.Name, b.StartsAt, b.Status })
            .ToListAsync(ct);
        return [.. rows.Select(b => new BookingHit(b.Id, b.Code, b.Client, clock.ToLocal(b.StartsAt), b.Status))];
    }
}
