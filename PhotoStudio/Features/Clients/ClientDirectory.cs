using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Clients;

/// <summary>
/// Client records for staff: the list with what each client's bookings add up to, the profile, the staff note thread
/// and the edit of contact, tags and marketing consent (logged in the consent log in the same transaction).
/// </summary>
public class ClientDirectory(StudioDb db, StudioDay day, StudioWrites writes)
{
    public const string EmptyNote = "Please write a note of up to 2000 characters.";
    public const string ErasedText = "This client's personal data was erased; there is nothing to change.";
    public const string EmailTaken = "Another client already has this email address.";
    public const string StaleText = "Someone else saved this client meanwhile. This is the current version; check it and save again.";

    /// <summary>How far a typed search is read; a longer one is cut, never refused.</summary>
    public const int MaxSearch = 100;

    /// <summary>Lines of each list on a profile (bookings, consents, notes, messages): a long history shows its latest ones.</summary>
    public const int MaxLines = 200;

    /// <summary>What "never" sorts as among last visits: before any visit, whichever way the column is sorted.</summary>
    private static readonly DateTime NeverVisited = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public async Task<ClientList> ListAsync(TableState state, CancellationToken ct)
    {
        var studio = await day.ClockAsync(ct);
        var clients = db.Clients.AsNoTracking();
        if (state["erased"] != "show") clients = clients.Where(c => c.ErasedAt == null);
        if (state.Q is { } q) clients = clients.Where(c => EF.Functions.ILike(c.SearchText, Like.Containing(q)));
        if (state["tag"] is { } tag) clients = clients.Where(c => c.Tags.Contains(tag));

        // One statement: the clients joined to their bookings grouped once, so a page costs the same whatever its rows.
        var rows = from c in clients
                   join s in Totals(studio.Now.UtcDateTime) on c.Id equals s.ClientId into joined
                   from s in joined.DefaultIfEmpty()
                   select new Listed
                   {
                       Id = c.Id, Name = c.Name, Email = c.Email, Phone = c.Phone, Tags = c.Tags, Erased = c.ErasedAt != null,
                       // Clients without bookings have no group: the join gives NULLs, read as none.
                       LastVisit = s.LastVisit,
                       Bookings = (int?)s.Bookings ?? 0,
                       Spent = (decimal?)s.Spent ?? 0m,
                   };
        var page = await rows
            .SortBy(state, r => r.Id, ("name", r => r.Name), ("visit", r => r.LastVisit ?? NeverVisited), ("bookings", r => r.Bookings), ("spent", r => r.Spent))
            .PageAsync(state, ct);
        var items = page.Items.Select(r => new ClientRow(r.Id, r.Name, r.Email, r.Phone, r.Tags, r.Erased,
            r.LastVisit is { } visit ? studio.ToLocal(visit) : null, r.Bookings, r.Spent)).ToList();
        return new ClientList(state, new Paged<ClientRow>(items, page.Total, page.Page, page.PageSize), await TagsAsync(ct), studio.Settings.Currency);
    }

    /// <summary>The tags clients carry, to filter by.</summary>
    private async Task<IReadOnlyList<string>> TagsAsync(CancellationToken ct) =>
        await db.Clients.AsNoTracking().Where(c => c.ErasedAt == null).SelectMany(c => c.Tags).Distinct().OrderBy(t => t).Take(MaxLines).ToListAsync(ct);

    /// <summary>
    /// Each client's bookings in one grouped query: how many, the last visit (the latest start already past that was
    /// neither cancelled nor missed), what they spent (prices of sessions shot, in editing or delivered), no-shows and
    /// cancellations.
    /// </summary>
    private IQueryable<BookingTotals> Totals(DateTime now) =>
        db.Bookings.GroupBy(b => b.ClientId).Select(g => new BookingTotals
        {
            ClientId = g.Key,
            Bookings = g.Count(),
            LastVisit = g.Max(b => b.StartsAt < now && b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.NoShow
                ? (DateTime?)b.StartsAt : null),
            Spent = g.Sum(b => b.Status == BookingStatus.Shooting || b.Status == BookingStatus.Editing || b.Status == BookingStatus.Delivered
                ? b.Price : 0m),
            NoShows = g.Count(b => b.Status == BookingStatus.NoShow),
            Cancellations = g.Count(b => b.Status == BookingStatus.Cancelled),
        });

    /// <summary>The profile in a fixed number of queries, whatever the length of the client's history.</summary>
    public async Task<ClientProfile?> ProfileAsync(int id, CancellationToken ct)
    {
        var studio = await day.ClockAsync(ct);
        var now = studio.Now.UtcDateTime;
        var c = await db.Clients.AsNoTracking().Where(x => x.Id == id).Select(x => new
        {
            x.Id, x.Name, x.Email, x.Phone, x.Source, x.CreatedAt, x.ErasedAt, x.Tags, x.Notes, x.MarketingOptIn, x.TermsAcceptedAt,
            Consents = x.Consents.OrderByDescending(k => k.At).ThenByDescending(k => k.Id).Take(MaxLines).ToList(),
            Thread = x.StaffNotes.OrderByDescending(n => n.At).ThenByDescending(n => n.Id).Take(MaxLines).ToList(),
        }).AsSplitQuery().FirstOrDefaultAsync(ct);
        if (c is null) return null;

        var bookings = await db.Bookings.AsNoTracking().Where(b => b.ClientId == id)
            .OrderByDescending(b => b.StartsAt).ThenByDescending(b => b.Id).Take(MaxLines)
            .Select(b => new
            {
                b.Id, b.Code, b.StartsAt, Service = b.Service!.Name, Room = b.Room!.Name,
                Photographer = b.Photographer == null ? null : b.Photographer.FullName, b.Status, b.Price, b.Currency,
            }).ToListAsync(ct);
        var totals = await Totals(now).Where(t => t.ClientId == id).FirstOrDefaultAsync(ct);
        var messages = await db.Notifications.AsNoTracking().Where(n => n.Booking!.ClientId == id)
            .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(MaxLines)
            .Select(n => new ClientMessageLine(n.Kind, n.Status, n.SentAt ?? n.CreatedAt, n.Booking!.Code)).ToListAsync(ct);
        var staff = await StaffNamesAsync(c.Consents.Select(k => k.By), ct);

        return new ClientProfile(c.Id, c.Name, c.Email, c.Phone, c.Source, studio.ToLocal(c.CreatedAt),
            c.ErasedAt is { } erased ? studio.ToLocal(erased) : null, c.Tags, c.Notes, c.MarketingOptIn,
            c.TermsAcceptedAt is { } terms ? studio.ToLocal(terms) : null,
            c.Consents.Select(k => new ConsentLine(k.Kind, k.Granted, studio.ToLocal(k.At), k.Source, staff.GetValueOrDefault(k.By, k.By))).ToList(),
            c.Thread.AsEnumerable().Reverse().Select(n => new ClientNoteLine(n.AuthorName, studio.ToLocal(n.At), n.Text)).ToList(),
            bookings.Select(b => new ClientBookingLine(b.Id, b.Code, studio.ToLocal(b.StartsAt), b.Service, b.Room, b.Photographer, b.Status,
                b.Price, b.Currency, b.StartsAt > now && Data.Booking.IsLive(b.Status))).ToList(),
            totals is null ? ClientTotals.None : new ClientTotals(totals.Bookings, totals.Spent, totals.NoShows, totals.Cancellations,
                totals.LastVisit is { } visit ? studio.ToLocal(visit) : null),
            messages.Select(m => m with { AtLocal = studio.ToLocal(m.AtLocal) }).ToList(),
            studio.Settings.Currency, studio.Settings.TimeZone);
    }

    /// <summary>The names of the staff behind consent changes ("client" and "system" are not users and stay as they are).</summary>
    private async Task<Dictionary<string, string>> StaffNamesAsync(IEnumerable<string> by, CancellationToken ct)
    {
        var ids = by.Where(b => b is not ("client" or "system")).Distinct().ToList();
        if (ids.Count == 0) return [];
        return await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.Employee != null ? u.Employee.FullName : u.Email ?? "" })
            .ToDictionaryAsync(u => u.Id, u => u.Name, ct);
    }

    /// <summary>The edit form with the client as saved now; null for an unknown id.</summary>
    public async Task<ClientEditor?> EditorAsync(int id, CancellationToken ct) =>
        await db.Clients.AsNoTracking().Where(c => c.Id == id).Select(c => new
        {
            c.Id, c.Name, c.Email, c.Phone, c.Notes, c.Tags, c.MarketingOptIn, c.Version, c.ErasedAt,
        }).FirstOrDefaultAsync(ct) is { } c
            ? new ClientEditor(c.Id, c.Name, new ClientForm
            {
                Name = c.Name, Email = c.Email, Phone = c.Phone, Notes = c.Notes, Tags = string.Join(", ", c.Tags),
                MarketingOptIn = c.MarketingOptIn, Version = c.Version,
            }, Erased: c.ErasedAt is not null)
            : null;

    /// <summary>
    /// Saves over the version the user saw only. The email is stored trimmed and in lower case; another client's is a
    /// field error, decided by the unique index (no check beforehand that a race could slip past). A changed marketing
    /// opt-in is logged as staff's, by this user.
    /// </summary>
    public async Task<Outcome> SaveAsync(int id, ClientForm form, bool valid, string userId, CancellationToken ct)
    {
        var now = (await day.ClockAsync(ct)).Now.UtcDateTime;
        return await writes.RunAsync(async write => await SaveAsync(write, id, form, valid, userId, now, ct), ct);
    }

    private async Task<Outcome> SaveAsync(WriteScope write, int id, ClientForm form, bool valid, string userId, DateTime now, CancellationToken ct)
    {
        var client = await db.Clients.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (client is null) return Outcome.Missing;
        if (client.ErasedAt is not null) return Outcome.Because(ErasedText);
        if (client.Version != form.Version) return new Outcome.Stale();

        var (tags, tagError) = ClientTags.Parse(form.Tags);
        if (tagError is not null || !valid) return new Outcome.Invalid(tagError is null ? [] : [new FieldError(nameof(form.Tags), tagError)]);

        client.Name = form.Name.Trim();
        client.Email = form.Email.Trim().ToLowerInvariant();
        client.Phone = form.Phone?.Trim() ?? "";
        client.Notes = form.Notes?.Trim() ?? "";
        if (!client.Tags.SequenceEqual(tags)) client.Tags = [.. tags];
        if (client.MarketingOptIn != form.MarketingOptIn)
        {
            client.MarketingOptIn = form.MarketingOptIn;
            db.ClientConsents.Add(new ClientConsent
            {
                ClientId = id, Kind = ClientConsent.Marketing, Granted = form.MarketingOptIn, At = now, Source = "staff", By = userId,
            });
        }
        write.Expect(client, form.Version);
        write.OnViolation(EmailIndex, Outcome.Field(nameof(ClientForm.Email), EmailTaken));
        return Outcome.Ok;
    }

    /// <summary>
    /// A new client with what staff (or an integration) know of them; an email another client has is a field error,
    /// decided by the unique index. A marketing opt-in given here is logged as staff's.
    /// </summary>
    public async Task<Outcome> CreateAsync(ClientForm form, string source, string userId, CancellationToken ct)
    {
        var (tags, tagError) = ClientTags.Parse(form.Tags);
        if (tagError is not null) return Outcome.Field(nameof(form.Tags), tagError);
        var now = (await day.ClockAsync(ct)).Now.UtcDateTime;
        return await writes.RunAsync(write =>
        {
            var client = new Client
            {
                Name = form.Name.Trim(), Email = form.Email.Trim().ToLowerInvariant(), Phone = form.Phone?.Trim() ?? "",
                Notes = form.Notes?.Trim() ?? "", Tags = [.. tags], MarketingOptIn = form.MarketingOptIn, Source = source, CreatedAt = now,
            };
            if (form.MarketingOptIn)
                client.Consents.Add(new ClientConsent { Kind = ClientConsent.Marketing, Granted = true, At = now, Source = "staff", By = userId });
            db.Clients.Add(client);
            write.OnViolation(EmailIndex, Outcome.Field(nameof(ClientForm.Email), EmailTaken));
            return Outcome.With(client);
        }, ct);
    }

    /// <summary>The unique index on clients' emails: the last word when two saves race for one address.</summary>
    public const string EmailIndex = "ix_clients_email";

    /// <summary>Adds a note to the client's thread, by this user; an erased client takes no more notes.</summary>
    public async Task<Outcome> AddNoteAsync(int id, string? text, string userId, CancellationToken ct)
    {
        var client = await db.Clients.Where(c => c.Id == id).Select(c => new { c.ErasedAt }).FirstOrDefaultAsync(ct);
        if (client is null) return Outcome.Missing;
        if (client.ErasedAt is not null) return Outcome.Because(ErasedText);
        text = text?.Trim() ?? "";
        if (text.Length is 0 or > 2000) return Outcome.Because(EmptyNote);
        var author = await db.Users.Where(u => u.Id == userId)
            .Select(u => u.Employee != null ? u.Employee.FullName : u.Email ?? "").FirstOrDefaultAsync(ct) ?? "";
        var now = (await day.ClockAsync(ct)).Now.UtcDateTime;
        return await writes.RunAsync(_ =>
        {
            db.ClientNotes.Add(new ClientNote { ClientId = id, AuthorId = userId, AuthorName = author, At = now, Text = text });
            return Outcome.Ok;
        }, ct);
    }

    /// <summary>A client as the list's query shapes it, before the page is read (members, so EF can sort by them).</summary>
    private sealed class Listed
    {
        public int Id { get; init; }
        public string Name { get; init; } = "";
        public string Email { get; init; } = "";
        public string Phone { get; init; } = "";
        public List<string> Tags { get; init; } = [];
        public bool Erased { get; init; }
        public DateTime? LastVisit { get; init; }
        public int Bookings { get; init; }
        public decimal Spent { get; init; }
    }

    private sealed class BookingTotals
    {
        public int ClientId { get; init; }
        public int Bookings { get; init; }
        public DateTime? LastVisit { get; init; }
        public decimal Spent { get; init; }
        public int NoShows { get; init; }
        public int Cancellations { get; init; }
    }
}
