using System.Collections.Frozen;

namespace PhotoStudio.Infrastructure.Events;

/// <summary>
/// Tells this instance's kept report figures (<see cref="Features.Dashboard.ReportCache"/>) that what they are made of
/// changed. Every instance hears of every change: triggers on the <see cref="Tables"/> call
/// <c>pg_notify('reports', '')</c>, delivered at commit to the <see cref="BoardEventListener"/>'s connection; a change
/// on the 'studio' channel (settings, rooms, services) counts too. The instance that wrote hears of its own writes at
/// once (<see cref="Writes.StudioWrites"/>), so its next dashboard already shows them.
/// </summary>
public sealed class ReportChanges
{
    public const string Channel = "reports";

    /// <summary>
    /// The tables written through the app whose changes reach the figures (bookings through the roll-ups their triggers
    /// keep); the <c>ReportChangeNotifications</c> migration's triggers watch the roll-ups themselves and the rest.
    /// </summary>
    public static readonly FrozenSet<string> Tables = FrozenSet.Create(StringComparer.Ordinal,
        "bookings", "business_hours", "closures", "employees", "working_hours", "time_off", "service_employees",
        "rooms", "services", "studio_settings");

    private long generation;

    /// <summary>Moves on with every change; figures read while it moved are not kept.</summary>
    public long Generation => Interlocked.Read(ref generation);

    public void Changed() => Interlocked.Increment(ref generation);
}
