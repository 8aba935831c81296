namespace PhotoStudio.Data.Seeding;

/// <summary>The catalogue: the studio's settings, opening hours and closures, its rooms and its services.</summary>
public partial class DemoSeeder
{
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
}
