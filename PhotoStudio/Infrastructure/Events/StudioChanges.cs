using System.Collections.Frozen;
using Microsoft.AspNetCore.OutputCaching;

namespace PhotoStudio.Infrastructure.Events;

/// <summary>
/// Tells this instance's caches of the studio's public face (the settings row, the anonymous pages) that it changed.
/// Every instance hears of every change: triggers on the watched tables call <c>pg_notify('studio', table)</c>, which
/// PostgreSQL delivers at commit to the <see cref="BoardEventListener"/>'s connection; the instance that wrote hears
/// of its own writes at once as well (<see cref="Writes.StudioWrites"/>), so its next page never shows the old values.
/// </summary>
public sealed class StudioChanges(IOutputCacheStore pages, ILogger<StudioChanges> log)
{
    public const string Channel = "studio";

    /// <summary>The tag of every cached public page: one change evicts them all.</summary>
    public const string PageTag = "studio";

    /// <summary>
    /// The tables the triggers of the <c>PublicChangeNotifications</c> migration watch: everything the cached pages and
    /// the cached settings show. A page that starts to show another table needs a trigger on it and its name here.
    /// </summary>
    public static readonly FrozenSet<string> Tables = FrozenSet.Create(StringComparer.Ordinal, "studio_settings", "services", "rooms");

    private long generation;

    /// <summary>
    /// Moves on with every change. A cache keeps what it read only when the generation is still the one it saw before
    /// reading: a change committed meanwhile (the notification comes after the commit) may be missing from it.
    /// </summary>
    public long Generation => Interlocked.Read(ref generation);

    /// <summary>Something public changed (or may have, after a lost connection): drop what was cached.</summary>
    public void Changed()
    {
        Interlocked.Increment(ref generation);
        var eviction = pages.EvictByTagAsync(PageTag, CancellationToken.None);
        if (!eviction.IsCompletedSuccessfully) _ = LogFailureAsync(eviction.AsTask());
    }

    private async Task LogFailureAsync(Task eviction)
    {
        try
        {
            await eviction;
        }
        catch (Exception e)
        {
            // The store refused; the generation has moved on, so nothing read before the change is stored again, and
            // what is stored expires on its own.
            log.LogWarning(e, "Could not evict the cached public pages");
        }
    }
}
