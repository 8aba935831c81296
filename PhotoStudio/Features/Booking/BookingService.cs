using NpgsqlTypes;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Events;
using PhotoStudio.Infrastructure.Metrics;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Features.Booking;

public record ServiceOption(int Id, string Name, string Description, int DurationMinutes, decimal Price, bool NeedsPhotographer);
public record NamedOption(int Id, string Name);

/// <summary>Everything the engine needs for one service and a range of days, loaded in a handful of queries.</summary>
/// <param name="Capacities">How many people each of <paramref name="Rooms"/> holds.</param>
public record SlotInputs(StudioSettings Studio, StudioRules Rules, ServiceOption Service, ServiceRequirements Requirements,
    IReadOnlyList<RoomAvailability> Rooms, IReadOnlyList<PhotographerAvailability> Photographers, IReadOnlyList<BusyRange> Busy,
    IReadOnlyDictionary<int, int> Capacities)
{
    /// <summary>The same inputs with only the rooms that hold this many people, so "any room" never picks a smaller one.</summary>
    public SlotInputs ForGuests(int guests)
    {
        var rooms = Rooms.Where(r => Capacities[r.Id] >= guests).ToList();
        return this with { Rooms = rooms, Requirements = Requirements with { RoomIds = [.. rooms.Select(r => r.Id)] } };
    }

    /// <summary>How many people the chosen room holds, or for "any room" the largest; null when there is no such room.</summary>
    public int? Capacity(int? roomId) =>
        roomId is { } id ? (Capacities.TryGetValue(id, out var c) ? c : null) : Capacities.Count > 0 ? Capacities.Values.Max() : null;

    /// <summary>How far ahead staff may book: the engine's horizon for them (dates are bounded by the forms anyway).</summary>
    public const int StaffHorizonDays = 3660;

    /// <summary>
    /// The same rules as staff apply them: no minimum notice, no horizon. With <paramref name="outsideHours"/> (an explicit
    /// override), business and working hours cover the whole day and any minute is a start; closures, time off and
    /// other bookings still count, and the past is still refused.
    /// </summary>
    public SlotInputs ForStaff(bool outsideHours = false)
    {
        var rules = Rules with { MinimumNotice = TimeSpan.Zero, HorizonDays = StaffHorizonDays };
        if (!outsideHours) return this with { Rules = rules };
        IReadOnlyList<WeeklyInterval> allDay = [.. Enum.GetValues<DayOfWeek>().Select(d => new WeeklyInterval(d, TimeOnly.MinValue, TimeOnly.MinValue))];
        return this with
        {
            Rules = rules with { BusinessHours = allDay, SlotStepMinutes = 1 },
            Photographers = [.. Photographers.Select(p => p with { WorkingHours = allDay })],
        };
    }

    public SlotCalendar Slots(DateOnly firstDay, DateOnly lastDay, DateTimeOffset now, int? roomId, int? photographerId) =>
        Availability.FindSlots(Rules, Requirements, Rooms, Photographers, Busy, firstDay, lastDay, now, roomId, photographerId);

    /// <summary>The slot at exactly this start (with the room and photographer "any" resolves to), or null when not offered.</summary>
    public FreeSlot? SlotAt(DateTime startUtc, DateTimeOffset now, int? roomId, int? photographerId) =>
        Availability.SlotAt(Rules, Requirements, Rooms, Photographers, Busy, startUtc, now, roomId, photographerId);
}

public record BookingSummary(string Code, string StudioName, string Service, string Room, string? Photographer,
    DateTimeOffset LocalStart, DateTimeOffset LocalEnd, decimal Price, string Currency, Data.BookingStatus Status, string TimeZone,
    string? ManageUrl = null, int Revision = 0);

/// <summary>What a confirmation made: the booking's code, and its manage link's token when it is new.</summary>
/// <param name="ManageToken">Null when this draft was confirmed before (a replay, a double click, a race with itself):
/// the answer is that booking, and nothing new was made.</param>
public record Booked(string Code, string? ManageToken)
{
    public bool Replayed => ManageToken is null;
}

/// <summary>The public booking: the catalogue, free slots from the engine, and the one-transaction confirmation.</summary>
public class BookingService(StudioDb db, StudioDay studioDay, StudioWrites writes, Outbox outbox, ManageLinks links, TimeProvider clock,
    StudioMetrics metrics, ILogger<BookingService> log)
{
    public const string Incomplete = "Your booking is incomplete. Please start again.";
    public const string NotOffered = "This session is no longer offered. Please choose again.";
    public const string NoRoomForGuests = "Sorry, no room for {0} people is free at this time any more. Please choose another one; your details are kept.";
    public const string RoomShrank = "The number of people no longer fits the room. Please check your details.";
    public const string TooLateToCancel = "This booking can no longer be cancelled online. Please call or email the studio.";
    public const string TooLateToMove = "This booking can no longer be moved online. Please call or email the studio.";

    /// <summary>The studio's settings, read once per request (<see cref="StudioDay"/>).</summary>
    public async Task<StudioSettings?> StudioAsync(CancellationToken ct) => (await studioDay.ClockAsync(ct)).Settings;

    public async Task<IReadOnlyList<ServiceOption>> ServicesAsync(CancellationToken ct) =>
        await db.Services.AsNoTracking().Where(s => s.IsActive).OrderBy(s => s.Price)
            .Select(s => new ServiceOption(s.Id, s.Name, s.Description, s.DurationMinutes, s.Price, s.NeedsPhotographer))
            .ToListAsync(ct);

    public async Task<ServiceOption?> ServiceAsync(int? id, CancellationToken ct) =>
        id is null ? null : await db.Services.AsNoTracking().Where(s => s.Id == id && s.IsActive)
            .Select(s => new ServiceOption(s.Id, s.Name, s.Description, s.DurationMinutes, s.Price, s.NeedsPhotographer))
            .FirstOrDefaultAsync(ct);

    /// <summary>The active rooms and photographers a service may use.</summary>
    public async Task<(IReadOnlyList<NamedOption> Rooms, IReadOnlyList<NamedOption> Photographers)> ChoicesAsync(int serviceId, CancellationToken ct)
    {
        var rooms = await db.ServiceRooms.AsNoTracking().Where(x => x.ServiceId == serviceId && x.Room!.IsActive)
            .OrderBy(x => x.Room!.Name).Select(x => new NamedOption(x.RoomId, x.Room!.Name)).ToListAsync(ct);
        var photographers = await db.ServiceEmployees.AsNoTracking()
            .Where(x => x.ServiceId == serviceId && x.Employee!.IsActive && db.Services.Any(s => s.Id == serviceId && s.NeedsPhotographer))
            .OrderBy(x => x.Employee!.FullName).Select(x => new NamedOption(x.EmployeeId, x.Employee!.FullName)).ToListAsync(ct);
        return (rooms, photographers);
    }

    /// <summary>How many people the chosen room holds (for "any room", the largest active room the service may use); null when none.</summary>
    public async Task<int?> CapacityAsync(int serviceId, int? roomId, CancellationToken ct) =>
        await db.ServiceRooms.AsNoTracking().Where(x => x.ServiceId == serviceId && x.Room!.IsActive && (roomId == null || x.RoomId == roomId))
            .MaxAsync(x => (int?)x.Room!.Capacity, ct);

    /// <param name="excludeBookingId">A booking being rescheduled: its own time does not count as busy.</param>
    /// <remarks>
    /// One round trip: the service, opening hours, closures, the service's active rooms and photographers, their
    /// working hours and time off, and every live booking that holds one of those rooms or photographers in the
    /// period (the period widened by the largest buffers, as <see cref="Availability.BusyWindow"/> does), as one JSON
    /// document. Both the wizard's month and the confirmation's re-check read fresh data this way.
    /// </remarks>
    public async Task<SlotInputs?> InputsAsync(int serviceId, DateOnly firstDay, DateOnly lastDay, CancellationToken ct, int? excludeBookingId = null)
    {
        var studioClock = await studioDay.ClockAsync(ct);
        var (studio, zone) = (studioClock.Settings, studioClock.Zone);
        var days = studioClock.Days(firstDay, lastDay);
        var json = (await db.Database.SqlQuery<string>($"""
            WITH service AS (
                SELECT id, name, description, duration_minutes, price, needs_photographer FROM services WHERE id = {serviceId} AND is_active
            ), room AS (
                SELECT r.id, r.buffer_before_minutes, r.buffer_after_minutes, r.capacity
                FROM service_rooms sr JOIN rooms r ON r.id = sr.room_id
                WHERE sr.service_id = {serviceId} AND r.is_active
            ), staff AS (
                SELECT e.id FROM service_employees se JOIN employees e ON e.id = se.employee_id JOIN service s ON s.needs_photographer
                WHERE se.service_id = {serviceId} AND e.is_active
            ), busy_window AS (
                SELECT tstzrange({days.Start} - coalesce(max(buffer_before_minutes), 0) * interval '1 minute',
                                 {days.End} + coalesce(max(buffer_after_minutes), 0) * interval '1 minute') AS period
                FROM room
            )
            SELECT json_build_object(
                'Service', (SELECT json_build_object('Id', id, 'Name', name, 'Description', description, 'DurationMinutes', duration_minutes,
                                                     'Price', price, 'NeedsPhotographer', needs_photographer) FROM service),
                'Hours', (SELECT json_agg(json_build_object('Day', weekday, 'Starts', opens, 'Ends', closes)) FROM business_hours),
                'Closures', (SELECT json_agg(json_build_object('FirstDay', first_day, 'LastDay', last_day)) FROM closures),
                'Rooms', (SELECT json_agg(json_build_object('Id', id, 'Before', buffer_before_minutes, 'After', buffer_after_minutes,
                                                            'Capacity', capacity)) FROM room),
                'Staff', (SELECT json_agg(id) FROM staff),
                'Working', (SELECT json_agg(json_build_object('EmployeeId', employee_id, 'Day', weekday, 'Starts', starts, 'Ends', ends))
                            FROM working_hours WHERE employee_id IN (SELECT id FROM staff)),
                'TimeOff', (SELECT json_agg(json_build_object('EmployeeId', employee_id, 'Start', starts_at, 'End', ends_at))
                            FROM time_off, busy_window
                            WHERE employee_id IN (SELECT id FROM staff) AND tstzrange(starts_at, ends_at) && busy_window.period),
                'Busy', (SELECT json_agg(json_build_object('RoomId', room_id, 'PhotographerId', photographer_id,
                                                           'Start', lower(blocked), 'End', upper(blocked)))
                         FROM bookings, busy_window
                         WHERE status = ANY ({LiveStatusNames}) AND id <> {excludeBookingId ?? 0}
                           AND (room_id IN (SELECT id FROM room) OR photographer_id IN (SELECT id FROM staff))
                           AND blocked && busy_window.period)
            ) AS "Value"
            """).ToListAsync(ct)).Single();
        var found = System.Text.Json.JsonSerializer.Deserialize<InputRows>(json)!;
        if (found.Service is not { } service) return null;

        var rules = new StudioRules(zone, studio.SlotStepMinutes, TimeSpan.FromMinutes(studio.MinimumNoticeMinutes), studio.HorizonDays,
            [.. (found.Hours ?? []).Select(h => new WeeklyInterval(h.Day, h.Starts, h.Ends))],
            [.. (found.Closures ?? []).Select(c => new ClosedDays(c.FirstDay, c.LastDay))]);
        var roomRows = found.Rooms ?? [];
        var rooms = roomRows.Select(r => new RoomAvailability(r.Id, r.Before, r.After)).ToList();
        var staffIds = found.Staff ?? [];
        var working = found.Working ?? [];
        var timeOff = found.TimeOff ?? [];
        var photographers = staffIds.Select(id => new PhotographerAvailability(id,
            working.Where(w => w.EmployeeId == id).Select(w => new WeeklyInterval(w.Day, w.Starts, w.Ends)).ToList(),
            timeOff.Where(t => t.EmployeeId == id).Select(t => new UtcRange(t.Start.UtcDateTime, t.End.UtcDateTime)).ToList())).ToList();
        var busy = (found.Busy ?? []).Select(b => new BusyRange(b.RoomId, b.PhotographerId, b.Start.UtcDateTime, b.End.UtcDateTime)).ToList();

        var roomIds = rooms.Select(r => r.Id).ToList();
        var requirements = new ServiceRequirements(service.DurationMinutes, service.NeedsPhotographer, roomIds, staffIds);
        return new SlotInputs(studio, rules, service, requirements, rooms, photographers, busy, roomRows.ToDictionary(r => r.Id, r => r.Capacity));
    }

    private static readonly string[] LiveStatusNames = [.. Data.Booking.LiveStatuses.Select(s => s.ToString())];

    // The shape of InputsAsync's JSON document; json_agg over no rows is null, hence the nullable lists.
    private sealed record InputRows(ServiceOption? Service, List<HoursRow>? Hours, List<ClosureRow>? Closures, List<RoomRow>? Rooms,
        List<int>? Staff, List<WorkingRow>? Working, List<RangeRow>? TimeOff, List<BusyRow>? Busy);
    private sealed record HoursRow(DayOfWeek Day, TimeOnly Starts, TimeOnly Ends);
    private sealed record ClosureRow(DateOnly FirstDay, DateOnly LastDay);
    private sealed record RoomRow(int Id, int Before, int After, int Capacity);
    private sealed record WorkingRow(int EmployeeId, DayOfWeek Day, TimeOnly Starts, TimeOnly Ends);
    private sealed record RangeRow(int EmployeeId, DateTimeOffset Start, DateTimeOffset End);
    private sealed record BusyRow(int RoomId, int? PhotographerId, DateTimeOffset Start, DateTimeOffset End);

    public SlotCalendar Slots(SlotInputs inputs, DateOnly firstDay, DateOnly lastDay, int? roomId, int? photographerId) =>
        inputs.Slots(firstDay, lastDay, clock.GetUtcNow(), roomId, photographerId);

    public async Task<BookingSummary?> SummaryAsync(string code, CancellationToken ct)
    {
        var studio = await studioDay.ClockAsync(ct);
        var row = await db.Bookings.AsNoTracking().Where(b => b.Code == code)
            .Select(b => new { b.Code, Service = b.Service!.Name, Room = b.Room!.Name, Photographer = b.Photographer!.FullName,
                b.StartsAt, b.EndsAt, b.Price, b.Currency, b.Status, b.Revision })
            .FirstOrDefaultAsync(ct);
        if (row is null) return null;
        return new BookingSummary(row.Code, studio.Settings.Name, row.Service, row.Room, row.Photographer,
            studio.ToLocalOffset(row.StartsAt), studio.ToLocalOffset(row.EndsAt), row.Price, row.Currency, row.Status, studio.Zone.Id,
            Revision: row.Revision);
    }

    /// <summary>Step 3's model: the month grid marking days with free times, and the chosen day's times.</summary>
    /// <param name="guests">Only rooms that hold this many people count (the wizard knows it once step 4 was filled in).</param>
    public async Task<WhenStep?> WhenAsync(int serviceId, int? roomId, int? photographerId, string? month, string? day,
        int? excludeBookingId, CancellationToken ct, int? guests = null)
    {
        var studio = await studioDay.ClockAsync(ct);
        var today = studio.Today;
        var last = today.AddDays(studio.Settings.HorizonDays);
        var firstMonth = new DateOnly(today.Year, today.Month, 1);
        var lastMonth = new DateOnly(last.Year, last.Month, 1);

        DateOnly? selectedDay = DateOnly.TryParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var d) && d >= today && d <= last ? d : null;
        var shown = DateOnly.TryParseExact(month, "yyyy-MM", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var m) ? m
            : selectedDay is { } sd ? new DateOnly(sd.Year, sd.Month, 1) : firstMonth;
        shown = shown < firstMonth ? firstMonth : shown > lastMonth ? lastMonth : shown;

        var monthEnd = shown.AddMonths(1).AddDays(-1);
        var inputs = await InputsAsync(serviceId, shown, monthEnd, ct, excludeBookingId);
        if (guests is { } people) inputs = inputs?.ForGuests(people);
        if (inputs is null) return null;
        var calendar = Slots(inputs, shown, monthEnd, roomId, photographerId);

        // Weeks start on Monday; the grid shows whole weeks around the month.
        var gridStart = shown.AddDays(-(((int)shown.DayOfWeek + 6) % 7));
        var days = Enumerable.Range(0, 42).Select(gridStart.AddDays)
            .TakeWhile((date, i) => i < 35 || date.Month == shown.Month)
            .Select(date => new CalendarDay(date, date.Month == shown.Month, calendar.HasSlots(date), date == selectedDay))
            .ToList();
        var slots = selectedDay is { } chosen
            ? (chosen.Month == shown.Month ? calendar : Slots(inputs, chosen, chosen, roomId, photographerId)).SlotsOn(chosen)
            : [];
        return new WhenStep(new WizardStep(3), inputs.Service, shown, days, selectedDay, slots, today, last, studio.Zone.Id);
    }

    /// <summary>What a client may still do online: change a live booking only before the studio's cut-offs.</summary>
    public (bool Cancel, bool Reschedule) ClientMay(Data.Booking booking, StudioSettings studio)
    {
        var live = booking.Status is BookingStatus.Pending or BookingStatus.Confirmed;
        var now = clock.GetUtcNow().UtcDateTime;
        return (live && now < booking.StartsAt.AddHours(-studio.CancelCutoffHours),
            live && now < booking.StartsAt.AddHours(-studio.RescheduleCutoffHours));
    }

    /// <summary>The client cancels on their own page. A change the studio made meanwhile wins: the client gets it, stale.</summary>
    public async Task<Outcome> CancelByClientAsync(Data.Booking booking, string? reason, CancellationToken ct)
    {
        if (!ClientMay(booking, (await StudioAsync(ct))!).Cancel) return Outcome.Because(TooLateToCancel);
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(async w =>
        {
            booking.History.Add(new BookingStatusChange { From = booking.Status, To = BookingStatus.Cancelled, By = "client", At = now, Reason = reason?.Trim() ?? "" });
            booking.Status = BookingStatus.Cancelled;
            booking.Revision++;
            booking.UpdatedAt = now;
            w.Announce(booking, "cancelled", now);
            await outbox.WithdrawRemindersAsync(booking.Id, ct);
            await outbox.ToClientAsync(booking, NotificationKind.Cancelled, ct);
            return Outcome.Ok;
        }, ct);
    }

    /// <summary>
    /// Moves a client's booking to another offered time, atomically: the same checks as a new booking, the same
    /// exclusion constraints, the same "just taken" answer when someone was quicker. A change the studio made
    /// meanwhile is never overwritten (stale).
    /// </summary>
    public async Task<Outcome> RescheduleAsync(Data.Booking booking, DateTime startUtc, CancellationToken ct)
    {
        startUtc = DateTime.SpecifyKind(startUtc, DateTimeKind.Utc);
        var studio = (await StudioAsync(ct))!;
        if (!ClientMay(booking, studio).Reschedule) return Outcome.Because(TooLateToMove);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(studio.TimeZone);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(startUtc, zone));
        var inputs = await InputsAsync(booking.ServiceId, day, day, ct, booking.Id);
        if (inputs is null) return Outcome.Because(NotOffered);
        var slot = inputs.SlotAt(startUtc, clock.GetUtcNow(), booking.RoomId, booking.PhotographerId);
        if (slot is null) return new Outcome.SlotTaken();

        var room = await db.Rooms.SingleAsync(r => r.Id == booking.RoomId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        return await writes.RunAsync(async w =>
        {
            booking.Block(slot.StartUtc, slot.EndUtc, room);
            await LockAsync(booking.RoomId, booking.PhotographerId, booking.Blocked, ct);
            booking.Revision++;
            booking.ScheduledAt = now;
            booking.UpdatedAt = now;
            w.Announce(booking, "rescheduled", now);
            await outbox.WithdrawRemindersAsync(booking.Id, ct);
            await outbox.ToClientAsync(booking, NotificationKind.Rescheduled, ct);
            return Outcome.Ok;
        }, ct);
    }

    /// <summary>
    /// Takes transaction-scoped locks on the hours the booking blocks, in its room and for its photographer. Two inserts
    /// that clash on the exclusion constraints would otherwise wait on each other's tuples and one would die as a
    /// deadlock (40P01) instead of a clean 23P01; two bookings that overlap share an hour of the room or of the
    /// photographer, so the later one waits here, then gets 23P01. Bookings at other hours of the same room go on side
    /// by side. A confirmation locks its draft too. Every writer takes its locks in one statement, in one global order
    /// (draft, then rooms, then photographers, each by hour), so these locks never deadlock among themselves.
    /// </summary>
    public async Task LockAsync(int roomId, int? photographerId, NpgsqlRange<DateTime> blocked, CancellationToken ct, Guid? draftId = null)
    {
        var keys = new List<(int Kind, int Hour)>();
        if (draftId is { } draft) keys.Add((DraftLock, BitConverter.ToInt32(draft.ToByteArray())));
        var first = (int)(blocked.LowerBound.Ticks / TimeSpan.TicksPerHour - EpochHours);
        var last = (int)((blocked.UpperBound.Ticks - 1) / TimeSpan.TicksPerHour - EpochHours);
        for (var hour = first; hour <= last; hour++) keys.Add((roomId * 4 + RoomLock, hour));
        if (photographerId is { } photographer)
            for (var hour = first; hour <= last; hour++) keys.Add((photographer * 4 + PhotographerLock, hour));
        keys.Sort();
        int[] kinds = [.. keys.Select(k => k.Kind)], hours = [.. keys.Select(k => k.Hour)];
        // unnest hands the pairs out in array order, and each is locked as its row is read.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(k.kind, k.hour) FROM unnest({kinds}, {hours}) AS k(kind, hour)", ct);
    }

    // The first key of an advisory lock: 3 for a draft (the second key is from its id); a room's or photographer's id
    // times 4 plus 1 or 2 (the second key is the hour). Ids are positive, so a draft's key sorts first.
    private const int DraftLock = 3, RoomLock = 1, PhotographerLock = 2;

    /// <summary>Hours are counted from 2000-01-01 UTC, so they fit an int for centuries.</summary>
    private static readonly long EpochHours = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks / TimeSpan.TicksPerHour;

    /// <summary>
    /// The .ics of a booking, for the confirmation page and the client's own page alike: the same event (UID and
    /// SEQUENCE) as the one the studio's emails carry.
    /// </summary>
    public async Task<byte[]?> CalendarFileAsync(string code, CancellationToken ct) =>
        await SummaryAsync(code, ct) is { } summary && await StudioAsync(ct) is { } studio
            ? System.Text.Encoding.UTF8.GetBytes(BookingIcs.Write(summary, studio.Address, links.Host, clock.GetUtcNow()))
            : null;

    /// <summary>
    /// Creates the booking in one transaction: the client found or created by email, the booking with its price
    /// snapshot, code and hashed manage token, its first status, the audit entry and a board event. The time is
    /// checked again against fresh data; the exclusion constraints settle any race that is left. A draft becomes at
    /// most one booking: confirmed again, it answers with the booking it already is (<see cref="Booked.Replayed"/>).
    /// </summary>
    /// <returns>Done with <see cref="Booked"/>; slot taken; stale when the room no longer holds the draft's people
    /// (the error is on Guests); refused when the draft is incomplete or its session no longer offered.</returns>
    public async Task<Outcome> ConfirmAsync(BookingDraft draft, CancellationToken ct)
    {
        if (draft is not { ServiceId: { } serviceId, StartUtc: { } start, Details: { } details } || draft.Id == Guid.Empty)
            return Outcome.Because(Incomplete);
        if (await ConfirmedBeforeAsync(draft.Id, ct) is { } before) return before;
        start = DateTime.SpecifyKind(start, DateTimeKind.Utc);

        var studio = await StudioAsync(ct);
        if (studio is null) return Outcome.Because(NotOffered);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(studio.TimeZone);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(start, zone));
        var inputs = await InputsAsync(serviceId, day, day, ct);
        if (inputs is null) return Outcome.Because(NotOffered);
        // Step 4 checked the guests against the room, but a room may have shrunk since, or the draft be forged.
        if (inputs.Capacity(draft.RoomId) is { } capacity && details.Guests > capacity)
            return new Outcome.Stale(new Text(RoomShrank), [GuestsError(draft.RoomId, capacity)]);

        var slot = inputs.ForGuests(details.Guests).SlotAt(start, clock.GetUtcNow(), draft.RoomId, draft.PhotographerId);
        if (slot is null)
            return await ConfirmedBeforeAsync(draft.Id, ct) // this draft itself took the time a moment ago
                ?? new Outcome.SlotTaken(inputs.SlotAt(start, clock.GetUtcNow(), draft.RoomId, draft.PhotographerId) is null
                    ? null : new Text(NoRoomForGuests, details.Guests));

        var room = inputs.Rooms.Single(r => r.Id == slot.RoomId);
        var now = clock.GetUtcNow().UtcDateTime;
        var email = details.Email.Trim().ToLowerInvariant();
        var token = ManageToken.New();

        return await writes.RunAsync(async w =>
        {
            // The draft, then the hours of room and photographer (LockAsync). Two confirmations of one draft queue
            // here, and the later one sees the booking the first committed.
            var blocked = Data.Booking.BlockedRange(slot.StartUtc, slot.EndUtc, room.BufferBeforeMinutes, room.BufferAfterMinutes);
            await LockAsync(slot.RoomId, slot.PhotographerId, blocked, ct, draft.Id);
            if (await ConfirmedBeforeAsync(draft.Id, ct) is { } meanwhile) return meanwhile;
            // A fresh code that is not taken yet (about 28.6 million exist; the unique key stays the last word).
            var code = BookingCode.New();
            var made = await NewClientAndBookingIdAsync(details, email, now, code, ct);
            while (made.CodeTaken && await db.Bookings.AnyAsync(b => b.Code == code, ct)) code = BookingCode.New();
            var clientId = made.ClientId;
            // The consent log: the terms are accepted with every web booking; the marketing opt-in is recorded when it
            // is set, which is only for a new client (a returning client's record is never changed by a public form).
            if (details.AcceptTerms)
                db.ClientConsents.Add(new ClientConsent { ClientId = clientId, Kind = ClientConsent.Terms, Granted = true, At = now, Source = "web", By = "client" });
            if (made.Created && details.MarketingOptIn)
                db.ClientConsents.Add(new ClientConsent { ClientId = clientId, Kind = ClientConsent.Marketing, Granted = true, At = now, Source = "web", By = "client" });
            if (made.Created) // written by SQL, so the interceptor did not see it
                db.AuditEntries.Add(new AuditEntry
                {
                    At = now, Actor = "client", Action = "created", EntityType = nameof(Client), EntityId = clientId.ToString(),
                    Changes = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?[]>
                    {
                        ["Name"] = [null, details.Name.Trim()], ["Email"] = [null, email], ["Phone"] = [null, details.Phone.Trim()],
                        ["MarketingOptIn"] = [null, details.MarketingOptIn], ["Source"] = [null, "web"],
                    }),
                });

            var status = studio.AutoConfirm ? BookingStatus.Confirmed : BookingStatus.Pending;
            var booking = new Data.Booking
            {
                // Its id taken from the sequence above, so the booking, its history, messages and board event are one batch.
                Id = made.BookingId,
                Code = code,
                ClientId = clientId,
                ServiceId = serviceId,
                RoomId = slot.RoomId,
                PhotographerId = slot.PhotographerId,
                Status = status,
                Price = inputs.Service.Price,
                Currency = studio.Currency,
                Guests = details.Guests,
                ClientNotes = details.Notes?.Trim() ?? "",
                Source = "web",
                ContactName = details.Name.Trim(),
                ContactPhone = details.Phone.Trim(),
                Language = BookingLanguage.Current,
                ScheduledAt = now,
                ManageTokenHash = ManageToken.Hash(token),
                ManageTokenSealed = links.Seal(token),
                DraftId = draft.Id,
                CreatedAt = now,
                UpdatedAt = now,
                History = [new BookingStatusChange { From = null, To = status, By = "client", At = now }],
            };
            // The room's buffers as the re-check has just read them with the rest.
            booking.Block(slot.StartUtc, slot.EndUtc, blocked);
            db.Bookings.Add(booking);
            w.Announce(booking, "created", now);
            await outbox.ToClientAsync(booking, status == BookingStatus.Confirmed ? NotificationKind.Confirmed : NotificationKind.Received,
                new ClientAddress(made.Email, made.ErasedAt), ct);
            await outbox.ToStudioAsync(booking, NotificationKind.NewBooking, ct);
            await outbox.ToPhotographerAsync(booking, ct);
            // The draft lock makes this unreachable between instances of this code; the unique key stays the last word.
            w.OnViolation(DraftIdIndex, async () => await ConfirmedBeforeAsync(draft.Id, ct) ?? new Outcome.SlotTaken());
            w.AfterCommit(() =>
            {
                metrics.BookingCreated("web");
                log.LogInformation("Booking {Code} created for {Start:u}", booking.Code, slot.StartUtc);
            });
            return Outcome.With(new Booked(booking.Code, token));
        }, ct);
    }

    /// <summary>The error next to the number of people when the room (for "any room", the largest) holds fewer.</summary>
    public static FieldError GuestsError(int? roomId, int capacity) => roomId is null
        ? new(nameof(ClientDetails.Guests), "Our largest room for this session holds {0} people.", capacity)
        : new(nameof(ClientDetails.Guests), "The room you chose holds {0} people. Choose fewer people, or go back and choose another room.", capacity);

    private sealed record MadeClient(int ClientId, bool Created, string Email, DateTime? ErasedAt, int BookingId, bool CodeTaken);

    /// <summary>
    /// In one statement: the client found or created by email without a race (the unique key on email decides, and
    /// an existing client's data is never shown to, nor overwritten by, a public visitor), the new booking's id from
    /// its sequence, and whether the code drawn is taken already.
    /// </summary>
    private async Task<MadeClient> NewClientAndBookingIdAsync(ClientDetails details, string email, DateTime now, string code, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<MadeClient>($"""
            WITH created AS (
                INSERT INTO clients (name, email, phone, notes, tags, terms_accepted_at, marketing_opt_in, source, created_at)
                VALUES ({details.Name.Trim()}, {email}, {details.Phone.Trim()}, '', ARRAY[]::text[], {now}, {details.MarketingOptIn}, 'web', {now})
                ON CONFLICT (email) DO NOTHING
                RETURNING id, email, erased_at
            ), client AS (
                SELECT id, true AS created, email, erased_at FROM created
                UNION ALL
                SELECT id, false, email, erased_at FROM clients WHERE email = {email} AND NOT EXISTS (SELECT 1 FROM created)
            )
            SELECT client.id AS "ClientId", client.created AS "Created", client.email AS "Email", client.erased_at AS "ErasedAt",
                   nextval(pg_get_serial_sequence('bookings', 'id'))::int AS "BookingId",
                   EXISTS (SELECT 1 FROM bookings WHERE code = {code}) AS "CodeTaken"
            FROM client
            """).ToListAsync(ct);
        if (rows.Count == 1) return rows[0];
        // The client was created by a transaction that committed after this statement began: ON CONFLICT saw it, this
        // statement's snapshot did not. A new statement does.
        var client = await db.Clients.Where(c => c.Email == email).Select(c => new { c.Id, c.Email, c.ErasedAt }).SingleAsync(ct);
        var next = await db.Database.SqlQuery<int>($"""SELECT nextval(pg_get_serial_sequence('bookings', 'id'))::int AS "Value" """).ToListAsync(ct);
        return new MadeClient(client.Id, false, client.Email, client.ErasedAt, next[0], true);
    }

    /// <summary>The unique index that lets a draft become one booking at most.</summary>
    public const string DraftIdIndex = "ix_bookings_draft_id";

    private async Task<Outcome?> ConfirmedBeforeAsync(Guid draftId, CancellationToken ct) =>
        await CodeOfDraft(db, draftId, ct) is { } code ? Outcome.With(new Booked(code, null)) : null;

    // Asked twice by every confirmation: compiled once.
    private static readonly Func<StudioDb, Guid, CancellationToken, Task<string?>> CodeOfDraft = EF.CompileAsyncQuery(
        (StudioDb db, Guid draftId, CancellationToken ct) => db.Bookings.AsNoTracking().Where(b => b.DraftId == draftId).Select(b => b.Code).FirstOrDefault());
}

/// <summary>The language a booking's messages are written in: the one the client used the site in, if we offer it.</summary>
public static class BookingLanguage
{
    public static readonly IReadOnlyList<string> Offered = ["en", "ru"];

    public static string Current =>
        System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is var language && Offered.Contains(language) ? language : "en";
}
