using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Booking;

namespace PhotoStudio.Data.Seeding;

/// <summary>A staff sign-in of the demo studio, printed at start-up and used by tests.</summary>
public record DemoAccount(string Email, string Role, string? AuthenticatorKey);

/// <summary>
/// Fills an empty development database with a believable studio: settings, rooms, services, six staff
/// accounts, forty clients and two hundred bookings from three weeks ago to three weeks ahead. Choices come
/// from a fixed-seed <see cref="Random"/>, so the same clock reading gives the same studio (dates and
/// statuses follow "now"). The bookings obey every rule the app enforces (business hours, slot grid,
/// closures, allowed rooms and photographers, working hours, time off, no overlap of live bookings),
/// because the demo and the tests rely on the seeded data being data the app itself could have made.
/// </summary>
public class DemoSeeder(StudioDb db, UserManager<StudioUser> users, TimeProvider clock, ILogger<DemoSeeder> log)
{
    public const string Password = "Studio-Demo-2026";
    public const string TimeZoneId = "Europe/Berlin";
    public const string Currency = "EUR";

    // Identity keeps the TOTP secret as a user token under this provider and name.
    private const string TokenProvider = "[AspNetUserStore]";
    private const string AuthenticatorKeyName = "AuthenticatorKey";

    private const int Seed = 20261122;
    private const int BookingTarget = 200;
    private const int DaysAround = 21;

    /// <summary>The demo sign-ins; the admin comes first.</summary>
    public static readonly IReadOnlyList<DemoAccount> Accounts =
    [
        new("admin@demo.studio", Roles.Admin, "PHOTOSTUDIODEMOADMINKEY234567ABC"),
        new("manager@demo.studio", Roles.Manager, "PHOTOSTUDIODEMOMANAGERKEY234567A"),
        new("reception@demo.studio", Roles.Receptionist, null),
        new("anna@demo.studio", Roles.Photographer, null),
        new("ivan@demo.studio", Roles.Photographer, null),
        new("maria@demo.studio", Roles.Photographer, null),
    ];

    /// <summary>True for a database with no users, no rooms and no settings: nothing to lose by seeding.</summary>
    public static async Task<bool> IsEmptyAsync(StudioDb db, CancellationToken ct) =>
        !await db.Users.AnyAsync(ct) && !await db.Rooms.AnyAsync(ct) && !await db.Settings.AnyAsync(ct);

    private Random rng = null!;
    private TimeZoneInfo zone = null!;
    private Staff staff = null!;
    private DateTime now;
    private DateOnly today;

    public async Task SeedAsync(CancellationToken ct = default)
    {
        rng = new Random(Seed);
        zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
        now = Second(clock.GetUtcNow().UtcDateTime);
        today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));

        // All or nothing: a half-seeded database would no longer count as empty and never be finished.
        // UserManager saves through the same DbContext, so its writes join this transaction.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;

        staff = await CreateStaffAsync(ct);
        var studio = CreateStudio();
        var rooms = CreateRooms();
        var services = CreateServices(rooms, staff);
        db.AddRange(rooms);
        db.AddRange(services);
        await db.SaveChangesAsync(ct);

        var clients = CreateClients();
        db.Clients.AddRange(clients);
        await db.SaveChangesAsync(ct);

        var bookings = CreateBookings(studio, services, clients);
        db.Bookings.AddRange(bookings);
        await db.SaveChangesAsync(ct);

        if (tx is not null) await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();

        log.LogInformation(
            "Seeded the demo studio: {Users} staff, {Rooms} rooms, {Services} services, {Clients} clients, {Bookings} bookings ({Statuses}), {Changes} status changes",
            staff.All.Count, rooms.Count, services.Count, clients.Count, bookings.Count,
            string.Join(", ", bookings.GroupBy(b => b.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")),
            bookings.Sum(b => b.History.Count));
    }

    // ---------------------------------------------------------------- staff

    private sealed record StaffProfile(string Email, string FullName, string Phone, string Position, string Color,
        (DayOfWeek Day, string Starts, string Ends)[] Hours);

    private static readonly DayOfWeek[] Weekdays =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    private static (DayOfWeek, string, string)[] Every(IEnumerable<DayOfWeek> days, params (string Starts, string Ends)[] intervals) =>
        [.. days.SelectMany(d => intervals.Select(i => (d, i.Starts, i.Ends)))];

    private static readonly StaffProfile[] Profiles =
    [
        new("admin@demo.studio", "Katrin Vogel", "+49 30 2345 6701", "Studio owner", "#6f42c1",
            Every(Weekdays, ("09:00", "17:00"))),
        new("manager@demo.studio", "Thomas Becker", "+49 30 2345 6702", "Studio manager", "#fd7e14",
            Every(Weekdays, ("10:00", "18:00"))),
        new("reception@demo.studio", "Sophie Wagner", "+49 30 2345 6703", "Front desk", "#20c997",
            Every(Weekdays, ("09:00", "14:00"), ("14:30", "20:00"))),
        // Anna: weekdays, daytime.
        new("anna@demo.studio", "Anna Lehmann", "+49 151 4455 2101", "Senior photographer", "#d63384",
            Every(Weekdays, ("09:00", "17:00"))),
        // Ivan: Tuesday to Saturday, afternoons and evenings on weekdays.
        new("ivan@demo.studio", "Ivan Petrov", "+49 152 7781 3302", "Photographer", "#0d6efd",
            [.. Every([DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], ("12:00", "20:00")),
             (DayOfWeek.Saturday, "10:00", "18:00")]),
        // Maria: a split day with a lunch break, Monday to Thursday, plus Saturday mornings.
        new("maria@demo.studio", "Maria Sokolova", "+49 160 9923 4403", "Photographer & retoucher", "#198754",
            [.. Every([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday], ("09:00", "13:00"), ("14:00", "20:00")),
             (DayOfWeek.Saturday, "10:00", "15:00")]),
    ];

    private sealed record Staff(IReadOnlyList<Employee> All)
    {
        public Employee Admin => All[0];
        public Employee Manager => All[1];
        public Employee Reception => All[2];
        public Employee Anna => All[3];
        public Employee Ivan => All[4];
        public Employee Maria => All[5];
        public IReadOnlyList<Employee> Desk => [Admin, Manager, Reception];
    }

    private async Task<Staff> CreateStaffAsync(CancellationToken ct)
    {
        // PBKDF2 is deliberately slow; six hashes side by side instead of one after another.
        var hashes = await Task.WhenAll(Profiles.Select(_ => Task.Run(() => users.PasswordHasher.HashPassword(null!, Password), ct)));

        var employees = new List<Employee>();
        for (var i = 0; i < Profiles.Length; i++)
        {
            var profile = Profiles[i];
            var account = Accounts[i];
            var user = new StudioUser
            {
                UserName = account.Email,
                Email = account.Email,
                EmailConfirmed = true,
                LockoutEnabled = true,
                PhoneNumber = profile.Phone,
            };
            // The password is still checked against the configured rules; only the hashing ran above.
            foreach (var validator in users.PasswordValidators)
                Check(await validator.ValidateAsync(users, user, Password), account.Email);
            user.PasswordHash = hashes[i];
            Check(await users.CreateAsync(user), account.Email);
            Check(await users.AddToRoleAsync(user, account.Role), account.Email);
            if (account.AuthenticatorKey is { } key)
            {
                Check(await users.SetAuthenticationTokenAsync(user, TokenProvider, AuthenticatorKeyName, key), account.Email);
                Check(await users.SetTwoFactorEnabledAsync(user, true), account.Email);
            }

            employees.Add(new Employee
            {
                UserId = user.Id,
                FullName = profile.FullName,
                Phone = profile.Phone,
                Position = profile.Position,
                Color = profile.Color,
                WorkingHours = [.. profile.Hours.Select(h => new WorkingHours
                {
                    Weekday = h.Day, Starts = TimeOnly.Parse(h.Starts, CultureInfo.InvariantCulture), Ends = TimeOnly.Parse(h.Ends, CultureInfo.InvariantCulture),
                })],
            });
        }

        var team = new Staff(employees);
        var thisMonday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        team.Maria.TimeOff.Add(new TimeOff
        {
            StartsAt = Utc(thisMonday.AddDays(8), TimeOnly.MinValue), EndsAt = Utc(thisMonday.AddDays(11), TimeOnly.MinValue),
            Reason = "Holiday",
        });
        team.Ivan.TimeOff.Add(new TimeOff
        {
            StartsAt = Utc(thisMonday.AddDays(-5), TimeOnly.MinValue), EndsAt = Utc(thisMonday.AddDays(-3), TimeOnly.MinValue),
            Reason = "Sick leave",
        });
        // Part of a day, so the calendar shows that time off need not be whole days.
        var dentist = NextWeekday(today.AddDays(4));
        team.Anna.TimeOff.Add(new TimeOff
        {
            StartsAt = Utc(dentist, new TimeOnly(13, 0)), EndsAt = Utc(dentist, new TimeOnly(17, 0)),
            Reason = "Dentist appointment",
        });

        db.Employees.AddRange(employees);
        return team;
    }

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException(
                $"Seeding the demo account {email} failed: {string.Join("; ", result.Errors.Select(e => $"{e.Code}: {e.Description}"))}");
    }

    // ---------------------------------------------------------------- studio, rooms, services

    private sealed record Studio(StudioSettings Settings, IReadOnlyList<BusinessHours> Hours, IReadOnlyList<Closure> Closures);

    private Studio CreateStudio()
    {
        var settings = new StudioSettings
        {
            Id = 1,
            Name = "Lumen Photo Studio",
            Address = "Lychener Straße 42, 10437 Berlin",
            Phone = "+49 30 2345 6700",
            Email = "hello@lumen.example.com",
            TimeZone = TimeZoneId,
            Currency = Currency,
            SlotStepMinutes = 30,
            MinimumNoticeMinutes = 120,
            HorizonDays = 60,
            CancelCutoffHours = 24,
            RescheduleCutoffHours = 24,
            AutoConfirm = false,
            DepositPolicy = "A deposit of 30% is due within 48 hours of booking; it is refunded in full when you cancel at least 24 hours before your session.",
        };
        List<BusinessHours> hours =
        [
            .. Weekdays.Select(d => new BusinessHours { Weekday = d, Opens = new TimeOnly(9, 0), Closes = new TimeOnly(20, 0) }),
            new() { Weekday = DayOfWeek.Saturday, Opens = new TimeOnly(10, 0), Closes = new TimeOnly(18, 0) },
        ];
        var upcoming = NextWeekday(today.AddDays(12));
        var past = NextWeekday(today.AddDays(-10));
        List<Closure> closures =
        [
            new() { FirstDay = past, LastDay = past, Reason = "Team workshop" },
            new() { FirstDay = upcoming, LastDay = upcoming, Reason = "Public holiday" },
        ];
        db.Settings.Add(settings);
        db.BusinessHours.AddRange(hours);
        db.Closures.AddRange(closures);
        return new Studio(settings, hours, closures);
    }

    private static List<Room> CreateRooms() =>
    [
        new()
        {
            Name = "Daylight Loft", Capacity = 8, HourlyRate = 65m, BufferBeforeMinutes = 15, BufferAfterMinutes = 15, Color = "#e9a23b",
            Description = "North-facing windows, white brick and a linen sofa: soft natural light for portraits, families and newborns.",
        },
        new()
        {
            Name = "Black Box", Capacity = 4, HourlyRate = 45m, BufferBeforeMinutes = 10, BufferAfterMinutes = 10, Color = "#343a40",
            Description = "A small, fully controllable studio with black walls, strobes and a cyclorama for low-key portraits and products.",
        },
        new()
        {
            Name = "Studio C", Capacity = 12, HourlyRate = 80m, BufferBeforeMinutes = 0, BufferAfterMinutes = 15, Color = "#2a9d8f",
            Description = "Our largest space with a white infinity wall, room for groups, teams and bigger sets.",
        },
    ];

    private static List<Service> CreateServices(List<Room> rooms, Staff team)
    {
        var (loft, box, studioC) = (rooms[0], rooms[1], rooms[2]);
        Service Make(string name, int minutes, decimal price, string description, Room[] where, Employee[] who) => new()
        {
            Name = name,
            DurationMinutes = minutes,
            Price = price,
            Description = description,
            NeedsPhotographer = who.Length > 0,
            Rooms = [.. where.Select(r => new ServiceRoom { Room = r })],
            Employees = [.. who.Select(e => new ServiceEmployee { Employee = e })],
        };
        return
        [
            Make("Portrait session", 60, 149m, "One hour in front of the camera, ten retouched images of your choice.",
                [loft, box], [team.Anna, team.Ivan, team.Maria]),
            Make("Family session", 90, 249m, "Relaxed family pictures for up to six people, pets welcome; twenty retouched images.",
                [loft, studioC], [team.Anna, team.Maria]),
            Make("Product photography", 120, 320m, "Packshots and styled product images for shops and catalogues, up to fifteen products.",
                [box, studioC], [team.Ivan, team.Maria]),
            Make("Newborn session", 180, 390m, "A calm, warm session for babies up to three weeks old, with props and breaks for feeding.",
                [loft], [team.Anna, team.Maria]),
            Make("Self-portrait room hire", 90, 79m, "The room, the lights and a remote shutter: take your own pictures, no photographer.",
                [box, studioC], []),
        ];
    }

    // ---------------------------------------------------------------- clients

    private static readonly (string Name, string Email)[] ClientNames =
    [
        ("Lena Schneider", "lena.schneider"), ("Jonas Fischer", "jonas.fischer"), ("Sophie Meyer", "sophie.meyer"),
        ("Maximilian Weber", "max.weber"), ("Hannah Schulz", "hannah.schulz"), ("Lukas Hoffmann", "lukas.hoffmann"),
        ("Jürgen Müller", "juergen.mueller"), ("Anja Krüger", "anja.krueger"), ("Felix Wagner", "felix.wagner"),
        ("Marie Zimmermann", "marie.zimmermann"), ("Tobias Braun", "tobias.braun"), ("Katharina Hartmann", "k.hartmann"),
        ("Niklas Schäfer", "niklas.schaefer"), ("Lea Koch", "lea.koch"), ("Paul Richter", "paul.richter"),
        ("Greta Neumann", "greta.neumann"),
        ("Olga Smirnova", "olga.smirnova"), ("Dmitri Ivanov", "dmitri.ivanov"), ("Natalia Kuznetsova", "natalia.kuznetsova"),
        ("Alexei Volkov", "alexei.volkov"), ("Ekaterina Popova", "katya.popova"), ("Sergei Morozov", "sergei.morozov"),
        ("Анастасия Лебедева", "anastasia.lebedeva"), ("Михаил Козлов", "mikhail.kozlov"), ("Irina Novikova", "irina.novikova"),
        ("Pavel Sokolov", "pavel.sokolov"), ("Yulia Fedorova", "yulia.fedorova"), ("Artem Orlov", "artem.orlov"),
        ("Emily Johnson", "emily.johnson"), ("James Smith", "james.smith"), ("Olivia Brown", "olivia.brown"),
        ("Harry Wilson", "harry.wilson"), ("Charlotte Taylor", "charlotte.taylor"), ("George Davies", "george.davies"),
        ("Amelia Evans", "amelia.evans"), ("Jack Thomas", "jack.thomas"), ("Isla Roberts", "isla.roberts"),
        ("Noah Walker", "noah.walker"), ("Grace O'Connor", "grace.oconnor"), ("Ella Murphy", "ella.murphy"),
    ];

    private static readonly string[] ClientSources = ["web", "web", "web", "web", "phone", "phone", "instagram", "instagram", "walk-in"];
    private static readonly string[] TagPool = ["repeat", "vip", "family", "newborn", "business", "influencer", "student", "wedding"];
    private static readonly string[] ClientNotePool =
    [
        "", "", "", "", "", "Prefers morning sessions.", "Allergic to lilies - no fresh flowers in the set.",
        "Comes with a dog (golden retriever).", "Speaks Russian and German.", "Wants invoices addressed to her company.",
        "Asked for black-and-white edits last time.", "Uses a wheelchair: book the ground-floor rooms.",
    ];

    private List<Client> CreateClients()
    {
        var clients = new List<Client>();
        foreach (var (name, local) in ClientNames)
        {
            var created = now - TimeSpan.FromDays(rng.Next(45, 720)) - TimeSpan.FromMinutes(rng.Next(0, 24 * 60));
            var source = Pick(ClientSources);
            var tags = new HashSet<string>();
            for (var t = rng.Next(0, 4) - 1; t > 0; t--) tags.Add(Pick(TagPool));
            clients.Add(new Client
            {
                Name = name,
                Email = $"{local}@example.com",
                Phone = $"+49 1{Pick(["51", "52", "57", "60", "62", "70", "76"])} {rng.Next(1000, 9999)} {rng.Next(1000, 9999)}",
                Notes = Pick(ClientNotePool),
                Tags = [.. tags.Order()],
                // Web bookings cannot be made without accepting the terms; some phone and walk-in clients never did.
                TermsAcceptedAt = source is "web" or "instagram" || rng.NextDouble() < 0.6 ? Second(created) : null,
                MarketingOptIn = rng.NextDouble() < 0.4,
                Source = source,
                CreatedAt = Second(created),
            });
        }
        return clients;
    }

    // ---------------------------------------------------------------- bookings

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
    private static readonly string[] ClientCancelReasons =
    [
        "Child is ill, will book again later.", "Client changed plans.", "Booked another date instead.", "Travelling that week.",
    ];
    private static readonly string[] StaffCancelReasons =
    [
        "Duplicate booking.", "Client cancelled by phone.", "Products did not arrive in time.",
    ];
    private static readonly string[] NoShowReasons =
    [
        "Client did not arrive; no answer by phone.", "No-show, deposit retained.", "Did not come, rang back the next day.",
    ];

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
        var hoursByDay = studio.Hours.ToLookup(h => h.Weekday);
        var openDays = Enumerable.Range(-DaysAround, 2 * DaysAround + 1)
            .Select(today.AddDays)
            .Where(d => hoursByDay[d.DayOfWeek].Any() && !studio.Closures.Any(c => d >= c.FirstDay && d <= c.LastDay))
            .ToList();

        // How many bookings each open day gets: Fridays and Saturdays are busier.
        var perDay = openDays.ToDictionary(d => d, _ => 0);
        var weights = openDays.Select(d => d.DayOfWeek switch { DayOfWeek.Saturday => 1.6, DayOfWeek.Friday => 1.3, _ => 1.0 }).ToArray();
        for (var i = 0; i < BookingTarget; i++) perDay[openDays[PickIndex(weights)]]++;

        // Portraits are the bread and butter, newborn sessions the rarest.
        var serviceWeights = new[] { 4.0, 2.5, 1.5, 1.0, 1.5 };
        // Repeat clients: some book often, most once or twice.
        var clientWeights = clients.Select(_ => rng.NextDouble() < 0.25 ? 4.0 : 1.0).ToArray();

        var drafts = new List<Draft>();
        var live = new List<Booking>();
        var carry = 0;
        foreach (var day in openDays)
        {
            var intervals = hoursByDay[day.DayOfWeek].ToList();
            // What a full day could not take moves on to the next one.
            var wanted = perDay[day] + carry;
            var placed = 0;
            for (var attempts = 0; placed < wanted && attempts < 200; attempts++)
            {
                var service = services[PickIndex(serviceWeights)];
                var room = Pick(service.Rooms).Room!;
                var open = Pick(intervals);
                var slots = (int)((open.Closes - open.Opens).TotalMinutes - service.DurationMinutes) / studio.Settings.SlotStepMinutes;
                if (slots < 0) continue;
                var localStart = open.Opens.AddMinutes(rng.Next(0, slots + 1) * studio.Settings.SlotStepMinutes);
                var localEnd = localStart.AddMinutes(service.DurationMinutes);
                var start = Utc(day, localStart);
                var end = Utc(day, localEnd);

                var status = ChooseStatus(day, start, end, service, out var deliverAt);
                var booking = new Booking
                {
                    Code = "",
                    Currency = Currency,
                    ManageTokenHash = ManageToken.Hash(ManageToken.New()),
                    ServiceId = service.Id,
                    RoomId = room.Id,
                    Status = status,
                };
                booking.Block(start, end, room);
                var isLive = Booking.IsLive(status);

                // Every booking was made for a free slot; only live ones go on holding it, so a later
                // booking may take the time of a cancelled one. (Letting cancelled ones skip the check
                // would also make them win every retry on a busy day.)
                if (live.Any(b => b.RoomId == room.Id && Overlaps(b, booking))) continue;

                Employee? photographer = null;
                if (service.NeedsPhotographer)
                {
                    photographer = Shuffle(service.Employees.Select(se => se.Employee!))
                        .FirstOrDefault(e => Works(e, day, localStart, localEnd) && !IsOff(e, start, end)
                            && !live.Any(b => b.PhotographerId == e.Id && Overlaps(b, booking)));
                    if (photographer is null) continue;
                    booking.PhotographerId = photographer.Id;
                }

                if (isLive) live.Add(booking);
                drafts.Add(new Draft { Booking = booking, Service = service, Room = room, Photographer = photographer, DeliverAt = deliverAt });
                placed++;
            }
            carry = wanted - placed;
        }

        EnsureEveryStatus(drafts);

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
            b.UpdatedAt = b.History[^1].At;
        }
        return [.. drafts.Select(d => d.Booking).OrderBy(b => b.StartsAt)];
    }

    /// <summary>Where a booking stands today, from where its session lies relative to now.</summary>
    private BookingStatus ChooseStatus(DateOnly day, DateTime start, DateTime end, Service service, out DateTime? deliverAt)
    {
        deliverAt = null;
        var r = rng.NextDouble();
        if (start > now)
        {
            if (r < 0.08) return BookingStatus.Cancelled;
            // The nearer the session, the likelier the studio has confirmed it already.
            var confirmedShare = start - now < TimeSpan.FromDays(2) ? 0.9 : start - now < TimeSpan.FromDays(7) ? 0.7 : 0.45;
            return rng.NextDouble() < confirmedShare ? BookingStatus.Confirmed : BookingStatus.Pending;
        }
        if (end > now) return BookingStatus.Shooting;
        if (r < 0.08) return BookingStatus.Cancelled;
        if (r < 0.15) return BookingStatus.NoShow;
        // Nobody has moved a session that ended in the last hour off "Shooting" yet.
        if (day == today && now - end < TimeSpan.FromHours(1)) return BookingStatus.Shooting;
        deliverAt = service.NeedsPhotographer
            ? Second(end.AddDays(rng.Next(1, 7)).AddMinutes(rng.Next(-120, 300)))
            : Second(end.AddMinutes(rng.Next(10, 40)));
        return deliverAt <= now ? BookingStatus.Delivered : BookingStatus.Editing;
    }

    /// <summary>
    /// The board should show every column whatever the time of day the seed runs, so a missing status is
    /// made from a booking that can take it without freeing or taking a slot differently (live to live, or
    /// live to cancelled/no-show).
    /// </summary>
    private void EnsureEveryStatus(List<Draft> drafts)
    {
        void Ensure(BookingStatus status, Func<Draft, bool> candidate, bool latestFirst)
        {
            if (drafts.Any(d => d.Booking.Status == status)) return;
            var ordered = latestFirst ? drafts.OrderByDescending(d => d.Booking.StartsAt) : drafts.OrderBy(d => d.Booking.StartsAt);
            if (ordered.FirstOrDefault(candidate) is not { } pick) return;
            pick.Booking.Status = status;
            if (status != BookingStatus.Delivered) pick.DeliverAt = null;
        }

        bool Past(Draft d) => d.Booking.EndsAt <= now && Booking.IsLive(d.Booking.Status);
        bool Future(Draft d, BookingStatus s) => d.Booking.StartsAt > now && d.Booking.Status == s;

        Ensure(BookingStatus.Shooting, d => Past(d) && d.Booking.Status != BookingStatus.Shooting, latestFirst: true);
        Ensure(BookingStatus.Editing, d => Past(d) && d.Booking.Status == BookingStatus.Delivered && d.Service.NeedsPhotographer, latestFirst: true);
        Ensure(BookingStatus.NoShow, d => Past(d) && d.Booking.Status == BookingStatus.Delivered, latestFirst: false);
        Ensure(BookingStatus.Cancelled, d => Future(d, BookingStatus.Pending), latestFirst: true);
        Ensure(BookingStatus.Pending, d => Future(d, BookingStatus.Confirmed), latestFirst: true);
        Ensure(BookingStatus.Confirmed, d => Future(d, BookingStatus.Pending), latestFirst: false);
    }

    private DateTime ChooseCreatedAt(Booking b)
    {
        if (b.Source == "walk-in")
        {
            var walkIn = b.StartsAt.AddMinutes(-rng.Next(10, 45));
            return Second(OnDuty(walkIn) is null ? b.StartsAt.AddMinutes(-10) : walkIn);
        }
        // Pending requests are recent (older ones would have been confirmed or expired by now); the rest
        // were made between a few hours and three weeks ahead; always with the minimum notice, never later than now.
        var latest = Min(now.AddMinutes(-20), b.StartsAt.AddHours(-2));
        var created = b.Status == BookingStatus.Pending ? now.AddMinutes(-rng.Next(20, 36 * 60))
            : b.StartsAt > now ? now.AddMinutes(-rng.Next(30, 14 * 24 * 60))
            : b.StartsAt.AddMinutes(-rng.Next(3 * 60, 21 * 24 * 60));
        created = Min(created, latest);
        if (b.Source == "phone")
        {
            // Phone bookings are typed in by the desk while it is staffed; a call that cannot fit became a web booking.
            var atDesk = DeskTime(created);
            if (atDesk <= latest) created = atDesk;
            else b.Source = "web";
        }
        return Second(created);
    }

    /// <summary>
    /// The status changes that led to the booking's status, along the moves StatusFlow allows:
    /// Pending → Confirmed → Shooting → Editing → Delivered, with cancellations, no-shows and the odd step back.
    /// Desk work (taking calls, confirming, cancelling) happens while the desk is staffed, by whoever is on duty;
    /// photographers move their own sessions.
    /// </summary>
    private List<BookingStatusChange> BuildHistory(Draft draft)
    {
        var b = draft.Booking;
        var history = new List<BookingStatusChange>();
        var at = draft.CreatedAt;
        void Move(BookingStatus? from, BookingStatus to, Func<DateTime, string> by, DateTime when, string reason = "")
        {
            // Strictly after the previous change and never later than now.
            at = Second(Min(Max(when, at.AddSeconds(history.Count == 0 ? 0 : 1)), now));
            history.Add(new BookingStatusChange { From = from, To = to, By = by(at), At = at, Reason = reason });
        }
        Func<DateTime, string> client = _ => "client", system = _ => "system";
        Func<DateTime, string> desk = t => (OnDuty(t) ?? staff.Manager).UserId;
        Func<DateTime, string> shooter = t => (draft.Photographer ?? OnDuty(t) ?? staff.Manager).UserId;
        var target = b.Status;

        Move(null, BookingStatus.Pending, b.Source is "web" or "instagram" ? client : desk, draft.CreatedAt);
        var confirmLimit = Min(b.StartsAt.AddMinutes(-30), now);
        var confirmAt = b.Source == "walk-in"
            ? draft.CreatedAt.AddMinutes(rng.Next(1, 5))
            : DeskWindow(draft.CreatedAt.AddMinutes(5), draft.CreatedAt.AddMinutes(rng.Next(10, 30 * 60)), confirmLimit);

        if (target == BookingStatus.Pending) return history;

        if (target == BookingStatus.Cancelled)
        {
            var cancelLimit = Min(b.StartsAt.AddHours(-1), now);
            var byClient = rng.NextDouble() < 0.6;
            // Unconfirmed requests expire: the housekeeping job cancels them as "system".
            if (!byClient && rng.NextDouble() < 0.5 && cancelLimit - draft.CreatedAt > TimeSpan.FromHours(48))
            {
                Move(BookingStatus.Pending, BookingStatus.Cancelled, system,
                    draft.CreatedAt.AddHours(48), "Request expired: not confirmed in time.");
                return history;
            }
            if (confirmAt is { } confirmed && confirmed < cancelLimit && rng.NextDouble() < 0.6)
                Move(BookingStatus.Pending, BookingStatus.Confirmed, desk, confirmed);
            var from = history[^1].To;
            var cancelAt = at + (cancelLimit - at) * rng.NextDouble();
            if (!byClient && DeskWindow(at, cancelAt, cancelLimit) is { } deskCancel)
                Move(from, BookingStatus.Cancelled, desk, deskCancel, Pick(StaffCancelReasons));
            else
                Move(from, BookingStatus.Cancelled, client, cancelAt, Pick(ClientCancelReasons));
            return history;
        }

        if (confirmAt is { } deskConfirm)
            Move(BookingStatus.Pending, BookingStatus.Confirmed, desk, deskConfirm);
        else if (b.StartsAt > now)
        {
            // Booked while the desk was closed and it has not opened since: still waiting for confirmation.
            b.Status = BookingStatus.Pending;
            return history;
        }
        else
            // A weekend request for a weekend session: the photographer confirmed it from the board.
            Move(BookingStatus.Pending, BookingStatus.Confirmed, shooter, at + (confirmLimit - at) * (0.2 + 0.4 * rng.NextDouble()));
        // Now and then a client asks to move the session and the desk sends it back for a new time.
        if (b.Source != "walk-in" && rng.NextDouble() < 0.05
            && DeskWindow(at.AddMinutes(5), at + (confirmLimit - at) * 0.3, confirmLimit.AddHours(-1)) is { } reschedule)
        {
            Move(BookingStatus.Confirmed, BookingStatus.Pending, desk, reschedule, "Client asked to reschedule.");
            Move(BookingStatus.Pending, BookingStatus.Confirmed, desk, at.AddMinutes(rng.Next(5, 60)));
        }
        if (target == BookingStatus.Confirmed) return history;

        if (target == BookingStatus.NoShow)
        {
            // Whoever waited for the client marks it: the desk if staffed, else the photographer.
            Move(BookingStatus.Confirmed, BookingStatus.NoShow, t => (OnDuty(t) ?? draft.Photographer ?? staff.Manager).UserId,
                b.StartsAt.AddMinutes(rng.Next(15, 40)), Pick(NoShowReasons));
            return history;
        }

        Move(BookingStatus.Confirmed, BookingStatus.Shooting, shooter, b.StartsAt.AddMinutes(rng.Next(-5, 8)));
        if (target == BookingStatus.Shooting) return history;

        Move(BookingStatus.Shooting, BookingStatus.Editing, shooter, b.EndsAt.AddMinutes(rng.Next(2, 30)));
        if (draft.Service.NeedsPhotographer && rng.NextDouble() < 0.03)
        {
            Move(BookingStatus.Editing, BookingStatus.Shooting, shooter, at.AddMinutes(rng.Next(5, 20)), "A few frames reshot.");
            Move(BookingStatus.Shooting, BookingStatus.Editing, shooter, at.AddMinutes(rng.Next(20, 40)));
        }
        if (target == BookingStatus.Editing) return history;

        Move(BookingStatus.Editing, BookingStatus.Delivered, shooter, draft.DeliverAt ?? at.AddMinutes(30));
        // Sometimes a client asks for more retouching after delivery.
        if (draft.Service.NeedsPhotographer && rng.NextDouble() < 0.06
            && DeskWindow(at.AddHours(1), at.AddHours(rng.Next(2, 24)), now.AddDays(-1)) is { } complaint)
        {
            Move(BookingStatus.Delivered, BookingStatus.Editing, desk, complaint, "Client asked for extra retouching.");
            Move(BookingStatus.Editing, BookingStatus.Delivered, shooter, at.AddHours(rng.Next(4, 24)));
        }
        return history;
    }

    /// <summary>
    /// When the desk does something it could do from <paramref name="earliest"/> but would rather do at
    /// <paramref name="preferred"/>: the first staffed moment from the preferred time, else from the earliest,
    /// as long as it is no later than <paramref name="limit"/>; null when the desk is closed all that while.
    /// </summary>
    private DateTime? DeskWindow(DateTime earliest, DateTime preferred, DateTime limit)
    {
        foreach (var t in new[] { DeskTime(preferred), DeskTime(earliest) })
            if (t >= earliest && t <= limit) return t;
        return null;
    }

    /// <summary>A desk employee (admin, manager, receptionist) working at that moment, if any; picked at random.</summary>
    private Employee? OnDuty(DateTime utc)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        var (day, time) = (DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local));
        var present = staff.Desk.Where(e => Works(e, day, time, time)).ToList();
        return present.Count == 0 ? null : Pick(present);
    }

    /// <summary>The moment itself when the desk is staffed, else a little after the desk next opens.</summary>
    private DateTime DeskTime(DateTime utc)
    {
        if (OnDuty(utc) is not null) return utc;
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        var (day, time) = (DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local));
        for (var d = day; d <= day.AddDays(7); d = d.AddDays(1))
        {
            var opens = staff.Desk.SelectMany(e => e.WorkingHours)
                .Where(w => w.Weekday == d.DayOfWeek && (d > day || w.Starts > time))
                .Select(w => (TimeOnly?)w.Starts).Min();
            if (opens is { } t) return Utc(d, t).AddMinutes(rng.Next(0, 45));
        }
        return utc;
    }

    // ---------------------------------------------------------------- rules and helpers

    private static bool Overlaps(Booking a, Booking b) =>
        a.Blocked.LowerBound < b.Blocked.UpperBound && b.Blocked.LowerBound < a.Blocked.UpperBound;

    private static bool Works(Employee e, DateOnly day, TimeOnly starts, TimeOnly ends) =>
        e.WorkingHours.Any(w => w.Weekday == day.DayOfWeek && w.Starts <= starts && ends <= w.Ends);

    private static bool IsOff(Employee e, DateTime start, DateTime end) =>
        e.TimeOff.Any(t => t.StartsAt < end && start < t.EndsAt);

    /// <summary>A local wall-clock time in the studio's zone as UTC; correct on DST days.</summary>
    private DateTime Utc(DateOnly day, TimeOnly time) =>
        TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(time, DateTimeKind.Unspecified), zone);

    private static DateOnly NextWeekday(DateOnly day) => day.DayOfWeek switch
    {
        DayOfWeek.Saturday => day.AddDays(2),
        DayOfWeek.Sunday => day.AddDays(1),
        _ => day,
    };

    private static DateTime Second(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private int PickIndex(double[] weights)
    {
        var x = rng.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
            if ((x -= weights[i]) < 0) return i;
        return weights.Length - 1;
    }

    private List<T> Shuffle<T>(IEnumerable<T> items)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }
}
