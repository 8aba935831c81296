using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Calendar;

/// <summary>One of a user's calendar subscriptions as the security page lists it.</summary>
/// <param name="Room">The room's name for a room feed; null for the user's own and the studio's (the page names those).</param>
public record FeedLink(FeedScope Scope, string? Room, string Https, string Webcal);

/// <summary>
/// A user's private calendar subscriptions (<c>/feeds/{token}.ics</c>): their own sessions when they have an employee
/// profile, and with <c>bookings.view_all</c> each active room's and the whole studio's. The token in the address is
/// the only credential a calendar app can carry, so only its SHA-256 finds the feed; it is also kept sealed with the
/// data-protection keys (under a purpose of its own) so that its owner can read the address again.
/// </summary>
public sealed class CalendarFeeds(StudioDb db, StudioWrites writes, ManageLinks links, UserManager<StudioUser> users,
    IDataProtectionProvider protection, TimeProvider clock)
{
    /// <summary>What a feed shows around now: the last month (a session just done) and the year ahead.</summary>
    public static readonly TimeSpan Past = TimeSpan.FromDays(30), Ahead = TimeSpan.FromDays(365);

    private readonly IDataProtector protector = protection.CreateProtector("PhotoStudio.CalendarFeedToken.v1");

    private sealed record Due(FeedScope Scope, int? RoomId, string? Room);

    /// <summary>The user's feeds; each is created the first time it is due (first visit, a new room, a permission newly given).</summary>
    public async Task<IReadOnlyList<FeedLink>> ListAsync(ClaimsPrincipal me, CancellationToken ct)
    {
        var userId = UserId(me);
        var due = await DueAsync(userId, me, ct);
        var tokens = await TokensAsync(userId, ct);
        var missing = due.Where(d => !tokens.ContainsKey((d.Scope, d.RoomId))).ToList();
        if (missing.Count > 0)
        {
            // Two first views at once both try: the unique key keeps one set, and both then read that one.
            await ReplaceAsync(userId, missing, everything: false, ct);
            tokens = await TokensAsync(userId, ct);
        }
        return [.. due.Where(d => tokens.ContainsKey((d.Scope, d.RoomId))).Select(d => Link(d, tokens[(d.Scope, d.RoomId)]))];
    }

    /// <summary>New addresses for all of the user's feeds: the old ones answer 404 from the moment this commits.</summary>
    public async Task<Outcome> RotateAsync(ClaimsPrincipal me, CancellationToken ct)
    {
        var userId = UserId(me);
        return await ReplaceAsync(userId, await DueAsync(userId, me, ct), everything: true, ct);
    }

    /// <summary>
    /// The calendar behind a token, or null (404) when no feed has it or its owner may no longer read it: deactivated,
    /// locked out, or without the permission the feed needs. One query whatever the number of bookings.
    /// </summary>
    public async Task<string?> ReadAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return null;
        var hash = ManageToken.Hash(token);
        var now = clock.GetUtcNow();
        var (from, to) = (now.UtcDateTime - Past, now.UtcDateTime + Ahead);
        var feed = await db.CalendarFeeds.AsNoTracking().Where(f => f.TokenHash == hash).Select(f => new
        {
            f.TokenHash,
            f.Scope,
            Studio = db.Settings.Select(s => s.Name).FirstOrDefault(),
            Room = db.Rooms.Where(r => r.Id == f.RoomId).Select(r => r.Name).FirstOrDefault(),
            Employee = db.Employees.Where(e => e.UserId == f.UserId).Select(e => new { e.FullName, e.IsActive }).FirstOrDefault(),
            LockedOut = db.Users.Any(u => u.Id == f.UserId && u.LockoutEnd > now),
            // Permissions are role claims: read as stored now, whatever a session remembers.
            ViewAll = db.UserRoles.Any(r => r.UserId == f.UserId && db.RoleClaims.Any(c => c.RoleId == r.RoleId
                && c.ClaimType == Permissions.ClaimType && c.ClaimValue == Permissions.BookingsViewAll)),
            ViewOwn = db.UserRoles.Any(r => r.UserId == f.UserId && db.RoleClaims.Any(c => c.RoleId == r.RoleId
                && c.ClaimType == Permissions.ClaimType && c.ClaimValue == Permissions.BookingsViewOwn)),
            Events = db.Bookings
                .Where(b => b.StartsAt < to && b.EndsAt > from && Data.Booking.LiveStatuses.Contains(b.Status))
                .Where(b => f.Scope == FeedScope.Studio
                    || (f.Scope == FeedScope.Room && b.RoomId == f.RoomId)
                    || (f.Scope == FeedScope.Employee && b.Photographer != null && b.Photographer.UserId == f.UserId))
                .OrderBy(b => b.StartsAt).ThenBy(b => b.Id)
                .Select(b => new FeedEvent(b.Id, b.Code, b.Revision, b.StartsAt, b.EndsAt, b.UpdatedAt, b.Status,
                    b.Service!.Name, b.Room!.Name, b.Client!.Name))
                .ToList(),
        }).FirstOrDefaultAsync(ct);

        // The lookup is by an index on the hash; the final comparison does not leak timing either way.
        if (feed is null || !CryptographicOperations.FixedTimeEquals(feed.TokenHash, hash) || feed.LockedOut
            || feed.Employee is { IsActive: false })
            return null;
        var name = feed.Scope switch
        {
            FeedScope.Employee when feed.Employee is not null && feed.ViewOwn => feed.Employee.FullName,
            FeedScope.Room when feed.Room is not null && feed.ViewAll => feed.Room,
            FeedScope.Studio when feed.ViewAll => "all sessions",
            _ => null,
        };
        return name is null ? null : FeedIcs.Write($"{feed.Studio}: {name}", feed.Events, links);
    }

    /// <summary>The feeds the user is owed now, in the order the page lists them.</summary>
    private async Task<List<Due>> DueAsync(string userId, ClaimsPrincipal me, CancellationToken ct)
    {
        var due = new List<Due>();
        if (await db.Employees.AnyAsync(e => e.UserId == userId, ct)) due.Add(new(FeedScope.Employee, null, null));
        if (!me.HasClaim(Permissions.ClaimType, Permissions.BookingsViewAll)) return due;
        due.Add(new(FeedScope.Studio, null, null));
        due.AddRange(await db.Rooms.AsNoTracking().Where(r => r.IsActive).OrderBy(r => r.Name)
            .Select(r => new Due(FeedScope.Room, r.Id, r.Name)).ToListAsync(ct));
        return due;
    }

    /// <summary>The user's feeds whose tokens can still be unsealed (a feed sealed with a key since lost is made again).</summary>
    private async Task<Dictionary<(FeedScope, int?), string>> TokensAsync(string userId, CancellationToken ct)
    {
        var tokens = new Dictionary<(FeedScope, int?), string>();
        foreach (var feed in await db.CalendarFeeds.AsNoTracking().Where(f => f.UserId == userId).ToListAsync(ct))
        {
            try
            {
                tokens[(feed.Scope, feed.RoomId)] = protector.Unprotect(feed.TokenSealed);
            }
            catch (CryptographicException)
            {
                // Not readable: left out, so it counts as missing and gets a new token.
            }
        }
        return tokens;
    }

    /// <summary>New tokens for these feeds, in one write; <paramref name="everything"/> also drops the feeds not listed.</summary>
    private Task<Outcome> ReplaceAsync(string userId, IReadOnlyList<Due> feeds, bool everything, CancellationToken ct) =>
        writes.RunAsync(async _ =>
        {
            var rows = await db.CalendarFeeds.Where(f => f.UserId == userId).ToListAsync(ct);
            db.CalendarFeeds.RemoveRange(everything ? rows : rows.Where(r => feeds.Any(d => d.Scope == r.Scope && d.RoomId == r.RoomId)));
            // The old rows go first: the new ones take the same (user, scope, room).
            await db.SaveChangesAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var feed in feeds)
            {
                var token = ManageToken.New();
                db.CalendarFeeds.Add(new CalendarFeed
                {
                    UserId = userId, Scope = feed.Scope, RoomId = feed.RoomId, CreatedAt = now,
                    TokenHash = ManageToken.Hash(token), TokenSealed = protector.Protect(token),
                });
            }
            return Outcome.Ok;
        }, ct);

    private FeedLink Link(Due feed, string token)
    {
        var https = links.Absolute($"/feeds/{token}.ics");
        return new FeedLink(feed.Scope, feed.Room, https, "webcal://" + https[(https.IndexOf("://", StringComparison.Ordinal) + 3)..]);
    }

    private string UserId(ClaimsPrincipal me) => users.GetUserId(me) ?? throw new InvalidOperationException("Signed-in user without an id");
}
