using System.Text.Json;
using PhotoStudio.Data;
using Prometheus;

namespace PhotoStudio.Infrastructure.Metrics;

/// <summary>The app's own business counters, in the registry that <c>/metrics</c> exports.</summary>
public sealed class StudioMetrics
{
    private readonly Counter bookingsCreated;
    private readonly Counter statusChanged;
    private readonly Counter signIns;

    public StudioMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        bookingsCreated = factory.CreateCounter("photostudio_bookings_created_total", "Bookings created, by where they came from.", "source");
        statusChanged = factory.CreateCounter("photostudio_bookings_status_changed_total", "Booking status transitions.", "from", "to");
        signIns = factory.CreateCounter("photostudio_signins_total", "Sign-in attempts, by result.", "result");
    }

    /// <param name="source">Where the booking came from, e.g. <c>web</c> or <c>staff</c>; keep the set small.</param>
    public void BookingCreated(string source) => bookingsCreated.WithLabels(source).Inc();

    public void StatusChanged(BookingStatus from, BookingStatus to) => statusChanged.WithLabels(Label(from), Label(to)).Inc();

    /// <param name="result">e.g. <c>success</c>, <c>failure</c>, <c>locked_out</c>, <c>second_factor</c>; never a user name.</param>
    public void SignIn(string result) => signIns.WithLabels(result).Inc();

    // NoShow becomes no_show, as label values usually read.
    private static string Label(BookingStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}
