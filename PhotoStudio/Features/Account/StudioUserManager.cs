using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Audit;

namespace PhotoStudio.Features.Account;

/// <summary>
/// Identity's user manager, except that a failed attempt is counted by the database itself. Identity counts on the
/// user object its request read and saves the whole row; of several wrong guesses sent at once only one would count,
/// and guessing in parallel would never reach the lockout.
/// </summary>
public sealed class StudioUserManager(
    IUserStore<StudioUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<StudioUser> passwordHasher,
    IEnumerable<IUserValidator<StudioUser>> userValidators,
    IEnumerable<IPasswordValidator<StudioUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<StudioUser>> logger,
    StudioDb db,
    AuditContext actor,
    TimeProvider clock)
    : UserManager<StudioUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    /// <summary>
    /// One UPDATE counts the failure on the row as it is now; the failure that reaches the limit locks the account
    /// (when lockout is enabled for it) and starts the count again. It also renews the concurrency stamp, so a request
    /// that read the user earlier cannot save it back whole (resetting the count, clearing the lockout): Identity
    /// refuses that save as a concurrency failure.
    /// </summary>
    public override async Task<IdentityResult> AccessFailedAsync(StudioUser user)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(user);
        var limit = Options.Lockout.MaxFailedAccessAttempts;
        var lockedUntil = clock.GetUtcNow().ToUniversalTime() + Options.Lockout.DefaultLockoutTimeSpan;
        var stamp = Guid.NewGuid().ToString();

        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(CancellationToken) : null;
        // The locked sub-select reads the row as the UPDATE finds it (after any failure counted just before), so the
        // audit gets the true old values. GREATEST keeps a longer lockout, such as a deactivated employee's.
        var rows = await db.Database.SqlQuery<CountedFailure>($"""
            UPDATE users AS u SET
                access_failed_count = CASE WHEN u.lockout_enabled AND u.access_failed_count + 1 >= {limit} THEN 0 ELSE u.access_failed_count + 1 END,
                lockout_end = CASE WHEN u.lockout_enabled AND u.access_failed_count + 1 >= {limit} THEN GREATEST(u.lockout_end, {lockedUntil}) ELSE u.lockout_end END,
                concurrency_stamp = {stamp}
            FROM (SELECT id, access_failed_count, lockout_end FROM users WHERE id = {user.Id} FOR UPDATE) AS old
            WHERE u.id = old.id
            RETURNING old.access_failed_count AS "OldCount", u.access_failed_count AS "Count",
                      old.lockout_end AS "OldLockoutEnd", u.lockout_end AS "LockoutEnd"
            """).ToListAsync(CancellationToken);
        if (rows is not [var counted])
            return IdentityResult.Failed(ErrorDescriber.ConcurrencyFailure());

        await AuditAsync(user, counted);
        if (tx is not null) await tx.CommitAsync(CancellationToken);
        if (counted.LockoutEnd != counted.OldLockoutEnd)
            Logger.LogDebug("User is locked out.");
        Refresh(user, counted, stamp);
        return IdentityResult.Success;
    }

    private sealed record CountedFailure(int OldCount, int Count, DateTimeOffset? OldLockoutEnd, DateTimeOffset? LockoutEnd);

    /// <summary>The same entry the audit interceptor writes when Identity saves the row itself.</summary>
    private async Task AuditAsync(StudioUser user, CountedFailure counted)
    {
        var changes = new Dictionary<string, object?[]>();
        if (counted.Count != counted.OldCount) changes[nameof(StudioUser.AccessFailedCount)] = [counted.OldCount, counted.Count];
        if (counted.LockoutEnd != counted.OldLockoutEnd) changes[nameof(StudioUser.LockoutEnd)] = [counted.OldLockoutEnd, counted.LockoutEnd];
        if (changes.Count == 0) return;
        var json = JsonSerializer.Serialize(changes);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO audit_entries (at, actor, actor_name, action, entity_type, entity_id, changes, ip, trace_id)
            VALUES ({clock.GetUtcNow().UtcDateTime}, {actor.Actor}, {actor.ActorName}, 'updated', {nameof(StudioUser)}, {user.Id},
                    {json}::jsonb, {actor.Ip}, {actor.TraceId})
            """, CancellationToken);
    }

    /// <summary>
    /// The caller's user object (tracked by this request's context) takes the stored values as both current and
    /// original: later code in the request sees the truth, and a later save of the object neither writes the old
    /// count back nor fails on the stamp renewed here.
    /// </summary>
    private void Refresh(StudioUser user, CountedFailure counted, string stamp)
    {
        user.AccessFailedCount = counted.Count;
        user.LockoutEnd = counted.LockoutEnd;
        user.ConcurrencyStamp = stamp;
        var entry = db.Entry(user);
        if (entry.State == EntityState.Detached) return;
        foreach (var name in (string[])[nameof(StudioUser.AccessFailedCount), nameof(StudioUser.LockoutEnd), nameof(StudioUser.ConcurrencyStamp)])
        {
            var property = entry.Property(name);
            property.OriginalValue = property.CurrentValue;
            property.IsModified = false;
        }
    }
}
