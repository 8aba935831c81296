using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Features.Account;

namespace PhotoStudio.Data.Seeding;

/// <summary>A staff sign-in of the demo studio, printed at start-up and used by tests.</summary>
public record DemoAccount(string Email, string Role, string? AuthenticatorKey);

/// <summary>
/// Fills an empty development database with a believable studio: the catalogue (settings, rooms, services), the
/// people (six staff accounts, forty clients), two hundred bookings from three weeks ago to three weeks ahead, and
/// each booking's history. Choices come from a fixed-seed <see cref="Random"/>, so the same clock reading gives the
/// same studio (dates and statuses follow "now"). Every booking is a slot the availability engine offers, so the
/// demo and the tests work on data the app itself could have made.
/// </summary>
public partial class DemoSeeder(StudioDb db, UserManager<StudioUser> users, TimeProvider clock, ILogger<DemoSeeder> log)
{
    public const string Password = "Studio-Demo-2026";
    public const string TimeZoneId = "Europe/Berlin";
    public const string Currency = "EUR";

    private const int Seed = 20261122;

    /// <summary>The demo studio's API key, named "demo", with every scope: printed at start-up beside the sign-ins.</summary>
    public const string ApiKey = "psk_demodemo_demosecretdemosecretdemosecret22";
    public const string ApiKeyName = "demo";

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
        db.ApiKeys.Add(new ApiKey
        {
            Name = ApiKeyName, Prefix = Features.Admin.Integrations.ApiKeys.PrefixOf(ApiKey)!, SecretHash = Features.Admin.Integrations.ApiKeys.Hash(ApiKey),
            Scopes = [.. Permissions.All], CreatedByUserId = staff.Admin.UserId, CreatedAt = now,
        });
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
        AddWebDuplicate(bookings);
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

    // ---------------------------------------------------------------- helpers every part uses

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
}
