using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure.Events;

namespace PhotoStudio.Features.Board;

/// <summary>
/// Whom a board stream serves, as the database says now: everything with <c>bookings.view_all</c>, else only the
/// bookings the user photographs (and the ones just taken from them).
/// </summary>
public sealed record BoardViewer(string UserId, bool SeesAll, int? EmployeeId)
{
    public bool May(BoardChange change) =>
        SeesAll || EmployeeId is { } me && (change.PhotographerId == me || change.PreviousPhotographerId == me);
}

/// <summary>
/// Decides, when a board stream opens and at each heartbeat, whether its session may still hear of changes: a stream
/// outlives the request checks that let it in, so deactivation, "sign out everywhere", a lost permission and the
/// 12-hour cap must end it too. One instance for the app: it holds no DbContext (each read takes its own scope).
/// </summary>
public sealed class BoardStreamAccess(IServiceScopeFactory scopes, TimeProvider clock, IOptions<IdentityOptions> identity, IConfiguration configuration)
{
    /// <summary>
    /// A comment line this often keeps proxies from closing a quiet stream (<c>Board:HeartbeatSeconds</c>); the user is
    /// checked again just as often.
    /// </summary>
    public TimeSpan Heartbeat { get; } = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Board:HeartbeatSeconds", 20)));

    /// <summary>
    /// Heartbeat checks of one user's streams share a read this recent: a user's thousands of streams (or one
    /// instance's thousands of users' streams whose heartbeats fall together) must not take a pooled connection each
    /// at the same moment. At most half a heartbeat, so a stream never reuses its own previous check: each of its
    /// heartbeats still reads the rights as they are, and a change still ends it within a heartbeat and this.
    /// </summary>
    private TimeSpan Shared => TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, Heartbeat.Ticks / 2));

    private sealed record Rights(string SecurityStamp, bool Active, int? EmployeeId, List<string> Granted);

    private readonly ConcurrentDictionary<string, (long At, Task<Rights?> Read)> recent = new(StringComparer.Ordinal);

    /// <summary>
    /// The viewer this session may be now, or null when the stream must end. A stream opening reads afresh; a
    /// heartbeat may use a read of the same user from the last second.
    /// </summary>
    public async Task<BoardViewer?> CheckAsync(ClaimsPrincipal user, AuthenticationProperties? session, bool opening, CancellationToken ct)
    {
        var signedInAt = session is null ? null : StudioSignInManager.SignedInAt(session) ?? session.IssuedUtc;
        if (signedInAt is null || clock.GetUtcNow() - signedInAt > StudioCookies.AbsoluteLifetime) return null;
        var userId = user.FindFirstValue(identity.Value.ClaimsIdentity.UserIdClaimType);
        var stamp = user.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        if (userId is null || stamp is null) return null;

        var now = await RightsAsync(userId, opening).WaitAsync(ct);
        // The endpoint's own permission must still be there; view_all only widens what the stream hears.
        if (now is null || now.SecurityStamp != stamp || !now.Active || !now.Granted.Contains(Permissions.BookingsViewOwn)) return null;
        return new BoardViewer(userId, now.Granted.Contains(Permissions.BookingsViewAll), now.EmployeeId);
    }

    private Task<Rights?> RightsAsync(string userId, bool fresh)
    {
        if (!fresh && recent.TryGetValue(userId, out var last) && Stopwatch.GetElapsedTime(last.At) < Shared
            && !last.Read.IsFaulted && !last.Read.IsCanceled)
            return last.Read;
        // Not bound to one stream's token: the streams sharing the read each stop waiting on their own.
        var read = ReadAsync(userId);
        recent[userId] = (Stopwatch.GetTimestamp(), read);
        return read;
    }

    /// <summary>Permissions are role claims (the role matrix writes them): read as stored now, not as the cookie remembers.</summary>
    private async Task<Rights?> ReadAsync(string userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
        return await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new Rights(
            u.SecurityStamp!,
            u.Employee == null || u.Employee.IsActive,
            u.Employee != null ? u.Employee.Id : null,
            db.UserRoles.Where(r => r.UserId == u.Id)
                .SelectMany(r => db.RoleClaims.Where(c => c.RoleId == r.RoleId && c.ClaimType == Permissions.ClaimType
                    && (c.ClaimValue == Permissions.BookingsViewAll || c.ClaimValue == Permissions.BookingsViewOwn)))
                .Select(c => c.ClaimValue!).Distinct().ToList())).SingleOrDefaultAsync(CancellationToken.None);
    }
}

/// <summary>
/// Counts the open board streams per user and on this instance (<c>Board:MaxStreamsPerUser</c>,
/// <c>Board:MaxStreams</c>): each holds a request, a channel and a database check per heartbeat, so neither one
/// account nor a flood of them may hold them all.
/// </summary>
public sealed class BoardStreamSlots(IConfiguration configuration)
{
    private readonly int maxPerUser = configuration.GetValue("Board:MaxStreamsPerUser", 6);
    private readonly int max = configuration.GetValue("Board:MaxStreams", 2000);
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> perUser = [];
    private int open;

    public int Open { get { lock (gate) return open; } }

    /// <summary>A slot for one more stream of this user, released when disposed; null when either cap is reached.</summary>
    public IDisposable? TryTake(string userId)
    {
        lock (gate)
        {
            var mine = perUser.GetValueOrDefault(userId);
            if (open >= max || mine >= maxPerUser) return null;
            perUser[userId] = mine + 1;
            open++;
        }
        return new Slot(this, userId);
    }

    private void Release(string userId)
    {
        lock (gate)
        {
            open--;
            if (--perUser[userId] == 0) perUser.Remove(userId);
        }
    }

    private sealed class Slot(BoardStreamSlots slots, string userId) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) slots.Release(userId);
        }
    }
}
