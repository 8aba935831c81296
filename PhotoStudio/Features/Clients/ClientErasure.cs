using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Infrastructure.Audit;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Clients;

/// <summary>What an erasure replaced, in counts only (also the <c>client.erased</c> audit entry's values).</summary>
public sealed record ErasureReport(int Bookings, int StaffNotes, int BookingNotes, int StatusReasons, int Messages, int AuditEntries,
    int MergedClients, int MailFiles = 0);

/// <summary>
/// The right to erasure: a client's personal data replaced by an anonymous marker everywhere it can appear, in one
/// transaction. The client row keeps its id (bookings stay for the studio's figures) and gets a name, an address
/// <c>erased-{id}@erased.invalid</c> (unique, not anyone's) and no phone, notes, tags or marketing consent; staff
/// notes, the bookings' contact details and notes, status-change reasons and messages lose their text; pending
/// messages are withdrawn. The audit trail keeps every entry (who did what, when) with the personal values in its
/// <c>changes</c> replaced: whole fields in entries about the client and their rows, and the client's names,
/// addresses (local part and, unless it is a public provider's or someone else's, domain) and phone numbers
/// wherever else they appear. Written with SQL rather than tracked entities, so the audit interceptor does not
/// record the old values again; one <c>client.erased</c> entry with counts says it happened.
/// </summary>
public sealed class ClientErasure(StudioDb db, StudioWrites writes, AuditContext actor, IMailTransport mail, TimeProvider clock,
    ILogger<ClientErasure> log)
{
    public const string ErasedName = "Erased client";
    public const string AlreadyErased = "This client's personal data was erased already. Nothing was changed.";
    public const string WithdrawnText = "Withdrawn: the client's personal data was erased.";

    public static string ErasedEmail(int clientId) => $"erased-{clientId}@erased.invalid";

    public async Task<Outcome> EraseAsync(int clientId, CancellationToken ct)
    {
        var mailFiles = new List<string>();
        var outcome = await writes.RunAsync(async w =>
        {
            // The row lock makes two erasures (a double click, the nightly job) take turns; the second sees the first.
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM clients WHERE id = {clientId} FOR UPDATE", ct);
            var client = await db.Clients.AsNoTracking().Where(c => c.Id == clientId)
                .Select(c => new { c.ErasedAt, c.MarketingOptIn }).SingleOrDefaultAsync(ct);
            if (client is null) return Outcome.Missing;
            if (client.ErasedAt is not null) return Outcome.Because(AlreadyErased);

            var footprint = await ClientFootprint.LoadAsync(db, clientId, ct);
            var clientIds = footprint.ClientIds.ToArray();
            var bookingIds = footprint.BookingIds.ToArray();
            var about = await footprint.AuditEntriesAbout(db).AsNoTracking().Where(a => a.Changes != null)
                .Select(a => new { a.Id, a.Changes }).ToListAsync(ct);
            var values = await ValuesAsync(footprint, about.Select(a => a.Changes!), ct);
            var elsewhere = values.Values.Count == 0 ? [] : await db.AuditEntries
                .FromSql($"SELECT * FROM audit_entries WHERE changes IS NOT NULL AND changes::text ILIKE ANY({values.LikePatterns()})").AsNoTracking()
                .Select(a => new { a.Id, a.Changes }).ToListAsync(ct);
            mailFiles = await MailFilesAsync(bookingIds, ct);

            var now = clock.GetUtcNow().UtcDateTime;
            await db.Database.ExecuteSqlAsync($"""
                UPDATE clients SET name = {ErasedName}, email = 'erased-' || id || '@erased.invalid', phone = '', notes = '',
                    tags = ARRAY[]::text[], marketing_opt_in = false, erased_at = {now}
                WHERE id = ANY({clientIds}) AND erased_at IS NULL
                """, ct);
            var staffNotes = await db.Database.ExecuteSqlAsync(
                $"UPDATE client_notes SET text = {PersonalValues.Marker} WHERE client_id = ANY({clientIds})", ct);
            await db.Database.ExecuteSqlAsync($"""
                UPDATE bookings SET contact_name = '', contact_phone = '',
                    client_notes = CASE WHEN client_notes = '' THEN '' ELSE {PersonalValues.Marker} END,
                    internal_notes = CASE WHEN internal_notes = '' THEN '' ELSE {PersonalValues.Marker} END
                WHERE id = ANY({bookingIds})
                """, ct);
            var bookingNotes = await db.Database.ExecuteSqlAsync(
                $"UPDATE booking_notes SET text = {PersonalValues.Marker} WHERE booking_id = ANY({bookingIds})", ct);
            var reasons = await db.Database.ExecuteSqlAsync(
                $"UPDATE booking_status_changes SET reason = {PersonalValues.Marker} WHERE booking_id = ANY({bookingIds}) AND reason <> ''", ct);
            var messages = await EraseMessagesAsync(clientId, bookingIds, values, ct);
            var rewritten = await RewriteAuditAsync(about.Select(a => (a.Id, a.Changes!, true))
                .Concat(elsewhere.Where(e => about.All(a => a.Id != e.Id)).Select(e => (e.Id, e.Changes!, false))), values, ct);

            if (client.MarketingOptIn)
                db.ClientConsents.Add(new ClientConsent { ClientId = clientId, Kind = ClientConsent.Marketing, Granted = false, At = now, Source = "erasure", By = actor.Actor });
            var report = new ErasureReport(bookingIds.Length, staffNotes, bookingNotes, reasons, messages, rewritten, footprint.MergedIds.Count);
            db.AuditEntries.Add(ClientFootprint.Event(actor, now, "client.erased", clientId, new()
            {
                [nameof(report.Bookings)] = [null, report.Bookings], [nameof(report.StaffNotes)] = [null, report.StaffNotes],
                [nameof(report.BookingNotes)] = [null, report.BookingNotes], [nameof(report.StatusReasons)] = [null, report.StatusReasons],
                [nameof(report.Messages)] = [null, report.Messages], [nameof(report.AuditEntries)] = [null, report.AuditEntries],
                [nameof(report.MergedClients)] = [null, report.MergedClients], [nameof(report.MailFiles)] = [null, mailFiles.Count],
            }));
            return Outcome.With(report);
        }, ct);
        if (outcome is not Outcome.Done<ErasureReport> done) return outcome;
        log.LogInformation("Client {ClientId} erased", clientId);
        return Outcome.With(done.Value with { MailFiles = DeleteMailFiles(mailFiles) });
    }

    /// <summary>
    /// Every name, address and phone the client (or anyone merged into them) has had: the rows as they are, the
    /// contacts typed on their bookings, the addresses their messages went to and the values the audit recorded.
    /// </summary>
    private async Task<PersonalValues> ValuesAsync(ClientFootprint footprint, IEnumerable<string> auditChanges, CancellationToken ct)
    {
        var clientIds = footprint.ClientIds.ToArray();
        var bookingIds = footprint.BookingIds.ToArray();
        var rows = await db.Clients.AsNoTracking().Where(c => clientIds.Contains(c.Id) && c.ErasedAt == null)
            .Select(c => new { c.Name, c.Email, c.Phone }).ToListAsync(ct);
        var contacts = await db.Bookings.AsNoTracking().Where(b => bookingIds.Contains(b.Id))
            .Select(b => new { b.ContactName, b.ContactPhone }).ToListAsync(ct);
        var recipients = await db.Notifications.AsNoTracking()
            .Where(n => bookingIds.Contains(n.BookingId) && n.Kind != NotificationKind.NewBooking && n.Kind != NotificationKind.Assigned)
            .Select(n => n.Recipient).Distinct().ToListAsync(ct);
        var recorded = auditChanges.SelectMany(RecordedValues).ToList();
        string[] Recorded(params string[] fields) => [.. recorded.Where(r => fields.Contains(r.Field)).Select(r => r.Value)];

        var emails = rows.Select(r => r.Email).Concat(recipients).Concat(Recorded("Email", "Recipient")).Where(e => e.Contains('@'))
            .Select(e => e.Trim().ToLowerInvariant()).Distinct().ToList();
        var domains = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        foreach (var domain in emails.Select(PersonalValues.DomainOf).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase))
            domains[domain] = await OwnDomainAsync(domain, clientIds, ct);
        return PersonalValues.Of(
            rows.Select(r => r.Name).Concat(contacts.Select(c => c.ContactName)).Concat(Recorded("Name", "ContactName")),
            emails,
            rows.Select(r => r.Phone).Concat(contacts.Select(c => c.ContactPhone)).Concat(Recorded("Phone", "ContactPhone")),
            domain => domains.GetValueOrDefault(domain));
    }

    /// <summary>A domain names the client when no mail provider, other client or staff account shares it.</summary>
    private async Task<bool> OwnDomainAsync(string domain, int[] clientIds, CancellationToken ct)
    {
        if (PersonalValues.PublicMailDomains.Contains(domain)) return false;
        var suffix = "@" + domain.ToLowerInvariant();
        var upper = suffix.ToUpperInvariant();
        return !await db.Clients.AnyAsync(c => !clientIds.Contains(c.Id) && c.ErasedAt == null && c.Email.EndsWith(suffix), ct)
            && !await db.Users.AnyAsync(u => u.NormalizedEmail != null && u.NormalizedEmail.EndsWith(upper), ct);
    }

    /// <summary>The string values of an entry's identifying fields, old and new.</summary>
    private static IEnumerable<(string Field, string Value)> RecordedValues(string changes)
    {
        if (JsonNode.Parse(changes) is not JsonObject fields) yield break;
        foreach (var (field, value) in fields)
        {
            if (field is not ("Name" or "Email" or "Phone" or "ContactName" or "ContactPhone" or "Recipient")) continue;
            IEnumerable<JsonNode?> sides = value is JsonArray pair ? pair : [value];
            foreach (var side in sides)
                if (side is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0) yield return (field, text);
        }
    }

    /// <summary>
    /// The bookings' messages: pending ones withdrawn; subjects and errors blanked; the client's address replaced (the
    /// first message of a kind and revision gets <c>erased-{id}@erased.invalid</c>, any other one an address with its own
    /// id, as the outbox key is unique). Staff keep their own addresses on the staff messages.
    /// </summary>
    private async Task<int> EraseMessagesAsync(int clientId, int[] bookingIds, PersonalValues values, CancellationToken ct)
    {
        var emails = values.Values.Where(v => v.Contains('@')).Select(v => v.ToLowerInvariant()).ToArray();
        var marker = ErasedEmail(clientId);
        return await db.Database.ExecuteSqlAsync($"""
            UPDATE notifications n SET
                recipient = CASE
                    WHEN n.kind IN ({NotificationKind.NewBooking}, {NotificationKind.Assigned}) AND lower(n.recipient) <> ALL({emails}) THEN n.recipient
                    WHEN x.rank = 1 THEN {marker}
                    ELSE 'erased-' || {clientId} || '-' || n.id || '@erased.invalid' END,
                status = CASE WHEN n.status = 'Pending' THEN 'Withdrawn' ELSE n.status END,
                last_error = CASE WHEN n.status = 'Pending' THEN {WithdrawnText} WHEN n.last_error = '' THEN '' ELSE {PersonalValues.Marker} END,
                subject = CASE WHEN n.subject = '' THEN '' ELSE {PersonalValues.Marker} END
            FROM (SELECT id, row_number() OVER (PARTITION BY booking_id, kind, revision ORDER BY id) AS rank
                  FROM notifications WHERE booking_id = ANY({bookingIds})) x
            WHERE n.id = x.id
            """, ct);
    }

    /// <summary>
    /// Rewrites the changes of these audit entries, in one statement, and blanks the IP address of the entries about the
    /// client that the client made themselves (web bookings, their own link). The audit table refuses every UPDATE
    /// except, inside a transaction that set <c>photostudio.erasure</c>, one of the changes and ip columns alone.
    /// </summary>
    private async Task<int> RewriteAuditAsync(IEnumerable<(long Id, string Changes, bool About)> entries, PersonalValues values, CancellationToken ct)
    {
        var rows = new JsonArray();
        var aboutIds = new List<long>();
        foreach (var (id, changes, about) in entries)
        {
            if (about) aboutIds.Add(id);
            if (values.Rewrite(changes, about) is { } rewritten)
                rows.Add(new JsonObject { ["id"] = id, ["changes"] = JsonNode.Parse(rewritten) });
        }
        if (rows.Count == 0 && aboutIds.Count == 0) return 0;
        var json = rows.ToJsonString();
        var ids = aboutIds.ToArray();
        await db.Database.ExecuteSqlAsync($"SET LOCAL photostudio.erasure = 'on'", ct);
        var updated = await db.Database.ExecuteSqlAsync($"""
            UPDATE audit_entries a SET changes = x.changes
            FROM jsonb_to_recordset({json}::jsonb) AS x(id bigint, changes jsonb)
            WHERE a.id = x.id
            """, ct);
        await db.Database.ExecuteSqlAsync(
            $"UPDATE audit_entries SET ip = '' WHERE id = ANY({ids}) AND actor = {AuditContext.Client} AND ip <> ''", ct);
        await db.Database.ExecuteSqlAsync($"SET LOCAL photostudio.erasure = 'off'", ct);
        return updated;
    }

    /// <summary>
    /// The .eml files of the bookings' messages when mail goes to a pickup folder (development): the client's own and
    /// the staff's, which name the client too. Other transports keep nothing on disk.
    /// </summary>
    private async Task<List<string>> MailFilesAsync(int[] bookingIds, CancellationToken ct)
    {
        if (mail is not PickupMailTransport pickup) return [];
        var messageIds = await db.Notifications.AsNoTracking()
            .Where(n => bookingIds.Contains(n.BookingId) && n.ProviderMessageId != null).Select(n => n.ProviderMessageId!).ToListAsync(ct);
        return [.. messageIds.Select(m => Path.Combine(pickup.Folder, PickupMailTransport.FileName(m))).Where(File.Exists)];
    }

    private int DeleteMailFiles(List<string> files)
    {
        var deleted = 0;
        foreach (var file in files)
        {
            try
            {
                File.Delete(file);
                deleted++;
            }
            catch (IOException e)
            {
                log.LogWarning("A mail file of an erased client could not be deleted: {Error}", e.Message);
            }
        }
        return deleted;
    }
}
