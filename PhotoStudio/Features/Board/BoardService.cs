using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Events;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Board;

/// <summary>Who is acting on the board, with the permissions it decides by.</summary>
public sealed record Staff(string UserId, bool SeesAll, bool Manages, bool Moves)
{
    public static Staff From(ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
        user.HasClaim(Permissions.ClaimType, Permissions.BookingsViewAll),
        user.HasClaim(Permissions.ClaimType, Permissions.BookingsManage),
        user.HasClaim(Permissions.ClaimType, Permissions.BookingsMove));
}

public record BookingCard(int Id, string Code, uint Version, BookingStatus Status, DateTime StartsLocal, DateTime EndsLocal,
    string Client, string Service, string Room, string? Photographer, int Guests, bool HasClientNotes, int Notes,
    bool IsToday, bool IsNew, IReadOnlyList<BookingStatus> Targets)
{
    public bool CanMove => Targets.Count > 0;
}

/// <summary>The "Move to…" menu of a card, on the board or in the details panel.</summary>
public record MoveMenu(BookingCard Card, string Url, bool Panel);

public record BoardColumn(BookingStatus Status, IReadOnlyList<BookingCard> Cards, int Total, int Take, BoardFilter Filter)
{
    public bool HasMore => Total > Cards.Count;
}

/// <param name="Open">The booking whose details the panel shows as the page loads (a booking just made at the front desk).</param>
public record BoardPage(BoardFilter Filter, IReadOnlyList<BoardColumn> Columns, IReadOnlyList<NamedOption> Rooms,
    IReadOnlyList<NamedOption> Photographers, bool SeesAll, string TimeZone, bool CanBook = false, BookingDetails? Open = null);

public record HistoryLine(BookingStatus? From, BookingStatus To, string By, DateTime AtLocal, string Reason);
public record NoteLine(string Author, DateTime AtLocal, string Text);
public record NotificationLine(string Kind, string Recipient, NotificationStatus Status, DateTime AtLocal, string LastError);

public record BookingDetails(BookingCard Card, int ClientId, string ClientEmail, string ClientPhone, string ClientNotes,
    decimal Price, string Currency, string Source, DateTime CreatedLocal, int RoomId, int? PhotographerId, bool NeedsPhotographer,
    IReadOnlyList<HistoryLine> History, IReadOnlyList<NoteLine> Notes, IReadOnlyList<NamedOption> Rooms,
    IReadOnlyList<NamedOption> Photographers, bool CanManage, bool CanEnd, int SlotStepMinutes, string TimeZone,
    IReadOnlyList<NotificationLine> Notifications, TypedContact? TypedContact = null);

/// <summary>
/// The name and phone typed on a web booking, shown beside the client's record when they differ: a returning client
/// matched by email may have typed a new phone, or someone booked for a friend with the friend's email.
/// </summary>
public record TypedContact(string Name, string Phone)
{
    public static TypedContact? IfDifferent(string typedName, string typedPhone, string clientName, string clientPhone) =>
        typedName.Length == 0 && typedPhone.Length == 0 ? null
        : string.Equals(typedName.Trim(), clientName.Trim(), StringComparison.CurrentCultureIgnoreCase) && Digits(typedPhone) == Digits(clientPhone)
            ? null
            : new TypedContact(typedName, typedPhone);

    private static string Digits(string phone) => new([.. phone.Where(char.IsAsciiDigit)]);
}

/// <summary>The staff board: filtered columns of cards, a booking's details, and every change staff make to one.</summary>
public class BoardService(StudioDb db, StudioWrites writes, BookingService bookings, StudioDay studioDay, Outbox outbox, TimeProvider clock)
{
    public const int PageSize = 20;

    /// <summary>The booking's latest messages the panel lists; the outbox page has them all.</summary>
    public const int PanelNotifications = 30;

    public const string StaleBooking = "Someone else changed this booking a moment ago. This is how it is now; please check and try again.";
    public const string NoSuchTime = "Please enter a valid date and time.";
    public const string EmptyNote = "Please write a note of up to 2000 characters.";

    private sealed record CardRow(int Id, string Code, uint Version, BookingStatus Status, DateTime StartsAt, DateTime EndsAt,
        string Client, string Service, string Room, string? Photographer, string? PhotographerUserId, int Guests,
        bool HasClientNotes, int Notes, DateTime CreatedAt);

    public async Task<BoardPage> BoardAsync(BoardFilter filter, Staff staff, CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        var statuses = filter.Closed ? StatusFlow.Closed : StatusFlow.Active;
        var visible = Filtered(filter, studio);
        var totals = await visible.Where(b => statuses.Contains(b.Status)).GroupBy(b => b.Status)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        // Every column's first page in one query, each capped in SQL (a lateral join per status present).
        var rows = await Rows(
            from status in visible.Where(b => statuses.Contains(b.Status)).Select(b => b.Status).Distinct()
            from booking in visible.Where(b => b.Status == status).OrderBy(b => b.StartsAt).ThenBy(b => b.Id).Take(PageSize)
            select booking).ToListAsync(ct);
        var columns = statuses.Select(status => new BoardColumn(status,
            rows.Where(r => r.Status == status).OrderBy(r => r.StartsAt).ThenBy(r => r.Id).Select(r => Card(r, staff, studio)).ToList(),
            totals.GetValueOrDefault(status), PageSize, filter)).ToList();

        var rooms = await db.Rooms.AsNoTracking().OrderBy(r => r.Name).Select(r => new NamedOption(r.Id, r.Name)).ToListAsync(ct);
        var photographers = staff.SeesAll
            ? await db.Employees.AsNoTracking().Where(e => db.ServiceEmployees.Any(s => s.EmployeeId == e.Id))
                .OrderBy(e => e.FullName).Select(e => new NamedOption(e.Id, e.FullName)).ToListAsync(ct)
            : [];
        return new BoardPage(filter, columns, rooms, photographers, staff.SeesAll, studio.Zone.Id, staff.Manages);
    }

    public async Task<BoardColumn> ColumnAsync(BookingStatus status, BoardFilter filter, int take, Staff staff, CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        var visible = Filtered(filter, studio);
        var total = await visible.CountAsync(b => b.Status == status, ct);
        return await ColumnAsync(visible, status, Math.Clamp(take, PageSize, 500), total, filter, staff, studio, ct);
    }

    private async Task<BoardColumn> ColumnAsync(IQueryable<Data.Booking> visible, BookingStatus status, int take, int total,
        BoardFilter filter, Staff staff, StudioClock studio, CancellationToken ct)
    {
        var rows = await Rows(visible.Where(b => b.Status == status).OrderBy(b => b.StartsAt).ThenBy(b => b.Id).Take(take)).ToListAsync(ct);
        return new BoardColumn(status, rows.Select(r => Card(r, staff, studio)).ToList(), total, take, filter);
    }

    /// <summary>The bookings this user may see that match the filter.</summary>
    private IQueryable<Data.Booking> Filtered(BoardFilter filter, StudioClock studio)
    {
        var query = studioDay.Bookings;
        var (from, to) = filter.Window(studio);
        if (from is { } f) query = query.Where(b => b.StartsAt >= f);
        if (to is { } t) query = query.Where(b => b.StartsAt < t);
        if (filter.Room is { } room) query = query.Where(b => b.RoomId == room);
        if (filter.Photographer is { } photographer) query = query.Where(b => b.PhotographerId == photographer);
        if (filter.Q is { } q)
        {
            var pattern = Like.Containing(q);
            var code = q.ToUpperInvariant();
            query = query.Where(b => EF.Functions.ILike(b.Client!.Name, pattern) || b.Code == code);
        }
        return query;
    }

    private static IQueryable<CardRow> Rows(IQueryable<Data.Booking> query) => query.Select(b => new CardRow(
        b.Id, b.Code, b.Version, b.Status, b.StartsAt, b.EndsAt, b.Client!.Name, b.Service!.Name, b.Room!.Name,
        b.Photographer!.FullName, b.Photographer!.UserId, b.Guests, b.ClientNotes != "", b.Notes.Count, b.CreatedAt));

    private static BookingCard Card(CardRow r, Staff staff, StudioClock studio)
    {
        var starts = studio.ToLocal(r.StartsAt);
        var mayMove = staff.Moves && (staff.SeesAll || r.PhotographerUserId == staff.UserId);
        // The board moves along the workflow; ending a booking needs a reason, so it is done from the details panel.
        var targets = mayMove ? StatusFlow.Targets(r.Status).Where(s => !StatusFlow.Ends(s)).ToList() : [];
        return new BookingCard(r.Id, r.Code, r.Version, r.Status, starts, studio.ToLocal(r.EndsAt),
            r.Client, r.Service, r.Room, r.Photographer, r.Guests, r.HasClientNotes, r.Notes,
            DateOnly.FromDateTime(starts) == studio.Today,
            r.Status == BookingStatus.Pending && r.CreatedAt > studio.Now.UtcDateTime.AddDays(-1), targets);
    }

    public async Task<BookingCard?> CardAsync(int id, Staff staff, CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        var row = await Rows(studioDay.Bookings.Where(b => b.Id == id)).FirstOrDefaultAsync(ct);
        return row is null ? null : Card(row, staff, studio);
    }

    public async Task<BookingDetails?> DetailsAsync(int id, Staff staff, CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        var row = await Rows(studioDay.Bookings.Where(b => b.Id == id)).FirstOrDefaultAsync(ct);
        if (row is null) return null;
        var more = await db.Bookings.AsNoTracking().Where(b => b.Id == id).Select(b => new
        {
            b.ClientId, b.Client!.Email, b.Client.Phone, b.ClientNotes, b.Price, b.Currency, b.Source, b.CreatedAt,
            b.ContactName, b.ContactPhone,
            b.ServiceId, b.RoomId, b.PhotographerId, b.Service!.NeedsPhotographer,
            History = b.History.OrderBy(h => h.At).ThenBy(h => h.Id).Select(h => new { h.From, h.To, h.By, h.At, h.Reason }).ToList(),
            Notes = b.Notes.OrderBy(n => n.At).ThenBy(n => n.Id).Select(n => new { n.AuthorName, n.At, n.Text }).ToList(),
        }).SingleAsync(ct);

        var userIds = more.History.Select(h => h.By).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.Employee != null ? u.Employee.FullName : u.Email ?? u.Id })
            .ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        // Moves made through the JSON API name their key ("apikey:{id}"), shown by the key's name.
        var keyIds = userIds.Where(by => by.StartsWith("apikey:", StringComparison.Ordinal))
            .Select(by => int.TryParse(by.AsSpan(7), out var keyId) ? keyId : 0).Where(keyId => keyId > 0).ToList();
        if (keyIds.Count > 0)
            foreach (var key in await db.ApiKeys.AsNoTracking().Where(k => keyIds.Contains(k.Id)).Select(k => new { k.Id, k.Name }).ToListAsync(ct))
                names[$"apikey:{key.Id}"] = $"{key.Name} (API)";
        // Its own query rather than a third collection above, which would multiply the rows of the other two.
        var notifications = await db.Notifications.AsNoTracking().Where(n => n.BookingId == id)
            .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(PanelNotifications)
            .Select(n => new NotificationLine(n.Kind, n.Recipient, n.Status, n.SentAt ?? n.CreatedAt, n.LastError)).ToListAsync(ct);
        var (rooms, photographers) = staff.Manages ? await bookings.ChoicesAsync(more.ServiceId, ct) : ([], []);
        var mayEnd = staff.Moves && (staff.SeesAll || row.PhotographerUserId == staff.UserId);

        return new BookingDetails(Card(row, staff, studio), more.ClientId, more.Email, more.Phone, more.ClientNotes, more.Price,
            more.Currency, more.Source, studio.ToLocal(more.CreatedAt), more.RoomId, more.PhotographerId, more.NeedsPhotographer,
            more.History.Select(h => new HistoryLine(h.From, h.To, names.GetValueOrDefault(h.By, h.By), studio.ToLocal(h.At), h.Reason)).ToList(),
            more.Notes.Select(n => new NoteLine(n.AuthorName, studio.ToLocal(n.At), n.Text)).ToList(),
            rooms, photographers, staff.Manages && Data.Booking.IsLive(row.Status), mayEnd,
            studio.Settings.SlotStepMinutes, studio.Zone.Id,
            notifications.Select(n => n with { AtLocal = studio.ToLocal(n.AtLocal) }).ToList(),
            TypedContact.IfDifferent(more.ContactName, more.ContactPhone, row.Client, more.Phone));
    }

    /// <summary>
    /// Moves a booking to another status: the state machine, the user's permission (photographers only their own
    /// bookings, cancelling needs <c>bookings.manage</c>) and the row version the user saw all have to agree.
    /// </summary>
    public async Task<Outcome> MoveAsync(int id, BookingStatus to, uint version, string? reason, Staff staff, CancellationToken ct)
    {
        var booking = await db.Bookings.Include(b => b.Photographer).FirstOrDefaultAsync(b => b.Id == id, ct);
        if (booking is null) return Outcome.Missing;
        if (!staff.Moves) return NoPermission;
        if (!staff.SeesAll && booking.Photographer?.UserId != staff.UserId) return Outcome.Forbid("You can only move your own bookings.");
        if (booking.Version != version) return new Outcome.Stale();
        if (!StatusFlow.CanMove(booking.Status, to))
            return Outcome.Because("A booking cannot go from {0} to {1}.", new Text(booking.Status.ToString()), new Text(to.ToString()));
        if (to == BookingStatus.Cancelled && !staff.Manages) return NoPermission;
        reason = reason?.Trim() ?? "";
        if (StatusFlow.Ends(to) && reason.Length == 0) return Outcome.Because("Please give a reason.");

        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(async w =>
        {
            w.Expect(booking, version);
            var from = booking.Status;
            booking.History.Add(new BookingStatusChange { From = from, To = to, By = staff.UserId, At = now, Reason = reason });
            booking.Status = to;
            booking.UpdatedAt = now;
            if (to == BookingStatus.Cancelled) booking.Revision++; // the calendar event is cancelled: a newer version of it
            w.Announce(booking, "moved", now);
            await TellClientAsync(booking, from, to, ct);
            return Outcome.Ok;
        }, ct);
    }

    private static Outcome NoPermission => Outcome.Forbid("You are not allowed to do that.");

    /// <summary>The moves a client hears of: confirmed, cancelled by the studio, and the thank-you once delivered.</summary>
    private async Task TellClientAsync(Data.Booking booking, BookingStatus from, BookingStatus to, CancellationToken ct)
    {
        if (StatusFlow.Ends(to)) await outbox.WithdrawRemindersAsync(booking.Id, ct);
        var kind = (from, to) switch
        {
            (BookingStatus.Pending, BookingStatus.Confirmed) => NotificationKind.Confirmed,
            (_, BookingStatus.Cancelled) => NotificationKind.Cancelled,
            (BookingStatus.Editing, BookingStatus.Delivered) => NotificationKind.ThankYou,
            _ => null,
        };
        if (kind is not null) await outbox.ToClientAsync(booking, kind, ct);
    }

    public async Task<Outcome> AddNoteAsync(int id, string? text, Staff staff, CancellationToken ct)
    {
        var booking = await db.Bookings.Include(b => b.Photographer).FirstOrDefaultAsync(b => b.Id == id, ct);
        if (booking is null || !(staff.SeesAll || booking.Photographer?.UserId == staff.UserId)) return Outcome.Missing;
        text = text?.Trim() ?? "";
        if (text.Length == 0) return Outcome.Because(EmptyNote);
        var author = await db.Users.Where(u => u.Id == staff.UserId)
            .Select(u => u.Employee != null ? u.Employee.FullName : u.Email ?? "").FirstOrDefaultAsync(ct) ?? "";
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(w =>
        {
            db.BookingNotes.Add(new BookingNote { BookingId = id, AuthorId = staff.UserId, AuthorName = author, At = now, Text = text[..Math.Min(text.Length, 2000)] });
            w.Announce(id, "note", now);
            return Outcome.Ok;
        }, ct);
    }

    /// <summary>
    /// Gives a booking another room, photographer or time. The new time must be one the engine would offer for
    /// that room and photographer (staff may book inside the minimum notice and beyond the horizon); the same
    /// locks and exclusion constraints as the public wizard settle a race.
    /// </summary>
    public async Task<Outcome> ReassignAsync(int id, uint version, int roomId, int? photographerId, DateOnly day, TimeOnly time,
        Staff staff, CancellationToken ct)
    {
        var booking = await db.Bookings.FirstOrDefaultAsync(b => b.Id == id, ct);
        if (booking is null) return Outcome.Missing;
        if (!staff.Manages || !staff.SeesAll) return NoPermission;
        if (booking.Version != version) return new Outcome.Stale();
        if (!Data.Booking.IsLive(booking.Status)) return Outcome.Because("A cancelled or no-show booking cannot be changed.");

        var zone = (await studioDay.ClockAsync(ct)).Zone;
        var local = day.ToDateTime(time);
        if (zone.IsInvalidTime(local)) return Outcome.Because(NoSuchTime);
        var startUtc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
        var inputs = await bookings.InputsAsync(booking.ServiceId, day, day, ct, excludeBookingId: booking.Id);
        if (inputs is null) return NotFree;
        var slot = inputs.ForStaff().SlotAt(startUtc, clock.GetUtcNow(), roomId, inputs.Requirements.NeedsPhotographer ? photographerId : null);
        if (slot is null) return NotFree;

        var room = await db.Rooms.SingleAsync(r => r.Id == slot.RoomId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(async w =>
        {
            w.Expect(booking, version);
            var (startedAt, photographer) = (booking.StartsAt, booking.PhotographerId);
            booking.RoomId = slot.RoomId;
            booking.PhotographerId = slot.PhotographerId;
            booking.Block(slot.StartUtc, slot.EndUtc, room);
            booking.UpdatedAt = now;
            await bookings.LockAsync(booking.RoomId, booking.PhotographerId, booking.Blocked, ct);
            w.Announce(booking, "reassigned", now);
            if (booking.StartsAt != startedAt)
            {
                // A new time is a new version of the event; reminders are owed again for it.
                booking.Revision++;
                booking.ScheduledAt = now;
                await outbox.WithdrawRemindersAsync(booking.Id, ct);
                await outbox.ToClientAsync(booking, NotificationKind.Rescheduled, ct);
            }
            if (booking.PhotographerId != photographer) await outbox.ToPhotographerAsync(booking, ct);
            return Outcome.Ok;
        }, ct);
    }

    private static Outcome NotFree =>
        Outcome.Because("That time is not free for this room and photographer, or outside opening or working hours.");
}
