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
/// The pairs of a page and their number come from one SQL statement, the two clients' facts from a second, whatever the
/// number of pairs. Comparing every name with every other is quadratic; at 100,000 clients names are compared only
/// within blocks of clients sharing a word of their name that at most 50 clients share (a common word like "Anna" alone
/// makes no block), and equal names (case and spaces aside) match outright. The list for one client finds similar names
/// through the trigram index of the search column instead.
/// </remarks>
public sealed class DuplicateFinder(StudioDb db)
{
    /// <summary>How alike two names must be (pg_trgm's similarity, 0..1) to count as a possible duplicate.</summary>
    public const double NameSimilarity = 0.5;

    // Emails compare as one person's mailbox: lower case, "+tag" dropped, and for Gmail the dots too (Gmail ignores them).
    // Both statements end alike: the page asked for (or the last one when it asks for more than there are) and the number
    // of pairs, worked out once.

    // Every pair once (first < second) with its reasons, the newest duplicate first. A key more than 50 clients share (a
    // placeholder phone, the studio's own number typed for walk-ins) says nothing about one person, and a word that
    // common makes no block of names.
    private static FormattableString AllPairs(double similarity, long page, long size) => $"""
        WITH live AS MATERIALIZED (SELECT id, name, email, phone_digits FROM clients WHERE erased_at IS NULL),
        keys AS (
            SELECT id, 'email' AS kind, (CASE WHEN split_part(lower(email), '@', 2) IN ('gmail.com', 'googlemail.com')
                  THEN replace(split_part(split_part(lower(email), '@', 1), '+', 1), '.', '') || '@gmail.com'
                  ELSE split_part(split_part(lower(email), '@', 1), '+', 1) || '@' || split_part(lower(email), '@', 2) END) AS key FROM live
            UNION ALL
            SELECT id, 'phone', right(phone_digits, 10) FROM live WHERE length(phone_digits) >= 7
            UNION ALL
            SELECT id, 'name', lower(regexp_replace(btrim(name), '\s+', ' ', 'g')) FROM live WHERE btrim(name) <> ''
        ),
        groups AS (SELECT kind, array_agg(id) AS ids FROM keys GROUP BY kind, key HAVING count(*) BETWEEN 2 AND 50),
        words AS (SELECT DISTINCT id, w FROM live, regexp_split_to_table(lower(name), '[^[:alnum:]]+') w WHERE length(w) >= 3),
        blocks AS (SELECT array_agg(id) AS ids FROM words GROUP BY w HAVING count(*) BETWEEN 2 AND 50),
        near AS (SELECT DISTINCT a, b FROM blocks, unnest(ids) a, unnest(ids) b WHERE a < b),
        matches AS (
            SELECT a AS first, b AS second, g.kind FROM groups g, unnest(g.ids) a, unnest(g.ids) b WHERE a < b
            UNION ALL
            SELECT n.a, n.b, 'name' FROM near n JOIN clients ca ON ca.id = n.a JOIN clients cb ON cb.id = n.b
            WHERE similarity(lower(ca.name), lower(cb.name)) >= {similarity}
        ),
        pairs AS (SELECT first, second, array_agg(DISTINCT kind ORDER BY kind) AS reasons FROM matches GROUP BY first, second),
        numbered AS (SELECT *, count(*) OVER () AS total, row_number() OVER (ORDER BY second DESC, first DESC) AS n FROM pairs),
        shown AS (SELECT *, LEAST({page}, GREATEST(1, (total + {size} - 1) / {size})) AS page FROM numbered)
        SELECT first AS "First", second AS "Second", reasons AS "Reasons", total::int AS "Total", page::int AS "Page"
        FROM shown WHERE n > (page - 1) * {size} AND n <= page * {size}
        ORDER BY n
        """;

    // The pairs one client is part of: its keys against every client's, its name through the trigram index.
    private static FormattableString OnePairs(int client, double similarity, long page, long size) => $"""
        WITH me AS (
            SELECT id, name AS my_name, (CASE WHEN split_part(lower(email), '@', 2) IN ('gmail.com', 'googlemail.com')
                  THEN replace(split_part(split_part(lower(email), '@', 1), '+', 1), '.', '') || '@gmail.com'
                  ELSE split_part(split_part(lower(email), '@', 1), '+', 1) || '@' || split_part(lower(email), '@', 2) END) AS email_key,
                   right(phone_digits, 10) AS phone_key, length(phone_digits) >= 7 AS has_phone
            FROM clients WHERE id = {client} AND erased_at IS NULL
        ),
        matches AS (
            SELECT least(me.id, c.id) AS first, greatest(me.id, c.id) AS second, 'email' AS kind
            FROM me JOIN clients c ON c.id <> me.id AND c.erased_at IS NULL AND me.email_key = (CASE WHEN split_part(lower(c.email), '@', 2) IN ('gmail.com', 'googlemail.com')
                  THEN replace(split_part(split_part(lower(c.email), '@', 1), '+', 1), '.', '') || '@gmail.com'
                  ELSE split_part(split_part(lower(c.email), '@', 1), '+', 1) || '@' || split_part(lower(c.email), '@', 2) END)
            UNION ALL
            SELECT least(me.id, c.id), greatest(me.id, c.id), 'phone'
            FROM me JOIN clients c ON c.id <> me.id AND c.erased_at IS NULL AND me.has_phone
                AND length(c.phone_digits) >= 7 AND right(c.phone_digits, 10) = me.phone_key
            UNION ALL
            SELECT least(me.id, c.id), greatest(me.id, c.id), 'name'
            FROM me JOIN clients c ON c.id <> me.id AND c.erased_at IS NULL AND me.my_name <% c.search_text
                AND similarity(lower(me.my_name), lower(c.name)) >= {similarity}
        ),
        pairs AS (SELECT first, second, array_agg(DISTINCT kind ORDER BY kind) AS reasons FROM matches GROUP BY first, second),
        numbered AS (SELECT *, count(*) OVER () AS total, row_number() OVER (ORDER BY second DESC, first DESC) AS n FROM pairs),
        shown AS (SELECT *, LEAST({page}, GREATEST(1, (total + {size} - 1) / {size})) AS page FROM numbered)
        SELECT first AS "First", second AS "Second", reasons AS "Reasons", total::int AS "Total", page::int AS "Page"
        FROM shown WHERE n > (page - 1) * {size} AND n <= page * {size}
        ORDER BY n
        """;

    private sealed record PairRow(int First, int Second, string[] Reasons, int Total, int Page);

    /// <summary>A page of pairs, newest duplicate first; for one client when <paramref name="clientId"/> is given.</summary>
    /// <returns>Null when that client does not exist or was erased.</returns>
    public async Task<DuplicateList?> ListAsync(TableState state, int? clientId, CancellationToken ct)
    {
        DuplicateSide? client = null;
        if (clientId is { } id && (client = (await SidesAsync([id], ct)).SingleOrDefault()) is null) return null;

        List<PairRow> rows;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // The whole list reads every client once; compiling that plan (JIT) takes longer than running it, and its
            // sorts fit in memory at 100,000 clients with a little more than the default. For this statement only.
            if (clientId is null) await db.Database.ExecuteSqlAsync($"SET LOCAL jit = off; SET LOCAL work_mem = '64MB'", ct);
            rows = await db.Database.SqlQuery<PairRow>(clientId is { } one
                    ? OnePairs(one, NameSimilarity, state.Page, TableState.PageSize)
                    : AllPairs(NameSimilarity, state.Page, TableState.PageSize))
                .ToListAsync(ct);
        }
        var sides = (await SidesAsync([.. rows.SelectMany(p => new[] { p.First, p.Second }).Distinct()], ct)).ToDictionary(s => s.Id);
        // A client erased or merged between the two queries drops out of this page rather than failing it.
        var items = rows.Where(p => sides.ContainsKey(p.First) && sides.ContainsKey(p.Second))
            .Select(p => new DuplicatePair(sides[p.First], sides[p.Second], p.Reasons)).ToList();
        return new DuplicateList(state, new Paged<DuplicatePair>(items, rows.FirstOrDefault()?.Total ?? 0, rows.FirstOrDefault()?.Page ?? 1,
            TableState.PageSize), client);
    }

    private async Task<List<DuplicateSide>> SidesAsync(int[] ids, CancellationToken ct) => ids.Length == 0 ? [] :
        await db.Clients.AsNoTracking().Where(c => ids.Contains(c.Id) && c.ErasedAt == null)
            .Select(c => new DuplicateSide(c.Id, c.Name, c.Email, c.Phone, db.Bookings.Count(b => b.ClientId == c.Id), c.CreatedAt))
            .ToListAsync(ct);
}
