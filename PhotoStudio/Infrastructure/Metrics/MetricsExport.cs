using System.Diagnostics.Metrics;
using Prometheus;
using Prometheus.HttpMetrics;

namespace PhotoStudio.Infrastructure.Metrics;

/// <summary>
/// prometheus-net set up for <c>/metrics</c>: HTTP metrics by route template, process and runtime metrics, the app's
/// ASP.NET Core meters and <see cref="StudioMetrics"/>, all in one registry per app.
/// </summary>
/// <remarks>
/// Not prometheus-net's static default registry: the tests run many apps in one process, and that registry would also
/// start its EventCounter adapter, whose families are noise next to the meters below.
/// </remarks>
public static class MetricsExport
{
    public static IServiceCollection AddStudioMetrics(this IServiceCollection services)
    {
        services.AddSingleton(_ =>
        {
            var registry = Prometheus.Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            return registry;
        });
        services.AddSingleton<StudioMetrics>();
        services.AddSingleton<InstanceMetrics>();
        services.AddScoped<StatusChangeCounter>();
        // Hosted services start before Kestrel accepts connections, so no request goes unmeasured.
        services.AddHostedService<MeterExport>();
        return services;
    }

    /// <summary>
    /// Request count and duration by method, status and route template, in-flight requests by method. Put it before the
    /// error pages, so a request is counted once, with its final status, under the route it asked for.
    /// </summary>
    public static IApplicationBuilder UseStudioHttpMetrics(this IApplicationBuilder app)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(app.ApplicationServices.GetRequiredService<CollectorRegistry>());
        // prometheus-net's default labels add controller and action, read at the end of the request: an error page's.
        string[] labels = [HttpRequestLabelNames.Code, HttpRequestLabelNames.Method, HttpRequestLabelNames.Endpoint];
        var endpoint = new HttpCustomLabel(HttpRequestLabelNames.Endpoint, context => RequestRoutes.Template(context) ?? "");
        return app.UseHttpMetrics(o =>
        {
            o.RequestCount.Counter = factory.CreateCounter("http_requests_received_total",
                "Requests processed, by status, method and route template.", labels);
            o.RequestCount.CustomLabels.Add(endpoint);
            o.RequestDuration.Histogram = factory.CreateHistogram("http_request_duration_seconds",
                "Duration of requests, by status, method and route template.", labels,
                new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
            o.RequestDuration.CustomLabels.Add(endpoint);
            // The route is not known yet when a request starts.
            o.InProgress.Gauge = factory.CreateGauge("http_requests_in_progress", "Requests in progress, by method.",
                HttpRequestLabelNames.Method);
        });
    }

    public static IEndpointConventionBuilder MapStudioMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        var registry = endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>();
        // The outbox gauges read the database at each scrape: every instance exports them, not only one that has sent mail.
        endpoints.ServiceProvider.GetRequiredService<Features.Notifications.NotificationMetrics>();
        endpoints.ServiceProvider.GetRequiredService<InstanceMetrics>();
        // MapMetrics answers every method; a scrape is a GET.
        return endpoints.MapMetrics(o => o.Registry = registry, pattern)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
            .AllowAnonymous();
    }
}

/// <summary>Exports the runtime's meters and this app's ASP.NET Core meters through prometheus-net's meter adapter.</summary>
internal sealed class MeterExport(CollectorRegistry registry, IMeterFactory meterFactory) : IHostedService, IDisposable
{
    // Hosting's request metrics are the HTTP metrics above, by route template.
    private static readonly HashSet<string> AppMeters =
    [
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Identity",
        "Microsoft.AspNetCore.Diagnostics",
    ];

    // The adapter publishes every instrument as a gauge or histogram; promtool's lint refuses these endings on them.
    private static readonly string[] CounterEndings = ["count", "total", "sum", "bucket"];

    private IDisposable? adapter;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
            InstrumentFilterPredicate = Exported,
        });
        return Task.CompletedTask;
    }

    // Keep answering scrapes while the host drains.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => adapter?.Dispose();

    private bool Exported(Instrument instrument)
    {
        var meter = instrument.Meter;
        // The runtime's meter is the process's; an ASP.NET Core meter is one host's (tests run several).
        var ours = meter.Name == "System.Runtime" || (AppMeters.Contains(meter.Name) && ReferenceEquals(meter.Scope, meterFactory));
        return ours && !CounterEndings.Contains(instrument.Name.Split('.', '_')[^1]);
    }
}
