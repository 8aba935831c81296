using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Board;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Metrics;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Features.FrontDesk;

/// <summary>
/// Bookings staff take by phone or at the desk: the wizard's engine and confirmation, with the staff rules (no minimum
/// notice, no horizon, and outside business hours for those allowed to override them).
/// </summary>
public class FrontDeskService(StudioDb db, BookingService bookings, StudioDay studioDay, StudioWrites writes, Outbox outbox,
    ManageLinks links, TimeProvider clock, StudioMetrics metrics, ILogger<FrontDeskService> log)
{
    /// <summary>Suggestions shown for one search.</summary>
    public const int Suggestions = 8;

    public const string ChooseService = "Choose a session.";
    public const string ChooseTime = "Choose a time.";
    public const string NoSuchDate = "Enter a date between {0} and {1}.";
    public const string Past = "That time has already passed. Please choose a later one.";
    public const string OutsideHours = "That time is outside opening or working hours. Please choose one of the free times.";
    public const string NotFree = "That time is not free for this room and photographer (a closure or time off). Please choose another one.";
    public const string NoOverride = "Only staff who manage the studio's settings may book outside business hours.";
    public const string ChooseClient = "Choose a client, or enter a new client's name and email.";
    public const string EmailTaken = "A client with this email was added a moment ago. Search for them and book again.";
    public const string NotOffered = "That choice is not available for this session.";
    public const string RoomHolds = "The chosen room holds {0} people at most.";
    public const string LargestRoomHolds = "Our largest room for this session holds {0} people.";

    /// <summary>The clients whose name, email or phone contains the text (the trigram index serves the search).</summary>
    public async Task<IReadOnlyList<ClientChoice>> ClientsAsync(string? q, CancellationToken ct)
    {
        q = q?.Trim() ?? "";
        // One character would match most of the clients and cannot use the trigram index.
        if (q.Length < 2 || q.Length > 100) return [];
        var pattern = Like.Containing(q);
        return await db.Clients.AsNoTracking().Where(c => c.ErasedAt == null && EF.Functions.ILike(c.SearchText, pattern))
            .OrderBy(c => c.Name).ThenBy(c => c.Id).Take(Suggestions)
            .Select(c => new ClientChoice(c.Id, c.Name, c.Email, c.Phone)).ToListAsync(ct);
    }

    private async Task<ClientChoice?> ClientAsync(int? id, CancellationToken ct) => id is null ? null
        : await db.Clients.AsNoTracking().Where(c => c.Id == id && c.ErasedAt == null)
            .Select(c => new ClientChoice(c.Id, c.Name, c.Email, c.Phone)).FirstOrDefaultAsync(ct);

    /// <summary>
    /// The form as it stands, with what it offers. Choices that are not offered (a forged or stale id, a date out of
    /// bounds) are dropped, so a pre-filled link never shows anything the form would not accept.
    /// </summary>
    /// <param name="search">Look up the typed client text (the search without JavaScript).</param>
    public async Task<FrontDeskPage> PageAsync(FrontDeskForm form, bool mayOverride, bool search, CancellationToken ct, string? message = null)
    {
        var studio = await studioDay.ClockAsync(ct);
        var services = await bookings.ServicesAsync(ct);
        var service = services.FirstOrDefault(s => s.Id == form.ServiceId) ?? await FittingServiceAsync(services, form, ct);
        form.ServiceId = service?.Id;
        var day = SaneDates.TryParseDay(form.Date, out var d) && d >= studio.Today ? d : studio.Today;
        form.Date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (!mayOverride) form.OutsideHours = false;

        IReadOnlyList<NamedOption> rooms = [], photographers = [];
        IReadOnlyList<FreeSlot> times = [];
        int? capacity = null;
        if (service is not null)
        {
            (rooms, photographers) = await bookings.ChoicesAsync(service.Id, ct);
            if (rooms.All(r => r.Id != form.RoomId)) form.RoomId = null;
            if (photographers.All(p => p.Id != form.PhotographerId)) form.PhotographerId = null;
            if (await bookings.InputsAsync(service.Id, day, day, ct) is { } inputs)
            {
                capacity = inputs.Capacity(form.RoomId);
                times = inputs.ForGuests(Math.Max(form.Guests, 1)).ForStaff()
                    .Slots(day, day, clock.GetUtcNow(), form.RoomId, form.PhotographerId).SlotsOn(day);
            }
        }
        var client = await ClientAsync(form.ClientId, ct);
        form.ClientId = client?.Id;
        var matches = search && client is null && !string.IsNullOrWhiteSpace(form.ClientQuery) ? await ClientsAsync(form.ClientQuery, ct) : null;
        return new FrontDeskPage(form, services, service, rooms, photographers, capacity, day, times, client, matches,
            mayOverride, studio.Zone.Id, studio.Today, message);
    }

    /// <summary>The first session that may use the pre-filled room and photographer (a calendar cell's), else the first.</summary>
    private async Task<ServiceOption?> FittingServiceAsync(IReadOnlyList<ServiceOption> services, FrontDeskForm form, CancellationToken ct)
    {
        var fitting = services.AsEnumerable();
        if (form.RoomId is { } room)
        {
            var ids = await db.ServiceRooms.Where(x => x.RoomId == room).Select(x => x.ServiceId).ToListAsync(ct);
            fitting = fitting.Where(s => ids.Contains(s.Id));
        }
        if (form.PhotographerId is { } photographer)
        {
            var ids = await db.ServiceEmployees.Where(x => x.EmployeeId == photographer).Select(x => x.ServiceId).ToListAsync(ct);
            fitting = fitting.Where(s => s.NeedsPhotographer && ids.Contains(s.Id));
        }
        return fitting.FirstOrDefault() ?? services.FirstOrDefault();
    }

    /// <summary>
    /// Books it in one transaction, as the wizard's confirmation does: the client (chosen, or found or created by the
    /// inline email), the booking with its price snapshot, code and manage token, its first status by this user, the
    /// board event, and the messages when asked for. The exclusion constraints settle a race: the loser gets
    /// <see cref="Outcome.SlotTaken"/>.
    /// </summary>
    /// <returns>Done with the new <see cref="Data.Booking"/>; invalid with field errors; slot taken; forbidden for an
    /// override its user may not use.</returns>
    /// <param name="alongside">More to write in the booking's own transaction (the API's idempotency record).</param>
    public async Task<Outcome> CreateAsync(FrontDeskForm form, Staff staff, bool mayOverride, CancellationToken ct,
        Action<WriteScope, Data.Booking>? alongside = null)
    {
        if (form.OutsideHours && !mayOverride) return Outcome.Forbid(NoOverride);
        var studio = await studioDay.ClockAsync(ct);
        var errors = new List<FieldError>();
        void Error(string field, string key, params object[] args) => errors.Add(new FieldError(field, key, args));

        var service = await bookings.ServiceAsync(form.ServiceId, ct);
        if (service is null) Error(nameof(form.ServiceId), ChooseService);
        var (rooms, photographers) = service is null ? ([], []) : await bookings.ChoicesAsync(service.Id, ct);
        if (form.RoomId is { } roomId && rooms.All(r => r.Id != roomId)) Error(nameof(form.RoomId), NotOffered);
        if (service is { NeedsPhotographer: false }) form.PhotographerId = null;
        if (form.PhotographerId is { } pid && photographers.All(p => p.Id != pid)) Error(nameof(form.PhotographerId), NotOffered);
        // The API (the one caller that writes alongside) records its own source, which the form never offers.
        if (!FrontDeskForm.Sources.Contains(form.Source) && !(alongside is not null && form.Source == FrontDeskForm.ApiSource))
            Error(nameof(form.Source), NotOffered);
        if (!FrontDeskForm.Statuses.Contains(form.Status)) Error(nameof(form.Status), NotOffered);
        if (!BookingLanguage.Offered.Contains(form.Language)) Error(nameof(form.Language), NotOffered);

        var latest = studio.Today.AddDays(SlotInputs.StaffHorizonDays);
        if (!SaneDates.TryParseDay(form.Date, out var day) || day < studio.Today || day > latest)
            Error(nameof(form.Date), NoSuchDate, studio.Today.ToString("d", CultureInfo.CurrentCulture), latest.ToString("d", CultureInfo.CurrentCulture));
        var timeField = form.OutsideHours && !string.IsNullOrWhiteSpace(form.TypedTime) ? nameof(form.TypedTime) : nameof(form.Time);
        DateTime startUtc = default;
        if (!TimeOnly.TryParseExact(form.ChosenTime?.Trim(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            Error(timeField, ChooseTime);
        else if (errors.All(e => e.Field != nameof(form.Date)))
        {
            var local = day.ToDateTime(time);
            if (studio.Zone.IsInvalidTime(local)) Error(timeField, ChooseTime);
            else if ((startUtc = TimeZoneInfo.ConvertTimeToUtc(local, studio.Zone)) <= clock.GetUtcNow().UtcDateTime) Error(timeField, Past);
        }

        var client = await ClientAsync(form.ClientId, ct);
        var newName = form.NewName?.Trim() ?? "";
        var newEmail = form.NewEmail?.Trim().ToLowerInvariant() ?? "";
        if (client is null)
        {
            if (form.ClientId is not null || (newName.Length == 0 && newEmail.Length == 0)) Error(nameof(form.ClientId), ChooseClient);
            else
            {
                if (newName.Length == 0) Error(nameof(form.NewName), "Enter the client's name.");
                if (newEmail.Length == 0) Error(nameof(form.NewEmail), "Enter the client's email address.");
            }
        }
        if (errors.Count > 0 || service is null) return new Outcome.Invalid(errors);

        var inputs = await bookings.InputsAsync(service.Id, day, day, ct);
        if (inputs is null) return Outcome.Field(nameof(form.ServiceId), ChooseService);
        if (inputs.Capacity(form.RoomId) is not { } capacity || form.Guests > capacity)
            return Outcome.Field(nameof(form.Guests), form.RoomId is null ? LargestRoomHolds : RoomHolds, inputs.Capacity(form.RoomId) ?? 0);

        var now = clock.GetUtcNow();
        var staffInputs = inputs.ForGuests(form.Guests).ForStaff(form.OutsideHours);
        var slot = staffInputs.SlotAt(startUtc, now, form.RoomId, form.PhotographerId);
        if (slot is null)
        {
            // Free but for other bookings: someone took it since the form was shown. Else say which rule refuses it.
            if ((staffInputs with { Busy = [] }).SlotAt(startUtc, now, form.RoomId, form.PhotographerId) is not null) return new Outcome.SlotTaken();
            var outside = !form.OutsideHours
                && (inputs.ForGuests(form.Guests).ForStaff(outsideHours: true) with { Busy = [] }).SlotAt(startUtc, now, form.RoomId, form.PhotographerId) is not null;
            return Outcome.Field(timeField, outside ? OutsideHours : NotFree);
        }

        var room = await db.Rooms.SingleAsync(r => r.Id == slot.RoomId, ct);
        var at = now.UtcDateTime;
        var token = ManageToken.New();
        return await writes.RunAsync(async w =>
        {
            var booking = new Data.Booking
            {
                Code = await FreshCodeAsync(ct),
                ServiceId = service.Id,
                RoomId = slot.RoomId,
                PhotographerId = slot.PhotographerId,
                Status = Enum.Parse<BookingStatus>(form.Status),
                Price = service.Price,
                Currency = studio.Settings.Currency,
                Guests = form.Guests,
                ClientNotes = form.ClientNotes?.Trim() ?? "",
                InternalNotes = form.InternalNotes?.Trim() ?? "",
                Source = form.Source,
                Language = form.Language,
                ScheduledAt = at,
                ManageTokenHash = ManageToken.Hash(token),
                ManageTokenSealed = links.Seal(token),
                CreatedAt = at,
                UpdatedAt = at,
            };
            booking.History.Add(new BookingStatusChange { From = null, To = booking.Status, By = staff.UserId, At = at });
            booking.Block(slot.StartUtc, slot.EndUtc, room);
            // Before the insert, which is saved when this work returns, and before a new client is looked for: two desks
            // booking one slot for one new client queue here, and the second finds the first's client and then the slot
            // taken (not "email taken", which would send the receptionist to the wrong field).
            await bookings.LockAsync(booking.RoomId, booking.PhotographerId, booking.Blocked, ct);
            if (client is not null) booking.ClientId = client.Id;
            else await AttachInlineClientAsync(booking, newName, newEmail, form.NewPhone?.Trim() ?? "", at, ct);
            db.Bookings.Add(booking);
            w.Announce(booking, "created", at);
            if (form.SendConfirmation)
                await outbox.ToClientAsync(booking, booking.Status == BookingStatus.Confirmed ? NotificationKind.Confirmed : NotificationKind.Received, ct);
            await outbox.ToPhotographerAsync(booking, ct);
            w.OnViolation(ClientEmailIndex, Outcome.Field(nameof(form.NewEmail), EmailTaken));
            alongside?.Invoke(w, booking);
            w.AfterCommit(() =>
            {
                metrics.BookingCreated(booking.Source);
                log.LogInformation("Booking {Code} created by staff for {Start:u}", booking.Code, slot.StartUtc);
            });
            return Outcome.With(booking);
        }, ct);
    }

    /// <summary>The unique index on clients' email: two desks adding the same new client at once.</summary>
    public const string ClientEmailIndex = "ix_clients_email";

    /// <summary>
    /// An email that already belongs to a client means that client: no second record. What was typed is kept on the
    /// booking, as the wizard keeps it, so the panel shows it beside the record when it differs.
    /// </summary>
    private async Task AttachInlineClientAsync(Data.Booking booking, string name, string email, string phone, DateTime at, CancellationToken ct)
    {
        if (await db.Clients.Where(c => c.Email == email).Select(c => (int?)c.Id).FirstOrDefaultAsync(ct) is { } existing)
        {
            booking.ClientId = existing;
            booking.ContactName = name;
            booking.ContactPhone = phone;
            return;
        }
        booking.Client = new Client { Name = name, Email = email, Phone = phone, Source = booking.Source, CreatedAt = at };
    }

    /// <summary>A code not taken yet (the unique key stays the last word).</summary>
    private async Task<string> FreshCodeAsync(CancellationToken ct)
    {
        var code = BookingCode.New();
        while (await db.Bookings.AnyAsync(b => b.Code == code, ct)) code = BookingCode.New();
        return code;
    }
}
