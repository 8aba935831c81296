using System.Text.Json;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using PhotoStudio.Data;

namespace PhotoStudio.Infrastructure.Audit;

/// <summary>
/// Records every business change (created, updated, deleted; old → new of each changed field) in
/// <c>audit_entries</c>, in the same transaction as the change itself. Secrets are never recorded.
/// </summary>
public sealed class AuditInterceptor(AuditContext actor, TimeProvider clock) : SaveChangesInterceptor
{
    // Whole tables that are either secrets or noise.
    private static readonly HashSet<Type> Unaudited =
    [
        typeof(AuditEntry), typeof(BoardEvent), typeof(DataProtectionKey), typeof(WebhookEvent), typeof(WebhookDelivery),
        typeof(IdentityUserToken<string>), typeof(IdentityUserLogin<string>),
    ];

    // Fields that are secrets (or derived from them) wherever they appear.
    private static readonly HashSet<string> SecretFields =
    [
        nameof(StudioUser.PasswordHash), nameof(StudioUser.SecurityStamp), nameof(StudioUser.ConcurrencyStamp),
        nameof(StudioUser.LastTotpTimeStep), nameof(Booking.ManageTokenHash), nameof(Booking.ManageTokenSealed), nameof(Booking.Version),
        nameof(CalendarFeed.TokenHash), nameof(CalendarFeed.TokenSealed), nameof(ApiKey.SecretHash),
        nameof(WebhookEndpoint.SecretSealed),
    ];

    /// <summary>
    /// The outbox is a log of its own (<c>/admin/notifications</c>): its rows being queued with a change and marked by the
    /// sender are not business changes. A person acting on a row (sending a failed message again) is.
    /// </summary>
    private bool IsOutboxBookkeeping(EntityEntry e) =>
        e.Metadata.ClrType == typeof(Notification) && (e.State == EntityState.Added || actor.Actor == AuditContext.System);

    private List<(EntityEntry Entry, string Action, Dictionary<string, object?[]> Changes)>? pending;
    private IDbContextTransaction? ownTransaction;

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData,
        InterceptionResult<int> result, CancellationToken ct = default)
    {
        var db = eventData.Context!;
        pending = db.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Where(e => !Unaudited.Contains(e.Metadata.ClrType) && !IsOutboxBookkeeping(e))
            .Select(e => (e, Action(e.State), Changes(e)))
            .Where(x => x.Item1.State != EntityState.Modified || x.Item3.Count > 0)
            .ToList();
        // The audit rows go in after the change (new rows need their ids), so both share one transaction.
        if (pending.Count > 0 && db.Database.CurrentTransaction is null)
            ownTransaction = await db.Database.BeginTransactionAsync(ct);
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        if (pending is { Count: > 0 } entries)
        {
            pending = null;
            var now = clock.GetUtcNow().UtcDateTime;
            var rows = entries.Select(x => new
            {
                at = now,
                actor = actor.Actor,
                actor_name = actor.ActorName,
                action = x.Action,
                entity_type = x.Entry.Metadata.ClrType.Name,
                entity_id = string.Join(",", x.Entry.Metadata.FindPrimaryKey()!.Properties.Select(p => x.Entry.Property(p.Name).CurrentValue)),
                changes = x.Changes,
                ip = actor.Ip,
                trace_id = actor.TraceId,
            });
            var json = JsonSerializer.Serialize(rows);
            // One round trip for all entries, on the connection and transaction of the change.
            await eventData.Context!.Database.ExecuteSqlAsync($"""
                INSERT INTO audit_entries (at, actor, actor_name, action, entity_type, entity_id, changes, ip, trace_id)
                SELECT at, actor, actor_name, action, entity_type, entity_id, changes, ip, trace_id
                FROM jsonb_to_recordset({json}::jsonb) AS x(at timestamptz, actor text, actor_name text, action text,
                    entity_type text, entity_id text, changes jsonb, ip text, trace_id text)
                """, ct);
        }
        if (ownTransaction is { } tx)
        {
            ownTransaction = null;
            await tx.CommitAsync(ct);
            await tx.DisposeAsync();
        }
        return result;
    }

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        pending = null;
        if (ownTransaction is { } tx)
        {
            ownTransaction = null;
            await tx.RollbackAsync(ct);
            await tx.DisposeAsync();
        }
    }

    private static string Action(EntityState state) => state switch
    {
        EntityState.Added => "created",
        EntityState.Deleted => "deleted",
        _ => "updated",
    };

    private static Dictionary<string, object?[]> Changes(EntityEntry entry)
    {
        var changes = new Dictionary<string, object?[]>();
        foreach (var p in entry.Properties)
        {
            if (SecretFields.Contains(p.Metadata.Name) || p.Metadata.IsShadowProperty()) continue;
            switch (entry.State)
            {
                case EntityState.Added when p.CurrentValue is not null && !p.IsTemporary:
                    changes[p.Metadata.Name] = [null, Plain(p.CurrentValue)];
                    break;
                case EntityState.Deleted:
                    changes[p.Metadata.Name] = [Plain(p.OriginalValue), null];
                    break;
                case EntityState.Modified when p.IsModified && !Equals(p.OriginalValue, p.CurrentValue):
                    changes[p.Metadata.Name] = [Plain(p.OriginalValue), Plain(p.CurrentValue)];
                    break;
            }
        }
        return changes;
    }

    // Values as they read in an audit viewer: enums by name, ranges as text.
    private static object? Plain(object? value) => value switch
    {
        null => null,
        Enum e => e.ToString(),
        NpgsqlTypes.NpgsqlRange<DateTime> r => r.ToString(),
        _ => value,
    };
}
