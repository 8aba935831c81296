using PhotoStudio.Data;

namespace PhotoStudio.Infrastructure.Audit;

/// <summary>Security events (sign-ins, 2FA, passwords, roles) that are not a change of a business row.</summary>
public sealed class AuditLog(StudioDb db, AuditContext actor, TimeProvider clock)
{
    /// <param name="subjectId">The account concerned, when known (it is also the actor when nobody is signed in yet).</param>
    /// <param name="subjectName">The account name as typed or stored; never a password, code or key.</param>
    public async Task RecordAsync(string action, string? subjectId = null, string? subjectName = null,
        IReadOnlyDictionary<string, object?[]>? changes = null, CancellationToken ct = default)
    {
        var signedIn = actor.Actor is not (AuditContext.Client or AuditContext.System);
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            Actor = signedIn ? actor.Actor : subjectId ?? actor.Actor,
            ActorName = signedIn ? actor.ActorName : subjectName ?? "",
            Action = action,
            EntityType = subjectId is null ? "" : nameof(StudioUser),
            EntityId = subjectId ?? "",
            Changes = changes is null ? null : System.Text.Json.JsonSerializer.Serialize(changes),
            Ip = actor.Ip,
            TraceId = actor.TraceId,
        });
        await db.SaveChangesAsync(ct);
    }
}
