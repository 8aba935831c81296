using Microsoft.EntityFrameworkCore;
using Npgsql;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Clients;

/// <summary>One client as a duplicate pair shows it: enough to tell whether the two are one person.</summary>
public record DuplicateSide(int Id, string Name, string Email, string Phone, int Bookings, DateTime CreatedAt);

/// <summary>Two clients that may be one person, and why: "email", "phone" and/or "name".</summary>
public record DuplicatePair(DuplicateSide Older, DuplicateSide Newer, IReadOnlyList<string> Reasons);

/// <summary>A page of possible duplicates; <paramref name="Client"/> when the list is about one client only.</summary>
public record DuplicateList(TableState State, Paged<DuplicatePair> Pairs, DuplicateSide? Client);

/// <summary>
/// Finds clients that may be one person: the same email once normalised (lower case, no <c>+tag</c>, no dots in a
/// Gmail address), the same phone (its last 10 digits, 7 digits at least), or similar names. Web bookings find or create
/// the client by email, so one person who books with two addresses becomes two clients.
/// </summary>
/// <remarks>
/// Everything is one SQL statement, so the list stays a count and a page (plus one query for the clients' facts)
/// whatever the number of pairs. Comparing every name with every other is quadratic; at 100,000 clients names are
/// compared only within blocks of clients sharing a word of their name that at most 50 clients
/// share (a common word like "Anna" alone makes no block), and names equal once lower-cased and sorted by word
/// match outright. The list for one client uses the trigram index of the search column instead.
/// </remarks>
public sealed class DuplicateFinder(StudioDb db)
{
    /// <summary>How alike two names must be (pg_trgm's similarity, 0..1) to count as a possible duplicate.</summary>
    public const double NameSimilarity = 0.5;

    // The email as one person's mailbox: lower case, "+tag" dropped, and for Gmail the dots too (Gmail ignores them).
    private const string NormalEmail = """
        (CASE WHEN split_part(lower(email), '@', 2) IN ('gmail.com', 'googlemail.com')
              THEN replace(split_part(split_part(lower(email), '@', 1), '+', 1), '.', '') || '@gmail.com'
              ELSE split_part(split_part(lower(email), '@', 1), '+', 1) || '@' || split_part(lower(email), '@', 2) END)
        """;

    // The name's words in lower case and in order, so "Anna Petrova" and "petrova  anna" are the same.
    private const string NormalName = """
        array_to_string(ARRAY(SELECT w FROM regexp_split_to_table(lower(btrim(name)), '\s+') w WHERE w <> '' ORDER BY w), ' ')
        """;

    private const string Signals = $"""
        signals AS (
            SELECT id, 'email' AS kind, {NormalEmail} AS key FROM live WHERE email LIKE '%@%'
            UNION ALL
            SELECT id, 'phone', right(phone_digits, 10) FROM live WHERE length(phone_digits) >= 7
            UNION ALL
            SELECT id, 'name', {NormalName} FROM live WHERE btrim(name) <> ''
        )
        """;

    // Every pair once (first < second), with its reasons in a fixed order.
    private const string AllPairs = $"""
        SELECT "First", "Second", "Reasons" FROM (
        WITH live AS (SELECT id, name, email, phone_digits FROM clients WHERE erased_at IS NULL),
        {Signals},
        words AS (
            SELECT DISTINCT id, w FROM live, regexp_split_to_table(lower(name), '[^[:alnum:]]+') w WHERE length(w) >= 3
        ),
        blocks AS (SELECT w FROM words GROUP BY w HAVING count(*) BETWEEN 2 AND 50),
        matches AS (
            SELECT a.id AS first, b.id AS second, a.kind
            FROM signals a JOIN signals b ON b.kind = a.kind AND b.key = a.key AND b.id > a.id
            UNION ALL
            SELECT DISTINCT a.id, b.id, 'name'
            FROM blocks k
            JOIN words a ON a.w = k.w
            JOIN words b ON b.w = k.w AND b.id > a.id
            JOIN live la ON la.id = a.id
            JOIN live lb ON lb.id = b.id
            WHERE similarity(lower(la.name), lower(lb.name)) >= @similarity
        )
        SELECT first AS "First", second AS "Second", array_agg(DISTINCT kind ORDER BY kind) AS "Reasons"
        FROM matches GROUP BY first, second
        ) pairs
        """;

    // The pairs one client is part of: its own signals against everyone's, and names through the trigram index.
    private const string OnePairs = $"""
        SELECT "First", "Second", "Reasons" FROM (
        WITH live AS (SELECT id, name, email, phone_digits, search_text FROM clients WHERE erased_at IS NULL),
        {Signals},
        me AS (SELECT id, name FROM live WHERE id = @client),
        matches AS (
            SELECT m.id AS mine, s.id AS other, m.kind
            FROM signals m JOIN signals s ON s.kind = m.kind AND s.key = m.key AND s.id <> m.id
            WHERE m.id = @client
            UNION ALL
            SELECT me.id, c.id, 'name'
            FROM me JOIN live c ON c.id <> me.id AND me.name <% c.search_text
            WHERE similarity(lower(me.name), lower(c.name)) >= @similarity
        )
        SELECT least(mine, other) AS "First", greatest(mine, other) AS "Second", array_agg(DISTINCT kind ORDER BY kind) AS "Reasons"
        FROM matches GROUP BY mine, other
        ) pairs
        """;

    private sealed record PairRow(int First, int Second, string[] Reasons);

    /// <summary>A page of pairs, newest duplicate first; for one client when <paramref name="clientId"/> is given.</summary>
    /// <returns>Null when that client does not exist or was erased.</returns>
    public async Task<DuplicateList?> ListAsync(TableState state, int? clientId, CancellationToken ct)
    {
        DuplicateSide? client = null;
        if (clientId is { } id && (client = (await SidesAsync([id], ct)).SingleOrDefault()) is null) return null;

        var pairs = db.Database.SqlQueryRaw<PairRow>(clientId is null ? AllPairs : OnePairs,
            new NpgsqlParameter("similarity", NameSimilarity), new NpgsqlParameter("client", clientId ?? 0));
        var page = await pairs.OrderByDescending(p => p.Second).ThenByDescending(p => p.First).PageAsync(state, ct);
        var sides = (await SidesAsync([.. page.Items.SelectMany(p => new[] { p.First, p.Second }).Distinct()], ct)).ToDictionary(s => s.Id);
        // A client erased or merged between the two queries drops out of this page rather than failing it.
        var items = page.Items.Where(p => sides.ContainsKey(p.First) && sides.ContainsKey(p.Second))
            .Select(p => new DuplicatePair(sides[p.First], sides[p.Second], p.Reasons)).ToList();
        return new DuplicateList(state, new Paged<DuplicatePair>(items, page.Total, page.Page, page.PageSize), client);
    }

    private async Task<List<DuplicateSide>> SidesAsync(int[] ids, CancellationToken ct) => ids.Length == 0 ? [] :
        await db.Clients.AsNoTracking().Where(c => ids.Contains(c.Id) && c.ErasedAt == null)
            .Select(c => new DuplicateSide(c.Id, c.Name, c.Email, c.Phone, db.Bookings.Count(b => b.ClientId == c.Id), c.CreatedAt))
            .ToListAsync(ct);
}
