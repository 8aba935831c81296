using System.Diagnostics.Metrics;

namespace PhotoStudio.Infrastructure.Metrics;

/// <summary>The app's own business counters, on the <c>photostudio</c> meter that <c>/metrics</c> exports.</summary>
public sealed class StudioMetrics
{
    public const string MeterName = "photostudio";

    private readonly Counter<long> bookingsCreated;
    private readonly Counter<long> statusChanged;
    private readonly Counter<long> signIns;

    public StudioMetrics(IMeterFactory meterFactory)
    {
        // The factory owns the meter and disposes it with the container.
        var meter = meterFactory.Create(MeterName);
        bookingsCreated = meter.CreateCounter<long>("photostudio.bookings.created", "{booking}", "Bookings created, by where they came from.");
        statusChanged = meter.CreateCounter<long>("photostudio.bookings.status_changed", "{booking}", "Booking status transitions.");
        signIns = meter.CreateCounter<long>("photostudio.signins", "{attempt}", "Sign-in attempts, by result.");
    }

    /// <param name="source">Where the booking came from, e.g. <c>wizard</c> or <c>staff</c>; keep the set small.</param>
    public void BookingCreated(string source) => bookingsCreated.Add(1, new KeyValuePair<string, object?>("source", source));

    public void StatusChanged(string from, string to) =>
        statusChanged.Add(1, new KeyValuePair<string, object?>("from", from), new KeyValuePair<string, object?>("to", to));

    /// <param name="result">e.g. <c>success</c>, <c>failed</c>, <c>locked_out</c>, <c>two_factor</c>; never a user name.</param>
    public void SignIn(string result) => signIns.Add(1, new KeyValuePair<string, object?>("result", result));
}
