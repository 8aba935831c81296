using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure.Events;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Features.Shared;

/// <summary>The studio's settings and clock as one request sees them: its zone, now, today and the conversions.</summary>
public sealed class StudioClock(StudioSettings settings, TimeZoneInfo zone, TimeProvider time)
{
    public StudioSettings Settings { get; } = settings;
    public TimeZoneInfo Zone { get; } = zone;
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The studio's local date now (a Berlin studio's Tuesday starts at 22:00 UTC on Monday in summer).</summary>
    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, Zone).DateTime);

    /// <summary>A UTC instant (as stored) on the studio's wall clock.</summary>
    public DateTime ToLocal(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    /// <summary>A UTC instant on the studio's wall clock, with the offset in force then.</summary>
    public DateTimeOffset ToLocalOffset(DateTime utc) => TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), Zone);

    /// <summary>The instant a local date begins; the DST rules are the availability engine's.</summary>
    public DateTime StartOfDayUtc(DateOnly day) => StudioTime.BoundToUtc(Zone, day, 0);

    /// <summary>The local dates from <paramref name="first"/> to <paramref name="last"/> (both included) as a UTC range.</summary>
    public UtcRange Days(DateOnly first, DateOnly last) => new(StartOfDayUtc(first), StartOfDayUtc(last.AddDays(1)));
}

/// <summary>
/// The studio's one settings row, kept by this instance until <see cref="StudioChanges"/> says it changed (any
/// instance's write, heard through PostgreSQL; this instance's own at once). Read by nearly every request, so it is not
/// read from the database by each. The row is shared by every request: read it, never change it.
/// </summary>
public sealed class StudioSettingsCache(StudioChanges changes)
{
    private sealed record Kept(long Generation, StudioSettings Settings);

    private volatile Kept? kept;

    /// <summary>The settings row (null only in a database start-up has not set up yet), from <paramref name="db"/> when not kept.</summary>
    public async Task<StudioSettings?> GetAsync(StudioDb db, CancellationToken ct)
    {
        var generation = changes.Generation;
        if (kept is { } k && k.Generation == generation) return k.Settings;
        var settings = await db.Settings.AsNoTracking().OrderBy(s => s.Id).FirstOrDefaultAsync(ct);
        // Kept only when no change was heard of while reading: the row read may be the one from before it.
        if (settings is not null && changes.Generation == generation) kept = new Kept(generation, settings);
        return settings;
    }
}

/// <summary>
/// One home for the rules every staff page reads by: the studio's clock (its settings from
/// <see cref="StudioSettingsCache"/>, the same row however many services of the request ask) and who may see which
/// booking. With <c>bookings.view_all</c> a user sees every booking; with <c>bookings.view_own</c> alone only the
/// bookings they photograph.
/// </summary>
public sealed class StudioDay(StudioDb db, StudioSettingsCache settingsCache, TimeProvider time, IHttpContextAccessor http)
{
    private Task<StudioClock>? clock;

    /// <summary>The studio's clock, made on the first call of the request only.</summary>
    public Task<StudioClock> ClockAsync(CancellationToken ct) => clock ??= LoadAsync(ct);

    private async Task<StudioClock> LoadAsync(CancellationToken ct)
    {
        // Start-up makes sure the single settings row exists, so every page may rely on it.
        var settings = await settingsCache.GetAsync(db, ct)
            ?? throw new InvalidOperationException("The studio has no settings row.");
        return new StudioClock(settings, TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone), time);
    }

    private ClaimsPrincipal User => http.HttpContext?.User ?? new ClaimsPrincipal();

    /// <summary>The signed-in user's id; "" (which matches nobody) when there is none.</summary>
    public string UserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    /// <summary>Whether the signed-in user may see every booking, not only their own.</summary>
    public bool SeesAll => User.HasClaim(Permissions.ClaimType, Permissions.BookingsViewAll);

    /// <summary>The bookings the signed-in user may see, untracked.</summary>
    public IQueryable<Data.Booking> Bookings => Visible(db.Bookings.AsNoTracking());

    /// <summary>Narrows any booking query to what the signed-in user may see.</summary>
    public IQueryable<Data.Booking> Visible(IQueryable<Data.Booking> bookings)
    {
        if (SeesAll) return bookings;
        var me = UserId;
        return bookings.Where(b => b.Photographer != null && b.Photographer.UserId == me);
    }
}
