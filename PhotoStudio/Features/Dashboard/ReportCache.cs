using System.Collections.Concurrent;
using PhotoStudio.Infrastructure.Events;

namespace PhotoStudio.Features.Dashboard;

/// <summary>
/// The dashboard's figures of a period as this instance last read them, kept until <see cref="ReportChanges"/> says
/// something they are made of changed (a booking, the hours, the staff, the settings: on any instance). A dashboard is
/// opened far more often than its figures change, and a year of them costs a dozen queries over the roll-ups.
/// The figures are the same for everyone allowed to see the dashboard; who is allowed is checked before.
/// </summary>
public sealed class ReportCache(ReportChanges changes)
{
    /// <summary>At most this many periods are kept; past it they are all dropped (any period may be asked for).</summary>
    public const int MaxPeriods = 32;

    private sealed record Kept(long Generation, object Value);

    private readonly ConcurrentDictionary<object, Kept> kept = new();

    /// <summary>The value kept for <paramref name="key"/>, or <paramref name="read"/>'s, kept when nothing changed meanwhile.</summary>
    public async Task<T> GetAsync<T>(object key, Func<Task<T>> read) where T : class
    {
        var generation = changes.Generation;
        if (kept.TryGetValue(key, out var k) && k.Generation == generation) return (T)k.Value;
        var value = await read();
        // Read while a change was heard of: it may be from before the change, so it is not kept.
        if (changes.Generation != generation) return value;
        if (kept.Count >= MaxPeriods) kept.Clear();
        kept[key] = new Kept(generation, value);
        return value;
    }
}
