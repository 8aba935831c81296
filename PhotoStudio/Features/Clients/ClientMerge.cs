using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Audit;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Clients;

/// <summary>
/// What the merge screen posts: the two clients, the row versions it showed, and for each field whose value survives
/// (<see cref="ClientMerge.Keep"/> or <see cref="ClientMerge.Merge"/>); tags are the ones ticked.
/// </summary>
public record MergeForm
{
    public int Keep { get; init; }
    public int Merge { get; init; }
    public uint KeepVersion { get; init; }
    public uint MergeVersion { get; init; }
    [MaxLength(8)] public string Name { get; init; } = ClientMerge.Keep;
    [MaxLength(8)] public string Email { get; init; } = ClientMerge.Keep;
    [MaxLength(8)] public string Phone { get; init; } = ClientMerge.Keep;
    [MaxLength(8)] public string Notes { get; init; } = ClientMerge.Keep;
    [MaxLength(8)] public string Marketing { get; init; } = ClientMerge.Keep;
    [MaxLength(8)] public string Source { get; init; } = ClientMerge.Keep;
    [MaxLength(200)] public string[] Tags { get; init; } = [];
}

/// <summary>One client as the merge screen shows it.</summary>
public record MergeSide(int Id, string Name, string Email, string Phone, string Notes, bool MarketingOptIn, string Source,
    IReadOnlyList<string> Tags, DateTime CreatedAt, int Bookings, int StaffNotes, int Consents, uint Version);

/// <summary>The merge screen: the client that stays, the one merged into it, the choices so far and why it came back.</summary>
public record MergePage(MergeSide Keep, MergeSide Merge, MergeForm Form, string? Message = null)
{
    public IReadOnlyList<string> AllTags => [.. Keep.Tags.Union(Merge.Tags).Order(StringComparer.OrdinalIgnoreCase)];
}

/// <summary>Why two ids cannot be merged, before anything is written.</summary>
public enum MergeRefusal { None, Unknown, SameClient, Erased }

/// <summary>
/// Merges two clients who are one person into one: bookings, staff notes and consents move to the client that stays,
/// the fields take the values chosen field by field, and the other client is deleted; one transaction, one audit entry.
/// </summary>
public sealed class ClientMerge(StudioDb db, StudioWrites writes, AuditContext actor, TimeProvider clock)
{
    public const string Keep = "keep";
    public const string Merge = "merge";

    public const string Action = "merged";
    public const string StaleText = "One of these clients was changed a moment ago. These are their current details; please check your choices and merge again.";

    /// <summary>The two clients as they are now, or why they cannot be merged.</summary>
    public async Task<(MergePage? Page, MergeRefusal Refusal)> PageAsync(int keep, int merge, MergeForm? form, CancellationToken ct)
    {
        var sides = await db.Clients.AsNoTracking().Where(c => c.Id == keep || c.Id == merge)
            .Select(c => new
            {
                Side = new MergeSide(c.Id, c.Name, c.Email, c.Phone, c.Notes, c.MarketingOptIn, c.Source, c.Tags, c.CreatedAt,
                    db.Bookings.Count(b => b.ClientId == c.Id), c.StaffNotes.Count, c.Consents.Count, c.Version),
                c.ErasedAt,
            })
            .ToListAsync(ct);
        if (sides.All(s => s.Side.Id != keep) || sides.All(s => s.Side.Id != merge)) return (null, MergeRefusal.Unknown);
        if (keep == merge) return (null, MergeRefusal.SameClient);
        if (sides.Any(s => s.ErasedAt is not null)) return (null, MergeRefusal.Erased);
        var (k, m) = (sides.Single(s => s.Side.Id == keep).Side, sides.Single(s => s.Side.Id == merge).Side);
        form ??= new MergeForm
        {
            // The client that stays keeps its values, except where it has none and the other has one.
            Name = k.Name.Trim().Length == 0 && m.Name.Trim().Length > 0 ? Merge : Keep,
            Email = Keep,
            Phone = k.Phone.Trim().Length == 0 && m.Phone.Trim().Length > 0 ? Merge : Keep,
            Notes = k.Notes.Trim().Length == 0 && m.Notes.Trim().Length > 0 ? Merge : Keep,
            Marketing = Keep,
            Source = Keep,
            Tags = [.. k.Tags.Union(m.Tags)],
            KeepVersion = k.Version,
            MergeVersion = m.Version,
        };
        // A posted form keeps the versions it was shown with, so a merge sent again still notices a change since.
        return (new MergePage(k, m, form with { Keep = keep, Merge = merge }), MergeRefusal.None);
    }

    /// <summary>
    /// The merge, in one transaction: both rows locked (in id order, so two merges never wait on each other crosswise)
    /// and compared with the versions the screen showed; children moved, the merged client deleted before the survivor
    /// takes over its email (the unique key), and one audit entry instead of one per moved row.
    /// </summary>
    public Task<Outcome> MergeAsync(MergeForm form, CancellationToken ct) => writes.RunAsync(async scope =>
    {
        var rows = await db.Clients.FromSql($"SELECT c.*, c.xmin FROM clients c WHERE c.id IN ({form.Keep}, {form.Merge}) ORDER BY c.id FOR UPDATE")
            .AsNoTracking().ToListAsync(ct);
        if (rows.SingleOrDefault(c => c.Id == form.Keep) is not { } keep || rows.SingleOrDefault(c => c.Id == form.Merge) is not { } merge)
            return Outcome.Missing;
        if (keep.Id == merge.Id || keep.ErasedAt is not null || merge.ErasedAt is not null)
            return Outcome.Because("Erased clients cannot be merged.");
        if (keep.Version != form.KeepVersion || merge.Version != form.MergeVersion) return new Outcome.Stale(new Text(StaleText));
        if (new[] { form.Name, form.Email, form.Phone, form.Notes, form.Marketing, form.Source }.Any(v => v is not (Keep or Merge)))
            return Outcome.Field("", "Choose whose value to keep for every field.");

        T Pick<T>(string choice, Func<Client, T> value) => value(choice == Merge ? merge : keep);
        var union = keep.Tags.Union(merge.Tags).ToList();
        var after = new Client
        {
            Name = Pick(form.Name, c => c.Name),
            Email = Pick(form.Email, c => c.Email),
            Phone = Pick(form.Phone, c => c.Phone),
            Notes = Pick(form.Notes, c => c.Notes),
            MarketingOptIn = Pick(form.Marketing, c => c.MarketingOptIn),
            Source = Pick(form.Source, c => c.Source),
            Tags = [.. union.Where(t => form.Tags.Contains(t))],
            // The person accepted the terms and became a client at the earlier of the two moments.
            TermsAcceptedAt = new[] { keep.TermsAcceptedAt, merge.TermsAcceptedAt }.Where(t => t is not null).Min(),
            CreatedAt = keep.CreatedAt < merge.CreatedAt ? keep.CreatedAt : merge.CreatedAt,
        };

        var now = clock.GetUtcNow().UtcDateTime;
        var bookings = await db.Database.ExecuteSqlAsync(
            $"UPDATE bookings SET client_id = {keep.Id}, updated_at = {now} WHERE client_id = {merge.Id}", ct);
        var notes = await db.Database.ExecuteSqlAsync($"UPDATE client_notes SET client_id = {keep.Id} WHERE client_id = {merge.Id}", ct);
        var consents = await db.Database.ExecuteSqlAsync($"UPDATE client_consents SET client_id = {keep.Id} WHERE client_id = {merge.Id}", ct);
        await db.Database.ExecuteSqlAsync($"DELETE FROM clients WHERE id = {merge.Id}", ct);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE clients SET name = {after.Name}, email = {after.Email}, phone = {after.Phone}, notes = {after.Notes},
                marketing_opt_in = {after.MarketingOptIn}, source = {after.Source}, tags = {after.Tags},
                terms_accepted_at = {after.TermsAcceptedAt}, created_at = {after.CreatedAt}
            WHERE id = {keep.Id}
            """, ct);
        if (after.MarketingOptIn != keep.MarketingOptIn)
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO client_consents (client_id, kind, granted, at, source, by)
                VALUES ({keep.Id}, {ClientConsent.Marketing}, {after.MarketingOptIn}, {now}, 'merge', {actor.Actor})
                """, ct);

        var changes = new Dictionary<string, object?[]> { ["MergedClientId"] = [merge.Id, keep.Id] };
        void Changed<T>(string field, T before, T value, IEqualityComparer<T>? same = null)
        {
            if (!(same ?? EqualityComparer<T>.Default).Equals(before, value)) changes[field] = [before, value];
        }
        Changed(nameof(Client.Name), keep.Name, after.Name);
        Changed(nameof(Client.Email), keep.Email, after.Email);
        Changed(nameof(Client.Phone), keep.Phone, after.Phone);
        // "Notes" is the count of staff notes moved (below); the client's own notes field is recorded as "ClientNotes".
        Changed("ClientNotes", keep.Notes, after.Notes);
        Changed(nameof(Client.MarketingOptIn), keep.MarketingOptIn, after.MarketingOptIn);
        Changed(nameof(Client.Source), keep.Source, after.Source);
        Changed(nameof(Client.Tags), keep.Tags, after.Tags, TagsComparer.Instance);
        Changed(nameof(Client.TermsAcceptedAt), keep.TermsAcceptedAt, after.TermsAcceptedAt);
        Changed(nameof(Client.CreatedAt), keep.CreatedAt, after.CreatedAt);
        changes["Bookings"] = [0, bookings];
        changes["Notes"] = [0, notes];
        changes["Consents"] = [0, consents];
        // The moves above are raw SQL, which the audit interceptor does not see: this entry is the merge's whole record.
        db.AuditEntries.Add(new AuditEntry
        {
            At = now,
            Actor = actor.Actor,
            ActorName = actor.ActorName,
            Action = Action,
            EntityType = nameof(Client),
            EntityId = keep.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Changes = JsonSerializer.Serialize(changes),
            Ip = actor.Ip,
            TraceId = actor.TraceId,
        });
        return Outcome.With(keep.Id);
    }, ct);

    private sealed class TagsComparer : IEqualityComparer<List<string>>
    {
        public static readonly TagsComparer Instance = new();
        public bool Equals(List<string>? x, List<string>? y) => x!.SequenceEqual(y!);
        public int GetHashCode(List<string> obj) => obj.Count;
    }
}
