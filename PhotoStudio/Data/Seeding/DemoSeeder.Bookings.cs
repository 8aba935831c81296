using PhotoStudio.Features.Booking;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Data.Seeding;

/// <summary>
/// Two hundred bookings, each in a slot the availability engine offers for its service, room and photographer
/// (opening hours, closures, the slot grid, working hours, time off and the bookings already placed), so the
/// seed never restates those rules.
/// </summary>
public partial class DemoSeeder
{
    private const int BookingTarget = 200;
    private const int DaysAround = 21;

    private static readonly string[] BookingClientNotes =
    [
        "We would love some black-and-white shots.", "Our baby is 10 days old.", "Can we bring our dog?",
        "It's a birthday present for my mother.", "I need a LinkedIn headshot and one full-length picture.",
        "Products arrive by courier the day before.", "Twins - we may need a little extra time.",
        "Please no heavy retouching.", "We'll be a few minutes late, parking is hard.", "Bringing two outfit changes.",
    ];
    private static readonly string[] BookingInternalNotes =
    [
        "Deposit paid by bank transfer.", "Repeat client - offer the loyalty discount.", "Prepare the white backdrop.",
        "Invoice to the company, VAT ID on file.", "Client asked for Anna if possible.", "Heaters on 30 min before.",
        "Deposit paid on site (card).", "Send the gallery link by email, not WhatsApp.",
    ];
    private static readonly string[] BookingSources = ["web", "web", "web", "web", "web", "phone", "phone", "phone", "instagram", "walk-in"];

    /// <summary>A booking being planned: the entity plus the moments its history is built from.</summary>
    private sealed class Draft
    {
        public required Booking Booking { get; init; }
        public required Service Service { get; init; }
        public required Room Room { get; init; }
        public required Employee? Photographer { get; init; }
        public DateTime CreatedAt { get; set; }
        public DateTime? DeliverAt { get; set; }
    }

    private List<Booking> CreateBookings(Studio studio, List<Service> services, List<Client> clients)
    {
        var drafts = PlaceBookings(studio, services);
        EnsureEveryStatus(drafts);

        // Repeat clients: some book often, most once or twice.
        var clientWeights = clients.Select(_ => rng.NextDouble() < 0.25 ? 4.0 : 1.0).ToArray();
        var codes = new HashSet<string>();
        foreach (var draft in drafts.OrderBy(d => d.Booking.StartsAt))
        {
            var b = draft.Booking;
            string code;
            do code = BookingCode.New(); while (!codes.Add(code));
            b.Code = code;
            b.Client = clients[PickIndex(clientWeights)];
            b.Price = draft.Service.Price;
            b.Guests = Math.Min(draft.Room.Capacity, draft.Service.Name switch
            {
                "Family session" => rng.Next(3, 7),
                "Newborn session" => rng.Next(2, 5),
                "Product photography" => rng.Next(1, 3),
                _ => rng.Next(1, 4),
            });
            b.ClientNotes = rng.NextDouble() < 0.3 ? Pick(BookingClientNotes) : "";
            b.InternalNotes = rng.NextDouble() < 0.25 ? Pick(BookingInternalNotes) : "";
            b.Source = Pick(BookingSources);
            // A walk-in is entered by the desk minutes before it starts: only in the past, only when the desk is staffed.
            if (b.Source == "walk-in" && (b.StartsAt > now || OnDuty(b.StartsAt.AddMinutes(-10)) is null)) b.Source = "phone";
            draft.CreatedAt = ChooseCreatedAt(b);
            b.History = BuildHistory(draft);
            b.CreatedAt = b.History[0].At;
            b.ScheduledAt = b.CreatedAt;
            b.UpdatedAt = b.History[^1].At;
        }
        return [.. drafts.Select(d => d.Booking).OrderBy(b => b.StartsAt)];
    }

    /// <summary>
    /// Spreads the bookings over the open days (Fridays and Saturdays busier; what a full day cannot take moves on),
    /// each in a random slot the engine offers that day for a random service, room and photographer.
    /// </summary>
    private List<Draft> PlaceBookings(Studio studio, List<Service> services)
    {
        var rules = Rules(studio);
        var first = today.AddDays(-DaysAround);
        var openDays = Enumerable.Range(0, 2 * DaysAround + 1).Select(first.AddDays)
            .Where(d => rules.BusinessHours.Any(h => h.Day == d.DayOfWeek) && !rules.Closures.Any(c => c.Contains(d)))
            .ToList();
        var perDay = openDays.ToDictionary(d => d, _ => 0);
        var weights = openDays.Select(d => d.DayOfWeek switch { DayOfWeek.Saturday => 1.6, DayOfWeek.Friday => 1.3, _ => 1.0 }).ToArray();
        for (var i = 0; i < BookingTarget; i++) perDay[openDays[PickIndex(weights)]]++;

        // Portraits are the bread and butter, newborn sessions the rarest.
        var serviceWeights = new[] { 4.0, 2.5, 1.5, 1.0, 1.5 };
        // The engine offers nothing before its "now": the day before the first seeded day stands in for it.
        var engineNow = new DateTimeOffset(Utc(first.AddDays(-1), TimeOnly.MinValue));
        var rooms = services.SelectMany(s => s.Rooms).Select(r => r.Room!).DistinctBy(r => r.Id)
            .Select(r => new RoomAvailability(r.Id, r.BufferBeforeMinutes, r.BufferAfterMinutes)).ToList();
        var photographers = staff.All.Select(WorkingTime).ToList();

        var drafts = new List<Draft>();
        var busy = new List<BusyRange>(); // live bookings only: a later booking may take a cancelled one's time
        var carry = 0;
        foreach (var day in openDays)
        {
            var wanted = perDay[day] + carry;
            var placed = 0;
            for (var attempts = 0; placed < wanted && attempts < 200; attempts++)
            {
                var service = services[PickIndex(serviceWeights)];
                var room = Pick(service.Rooms).Room!;
                var photographer = service.NeedsPhotographer ? Pick(service.Employees).Employee : null;
                var needs = new ServiceRequirements(service.DurationMinutes, service.NeedsPhotographer,
                    [.. service.Rooms.Select(r => r.RoomId)], [.. service.Employees.Select(e => e.EmployeeId)]);
                var slots = Availability.FindSlots(rules, needs, rooms, photographers, busy, day, day, engineNow, room.Id, photographer?.Id)
                    .SlotsOn(day);
                if (slots.Count == 0) continue;
                var slot = Pick(slots);

                var booking = new Booking
                {
                    Code = "", Currency = Currency, ManageTokenHash = ManageToken.Hash(ManageToken.New()),
                    ServiceId = service.Id, RoomId = room.Id, PhotographerId = photographer?.Id,
                    Status = ChooseStatus(day, slot.StartUtc, slot.EndUtc, service, out var deliverAt),
                };
                booking.Block(slot.StartUtc, slot.EndUtc, room);
                if (Booking.IsLive(booking.Status))
                    busy.Add(new BusyRange(room.Id, photographer?.Id, booking.Blocked.LowerBound, booking.Blocked.UpperBound));
                drafts.Add(new Draft { Booking = booking, Service = service, Room = room, Photographer = photographer, DeliverAt = deliverAt });
                placed++;
            }
            carry = wanted - placed;
        }
        return drafts;
    }

    /// <summary>The studio's rules as the engine reads them; notice and horizon do not hold back a seed of the past.</summary>
    private StudioRules Rules(Studio studio) => new(zone, studio.Settings.SlotStepMinutes, TimeSpan.Zero, 2 * DaysAround + 2,
        [.. studio.Hours.Select(h => new WeeklyInterval(h.Weekday, h.Opens, h.Closes))],
        [.. studio.Closures.Select(c => new ClosedDays(c.FirstDay, c.LastDay))]);

    private static PhotographerAvailability WorkingTime(Employee e) => new(e.Id,
        [.. e.WorkingHours.Select(w => new WeeklyInterval(w.Weekday, w.Starts, w.Ends))],
        [.. e.TimeOff.Select(t => new UtcRange(t.StartsAt, t.EndsAt))]);
}
