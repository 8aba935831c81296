using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Admin.Audit;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Audit;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Clients;

public record ExportedProfile(int Id, string Name, string Email, string Phone, string Notes, IReadOnlyList<string> Tags,
    DateTime? TermsAcceptedAt, bool MarketingOptIn, string Source, DateTime CreatedAt, DateTime? ErasedAt);
public record ExportedConsent(string Kind, bool Granted, DateTime At, string Source, string By);
public record StaffNoteLine(DateTime At, string Author, string Text);
public record StatusLine(BookingStatus? From, BookingStatus To, string By, DateTime At, string Reason);
public record BookingNoteLine(DateTime At, string Author, string Text);

/// <summary>A booking with every field that is not a secret (never the manage token, hashed or sealed).</summary>
public record BookingRecord(int Id, string Code, BookingStatus Status, string Service, string Room, string? Photographer,
    DateTime StartsAt, DateTime EndsAt, decimal Price, string Currency, int Guests, string ClientNotes, string InternalNotes,
    string Source, string ContactName, string ContactPhone, string Language, int Revision, DateTime ScheduledAt,
    DateTime CreatedAt, DateTime UpdatedAt, IReadOnlyList<StatusLine> History, IReadOnlyList<BookingNoteLine> Notes);

public record MessageLine(string BookingCode, string Kind, string Recipient, string Language, int Revision, NotificationStatus Status,
    int Attempts, DateTime CreatedAt, DateTime? SentAt, string Subject, string LastError);

/// <summary>An audit entry about the client; the IP only when the client acted (a staff member's address is theirs, not the client's).</summary>
public record AuditLine(DateTime At, string Actor, string Action, string EntityType, string EntityId, string? Ip,
    IReadOnlyList<FieldChange> Changes, string? RawChanges);

/// <summary>Everything the studio holds about one client, as the export page shows it and the JSON download carries it. Times in UTC.</summary>
public record ClientRecord(ExportedProfile Profile, IReadOnlyList<int> MergedClientIds, IReadOnlyList<ExportedConsent> Consents,
    IReadOnlyList<StaffNoteLine> StaffNotes, IReadOnlyList<BookingRecord> Bookings, IReadOnlyList<MessageLine> Messages,
    IReadOnlyList<AuditLine> Audit, string TimeZone, DateTime ExportedAt);

/// <summary>
/// The right of access: a client's profile, consent log, staff notes, bookings (with their history, notes and
/// messages) and the audit entries about them, in a constant number of queries whatever their number. Every export
/// is itself audited (<c>client.exported</c>, with the format only).
/// </summary>
public sealed class ClientExport(StudioDb db, StudioDay studioDay, StudioWrites writes, AuditContext actor, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A download read by people and programs: Cyrillic as characters, while <, >, & and quotes stay escaped, so
        // nothing a client typed is ever markup, even in a browser that ignores the attachment header.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        Converters = { new JsonStringEnumConverter() },
    };

    public async Task<ClientRecord?> LoadAsync(int clientId, CancellationToken ct)
    {
        var profile = await db.Clients.AsNoTracking().Where(c => c.Id == clientId)
            .Select(c => new ExportedProfile(c.Id, c.Name, c.Email, c.Phone, c.Notes, c.Tags, c.TermsAcceptedAt, c.MarketingOptIn,
                c.Source, c.CreatedAt, c.ErasedAt))
            .SingleOrDefaultAsync(ct);
        if (profile is null) return null;
        var studio = await studioDay.ClockAsync(ct);
        var footprint = await ClientFootprint.LoadAsync(db, clientId, ct);
        var clientIds = footprint.ClientIds.ToArray();

        var consents = await db.ClientConsents.AsNoTracking().Where(c => clientIds.Contains(c.ClientId)).OrderBy(c => c.At).ThenBy(c => c.Id)
            .Select(c => new { c.Kind, c.Granted, c.At, c.Source, c.By }).ToListAsync(ct);
        var staffNotes = await db.ClientNotes.AsNoTracking().Where(n => clientIds.Contains(n.ClientId)).OrderBy(n => n.At).ThenBy(n => n.Id)
            .Select(n => new StaffNoteLine(n.At, n.AuthorName, n.Text)).ToListAsync(ct);
        var bookings = await db.Bookings.AsNoTracking().Where(b => clientIds.Contains(b.ClientId)).OrderBy(b => b.StartsAt).ThenBy(b => b.Id)
            .Select(b => new
            {
                b.Id, b.Code, b.Status, Service = b.Service!.Name, Room = b.Room!.Name, Photographer = b.Photographer!.FullName, b.StartsAt,
                b.EndsAt, b.Price, b.Currency, b.Guests, b.ClientNotes, b.InternalNotes, b.Source, b.ContactName, b.ContactPhone,
                b.Language, b.Revision, b.ScheduledAt, b.CreatedAt, b.UpdatedAt,
            }).ToListAsync(ct);
        var bookingIds = bookings.Select(b => b.Id).ToArray();
        var history = await db.BookingStatusChanges.AsNoTracking().Where(h => bookingIds.Contains(h.BookingId)).OrderBy(h => h.At).ThenBy(h => h.Id)
            .Select(h => new { h.BookingId, h.From, h.To, h.By, h.At, h.Reason }).ToListAsync(ct);
        var notes = await db.BookingNotes.AsNoTracking().Where(n => bookingIds.Contains(n.BookingId)).OrderBy(n => n.At).ThenBy(n => n.Id)
            .Select(n => new { n.BookingId, n.At, n.AuthorName, n.Text }).ToListAsync(ct);
        var messages = await db.Notifications.AsNoTracking().Where(n => bookingIds.Contains(n.BookingId)).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id)
            .Select(n => new MessageLine(n.Booking!.Code, n.Kind, n.Recipient, n.Language, n.Revision, n.Status, n.Attempts, n.CreatedAt,
                n.SentAt, n.Subject, n.LastError)).ToListAsync(ct);
        var audit = await footprint.AuditEntriesAbout(db).AsNoTracking().OrderBy(a => a.At).ThenBy(a => a.Id)
            .Select(a => new { a.At, a.Actor, a.ActorName, a.Action, a.EntityType, a.EntityId, a.Ip, a.Changes }).ToListAsync(ct);

        // Who acted, by name: one query for every user id the consents, histories and audit entries mention.
        var userIds = consents.Select(c => c.By).Concat(history.Select(h => h.By)).Concat(audit.Select(a => a.Actor)).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.Employee != null ? u.Employee.FullName : u.Email ?? u.Id }).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        string Who(string id) => names.GetValueOrDefault(id, id);

        return new ClientRecord(profile, footprint.MergedIds,
            [.. consents.Select(c => new ExportedConsent(c.Kind, c.Granted, c.At, c.Source, Who(c.By)))],
            staffNotes,
            [.. bookings.Select(b => new BookingRecord(b.Id, b.Code, b.Status, b.Service, b.Room, b.Photographer, b.StartsAt, b.EndsAt, b.Price,
                b.Currency.Trim(), b.Guests, b.ClientNotes, b.InternalNotes, b.Source, b.ContactName, b.ContactPhone, b.Language, b.Revision,
                b.ScheduledAt, b.CreatedAt, b.UpdatedAt,
                [.. history.Where(h => h.BookingId == b.Id).Select(h => new StatusLine(h.From, h.To, Who(h.By), h.At, h.Reason))],
                [.. notes.Where(n => n.BookingId == b.Id).Select(n => new BookingNoteLine(n.At, n.AuthorName, n.Text))]))],
            messages,
            [.. audit.Select(a =>
            {
                var (changes, raw) = AuditViewer.Parse(a.Changes);
                var who = a.Actor is AuditContext.Client or AuditContext.System ? a.Actor : names.GetValueOrDefault(a.Actor, a.ActorName);
                return new AuditLine(a.At, who, a.Action, a.EntityType, a.EntityId, a.Actor == AuditContext.Client ? a.Ip : null, changes, raw);
            })],
            studio.Zone.Id, clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>The record as the JSON download's bytes.</summary>
    public static byte[] ToJson(ClientRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, Json);

    /// <summary>Records that this user exported the client's data, and in which format; nothing of the data itself.</summary>
    public Task<Outcome> AuditAsync(int clientId, string format, CancellationToken ct) => writes.RunAsync(_ =>
    {
        db.AuditEntries.Add(ClientFootprint.Event(actor, clock.GetUtcNow().UtcDateTime, "client.exported", clientId,
            new() { ["Format"] = [null, format] }));
        return Outcome.Ok;
    }, ct);
}
