using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Audit;

namespace PhotoStudio.Features.Clients;

/// <summary>
/// Where a client appears in the database, as ids: the clients merged into them (a merge writes an audit entry
/// <c>merged</c> on the survivor with <c>MergedClientId: [merged, survivor]</c>), their bookings, the bookings' notes,
/// status changes and messages, the staff notes and the consent log. The export reads these rows and the erasure
/// rewrites them; both find the audit entries about them with <see cref="AuditEntriesAbout"/>.
/// </summary>
public sealed record ClientFootprint(int ClientId, IReadOnlyList<int> MergedIds, IReadOnlyList<ClientFootprint.Row> Rows)
{
    /// <summary>One row that belongs to the client, by its entity type (as the audit names it) and id.</summary>
    public sealed record Row
    {
        public required string Type { get; init; }
        public long Id { get; init; }
    }

    /// <summary>The client and everyone merged into them (merges of merges included).</summary>
    public IReadOnlyList<int> ClientIds => [ClientId, .. MergedIds];

    public IReadOnlyList<int> BookingIds => [.. Rows.Where(r => r.Type == nameof(Booking)).Select(r => (int)r.Id)];

    public int Count(string type) => Rows.Count(r => r.Type == type);

    /// <summary>"Client:12", "Booking:40", …: the audit's (entity type, entity id) of every row about the client.</summary>
    private string[] AuditKeys =>
        [.. ClientIds.Select(id => $"{nameof(Client)}:{id}"), .. Rows.Select(r => $"{r.Type}:{r.Id}")];

    /// <summary>
    /// The audit entries about one of the rows, and the entries of staff notes, consents and bookings that named the
    /// client when they were written (rows since deleted or moved by a merge). The keys and ids go as parameters.
    /// </summary>
    public IQueryable<AuditEntry> AuditEntriesAbout(StudioDb db)
    {
        var keys = AuditKeys;
        var clients = ClientIds.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return db.AuditEntries.FromSql($"""
            SELECT * FROM audit_entries a
            WHERE (a.entity_type || ':' || a.entity_id) = ANY({keys})
               OR (a.entity_type IN ('ClientNote', 'ClientConsent', 'Booking')
                   AND (a.changes -> 'ClientId' ->> 0 = ANY({clients}) OR a.changes -> 'ClientId' ->> 1 = ANY({clients})))
            """);
    }

    /// <summary>Two queries, whatever the number of bookings: the merged ids (recursively), then every row's id.</summary>
    public static async Task<ClientFootprint> LoadAsync(StudioDb db, int clientId, CancellationToken ct)
    {
        var merged = await db.Database.SqlQuery<int>($"""
            WITH RECURSIVE merged(id) AS (
                SELECT {clientId}
                UNION
                SELECT (a.changes -> 'MergedClientId' ->> 0)::int
                FROM audit_entries a JOIN merged m ON a.entity_type = 'Client' AND a.entity_id = m.id::text
                WHERE a.action = 'merged' AND jsonb_typeof(a.changes -> 'MergedClientId' -> 0) = 'number'
            )
            SELECT id AS "Value" FROM merged
            """).ToListAsync(ct);
        var ids = merged.Distinct().ToArray();
        var rows = await db.Database.SqlQuery<Row>($"""
            SELECT 'Booking' AS "Type", id::bigint AS "Id" FROM bookings WHERE client_id = ANY({ids})
            UNION ALL SELECT 'ClientNote', id FROM client_notes WHERE client_id = ANY({ids})
            UNION ALL SELECT 'ClientConsent', id FROM client_consents WHERE client_id = ANY({ids})
            UNION ALL SELECT 'BookingNote', n.id FROM booking_notes n JOIN bookings b ON b.id = n.booking_id WHERE b.client_id = ANY({ids})
            UNION ALL SELECT 'BookingStatusChange', h.id FROM booking_status_changes h JOIN bookings b ON b.id = h.booking_id WHERE b.client_id = ANY({ids})
            UNION ALL SELECT 'Notification', n.id FROM notifications n JOIN bookings b ON b.id = n.booking_id WHERE b.client_id = ANY({ids})
            """).ToListAsync(ct);
        return new ClientFootprint(clientId, [.. ids.Where(id => id != clientId)], rows);
    }

    /// <summary>An explicit audit entry about the client (an export, an erasure): who, when, and values that are no personal data.</summary>
    public static AuditEntry Event(AuditContext actor, DateTime at, string action, int clientId, Dictionary<string, object?[]> changes) => new()
    {
        At = at, Actor = actor.Actor, ActorName = actor.ActorName, Action = action, EntityType = nameof(Client),
        EntityId = clientId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Changes = System.Text.Json.JsonSerializer.Serialize(changes), Ip = actor.Ip, TraceId = actor.TraceId,
    };
}
