using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Audit;

namespace PhotoStudio.Features.Admin.Audit;

/// <summary>One changed field of an audit entry; a null value was empty (a new or deleted row's other side).</summary>
public record FieldChange(string Field, string? Old, string? New);

/// <summary>An audit entry as the table shows it. <see cref="Who"/> is a name, or null for the client or the system.</summary>
public record AuditRow(long Id, DateTime AtUtc, DateTime AtLocal, string Actor, string Who, string Action, string EntityType,
    string EntityId, string Ip, IReadOnlyList<FieldChange> Changes, string? RawChanges);

public record AuditOption(string Value, string Label);

public record AuditPage(TableState State, Paged<AuditRow> Rows, IReadOnlyList<AuditOption> Actors, IReadOnlyList<string> Types,
    IReadOnlyList<string> Actions, string TimeZone);

/// <summary>Reads the audit trail a page at a time, filtered by actor, entity type, action and local dates.</summary>
public class AuditViewer(StudioDb db)
{
    public static readonly string[] Keys = ["actor", "type", "action", "from", "to", "page"];

    public async Task<AuditPage> PageAsync(TableState state, CancellationToken ct)
    {
        var studio = await db.Settings.AsNoTracking().SingleAsync(ct);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(studio.TimeZone);

        // PostgreSQL text cannot hold NUL (it refuses such a parameter), so no entry can match a filter with one.
        var query = state.Values.Values.Any(v => v.Contains('\0'))
            ? db.AuditEntries.Where(_ => false)
            : Filtered(db.AuditEntries.AsNoTracking(), state, zone);

        var page = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Select(e => new { e.Id, e.At, e.Actor, e.ActorName, e.Action, e.EntityType, e.EntityId, e.Ip, e.Changes })
            .PageAsync(state, ct);

        var actorIds = await db.AuditEntries.AsNoTracking().Select(e => e.Actor).Distinct().ToListAsync(ct);
        var names = await NamesAsync(actorIds, ct);
        var rows = page.Items.Select(e =>
        {
            var (changes, raw) = Parse(e.Changes);
            return new AuditRow(e.Id, e.At, TimeZoneInfo.ConvertTimeFromUtc(e.At, zone), e.Actor,
                names.GetValueOrDefault(e.Actor) ?? (e.ActorName is { Length: > 0 } n ? n : e.Actor),
                e.Action, e.EntityType, e.EntityId, e.Ip, changes, raw);
        }).ToList();

        var actors = actorIds.Where(a => a is not (AuditContext.Client or AuditContext.System))
            .Select(a => new AuditOption(a, names.GetValueOrDefault(a) ?? a)).OrderBy(o => o.Label, StringComparer.CurrentCultureIgnoreCase).ToList();
        var types = await db.AuditEntries.AsNoTracking().Where(e => e.EntityType != "").Select(e => e.EntityType).Distinct().OrderBy(t => t).ToListAsync(ct);
        var actions = await db.AuditEntries.AsNoTracking().Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync(ct);
        return new AuditPage(state, new Paged<AuditRow>(rows, page.Total, page.Page, page.PageSize), actors, types, actions, zone.Id);
    }

    private static IQueryable<AuditEntry> Filtered(IQueryable<AuditEntry> query, TableState state, TimeZoneInfo zone)
    {
        if (state["actor"] is { } actor) query = query.Where(e => e.Actor == actor);
        if (state["type"] is { } type) query = query.Where(e => e.EntityType == type);
        if (state["action"] is { } action) query = query.Where(e => e.Action == action);
        if (LocalMidnight(state["from"], zone, 0) is { } from) query = query.Where(e => e.At >= from);
        if (LocalMidnight(state["to"], zone, 1) is { } to) query = query.Where(e => e.At < to);
        return query;
    }

    /// <summary>Employees by full name, other accounts by email; ids that are no account (client, system) are left out.</summary>
    private async Task<Dictionary<string, string>> NamesAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id))
            .Select(u => new { u.Id, Name = u.Employee != null ? u.Employee.FullName : u.Email ?? u.Id })
            .ToDictionaryAsync(u => u.Id, u => u.Name, ct);

    /// <summary>The UTC instant of a local date's midnight (plus some days), or null for anything that is not a date.</summary>
    private static DateTime? LocalMidnight(string? date, TimeZoneInfo zone, int plusDays) =>
        SaneDates.TryParseDay(date, out var day)
            ? TimeZoneInfo.ConvertTimeToUtc(StartOfDay(day.AddDays(plusDays), zone), zone)
            : null;

    // Midnight can fall in a DST gap in a few zones: the day then starts at the first valid minute.
    private static DateTime StartOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        return local;
    }

    /// <summary>
    /// The <c>{"Field":[old,new]}</c> object as field changes; anything else (written by hand, an older format) is
    /// returned as raw text so it is still shown.
    /// </summary>
    public static (IReadOnlyList<FieldChange> Changes, string? Raw) Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return ([], null);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return ([], json);
            var changes = new List<FieldChange>();
            foreach (var field in doc.RootElement.EnumerateObject())
            {
                if (field.Value is not { ValueKind: JsonValueKind.Array } pair || pair.GetArrayLength() != 2) return ([], json);
                changes.Add(new FieldChange(field.Name, Text(pair[0]), Text(pair[1])));
            }
            return (changes, null);
        }
        catch (JsonException)
        {
            return ([], json);
        }
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}
