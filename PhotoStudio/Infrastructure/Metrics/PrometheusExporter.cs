using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Numerics;
using System.Text;
using Microsoft.Extensions.Options;

namespace PhotoStudio.Infrastructure.Metrics;

/// <summary>Which meters <c>/metrics</c> exports, by exact meter name.</summary>
public sealed class PrometheusExporterOptions
{
    public HashSet<string> Meters { get; } =
    [
        StudioMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Identity",
        "System.Runtime",
    ];
}

/// <summary>
/// Aggregates <c>System.Diagnostics.Metrics</c> measurements in memory and renders them in the Prometheus text format 0.0.4
/// (prometheus-net and OpenTelemetry's exporter are not in our package feed).
/// </summary>
public sealed class PrometheusExporter : IHostedService, IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    // OpenTelemetry's default boundaries, for histograms that are neither in seconds nor advise their own.
    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly HashSet<string> meters;
    private readonly IMeterFactory meterFactory;
    private readonly ILogger<PrometheusExporter> logger;
    private readonly MeterListener listener = new();
    private readonly Lock registration = new();
    private readonly Dictionary<string, Family> families = new(StringComparer.Ordinal);
    // Every sample name in use, so that e.g. a gauge called x_count cannot collide with histogram x.
    private readonly HashSet<string> sampleNames = new(StringComparer.Ordinal);
    private readonly Lock scraping = new();

    public PrometheusExporter(IOptions<PrometheusExporterOptions> options, IMeterFactory meterFactory, ILogger<PrometheusExporter> logger)
    {
        meters = new(options.Value.Meters, StringComparer.Ordinal);
        this.meterFactory = meterFactory;
        this.logger = logger;
        listener.InstrumentPublished = OnInstrumentPublished;
        Listen<byte>();
        Listen<short>();
        Listen<int>();
        Listen<long>();
        Listen<float>();
        Listen<double>();
        Listen<decimal>();
    }

    /// <summary>Starts listening; as a hosted service this happens before the server accepts requests.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        listener.Start();
        return Task.CompletedTask;
    }

    // Keep answering scrapes while the host drains.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => listener.Dispose();

    /// <summary>Reads the observable instruments and renders every metric family.</summary>
    public string Scrape()
    {
        lock (scraping)
        {
            Family[] snapshot;
            lock (registration)
                snapshot = [.. families.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];

            // Observable instruments report their whole state each time; series they stop reporting must go.
            foreach (var family in snapshot.Where(f => f.IsObservable))
                family.Clear();
            try
            {
                listener.RecordObservableInstruments();
            }
            catch (AggregateException e)
            {
                // One broken callback should not blank the whole page; the others have been recorded.
                logger.LogWarning(e, "An observable instrument failed; its metrics are missing from this scrape");
            }

            var text = new StringBuilder(32 * 1024);
            foreach (var family in snapshot)
                family.Render(text);
            return text.ToString();
        }
    }

    private void Listen<T>() where T : struct, INumberBase<T> =>
        listener.SetMeasurementEventCallback<T>(static (_, value, tags, state) =>
            ((Family)state!).Record(double.CreateSaturating(value), tags));

    private void OnInstrumentPublished(Instrument instrument, MeterListener source)
    {
        if (!meters.Contains(instrument.Meter.Name) || KindOf(instrument) is not { } kind) return;
        // A listener sees every meter in the process; another host's (tests run several) belongs to another factory.
        if (instrument.Meter.Scope is not null && !ReferenceEquals(instrument.Meter.Scope, meterFactory)) return;
        var name = MetricName(instrument, kind);
        lock (registration)
        {
            if (families.TryGetValue(name, out var existing))
            {
                // The same instrument from another Meter instance (e.g. a static one) shares the series.
                if (existing.Kind == kind)
                    source.EnableMeasurementEvents(instrument, existing);
                else
                    logger.LogWarning("Metric {Metric} from {Meter} clashes with an existing {Type}; not exported",
                        name, instrument.Meter.Name, existing.Type);
                return;
            }

            string[] samples = kind == Kind.Histogram ? [name + "_bucket", name + "_sum", name + "_count"] : [name];
            if (samples.Any(sampleNames.Contains))
            {
                logger.LogWarning("Metric {Metric} from {Meter} clashes with the samples of another metric; not exported",
                    name, instrument.Meter.Name);
                return;
            }

            var family = new Family(name, string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description, kind, BucketsFor(instrument, kind));
            families.Add(name, family);
            sampleNames.UnionWith(samples);
            source.EnableMeasurementEvents(instrument, family);
        }
    }

    private static Kind? KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>)) return Kind.Counter;
        if (definition == typeof(UpDownCounter<>)) return Kind.UpDownCounter;
        if (definition == typeof(Histogram<>)) return Kind.Histogram;
        if (definition == typeof(Gauge<>)) return Kind.Gauge;
        if (definition == typeof(ObservableCounter<>)) return Kind.ObservableCounter;
        if (definition == typeof(ObservableUpDownCounter<>)) return Kind.ObservableUpDownCounter;
        if (definition == typeof(ObservableGauge<>)) return Kind.ObservableGauge;
        return null;
    }

    /// <summary>OpenTelemetry's Prometheus naming: dots to underscores, base unit as a suffix, counters end in <c>_total</c>.</summary>
    private static string MetricName(Instrument instrument, Kind kind)
    {
        var name = Sanitize(instrument.Name);
        var isCounter = kind is Kind.Counter or Kind.ObservableCounter;
        if (isCounter && name.EndsWith("_total", StringComparison.Ordinal)) name = name[..^"_total".Length];
        var unit = instrument.Unit switch { "s" => "seconds", "By" => "bytes", _ => null };
        if (unit is not null && !name.Split('_').Contains(unit)) name += "_" + unit;
        if (isCounter) return name + "_total";
        // These suffixes belong to histograms and counters (promtool rejects them elsewhere): dotnet.timer.count becomes dotnet_timer_count_current.
        string[] reserved = ["_count", "_sum", "_bucket", "_total"];
        return kind != Kind.Histogram && reserved.Any(r => name.EndsWith(r, StringComparison.Ordinal)) ? name + "_current" : name;
    }

    private static double[] BucketsFor(Instrument instrument, Kind kind)
    {
        if (kind != Kind.Histogram) return [];
        if (instrument.Unit == "s") return SecondsBuckets;
        IEnumerable<double>? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            _ => null,
        };
        var buckets = advised?.Where(double.IsFinite).Distinct().Order().ToArray();
        return buckets is { Length: > 0 } ? buckets : DefaultBuckets;
    }

    // Metric and label names: [a-zA-Z_][a-zA-Z0-9_]*; colons are reserved for recording rules.
    private static string Sanitize(string name)
    {
        if (name.Length == 0) return "_";
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_') chars[i] = '_';
        return char.IsAsciiDigit(chars[0]) ? "_" + new string(chars) : new string(chars);
    }

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString(CultureInfo.InvariantCulture);

    private enum Kind { Counter, UpDownCounter, Histogram, Gauge, ObservableCounter, ObservableUpDownCounter, ObservableGauge }

    /// <summary>One metric family: its series, keyed by their rendered label set.</summary>
    private sealed class Family(string name, string help, Kind kind, double[] buckets)
    {
        private static readonly ConcurrentDictionary<string, string> LabelNames = new();

        private readonly ConcurrentDictionary<string, Series> series = new(StringComparer.Ordinal);

        public string Name => name;
        public Kind Kind => kind;
        public bool IsObservable => kind is Kind.ObservableCounter or Kind.ObservableUpDownCounter or Kind.ObservableGauge;

        public string Type => kind switch
        {
            Kind.Counter or Kind.ObservableCounter => "counter",
            Kind.Histogram => "histogram",
            _ => "gauge",
        };

        public void Clear() => series.Clear();

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var target = series.GetOrAdd(labels, static (_, f) => f.NewSeries(), this);
            switch (kind)
            {
                case Kind.Counter or Kind.UpDownCounter: target.Add(value); break;
                case Kind.Histogram: target.Observe(value, BucketIndex(value)); break;
                default: target.Set(value); break;
            }
        }

        private Series NewSeries() => new(kind, buckets.Length);

        // Buckets are upper bounds, inclusive; past the last one is the +Inf bucket.
        private int BucketIndex(double value)
        {
            var i = Array.BinarySearch(buckets, value);
            return i >= 0 ? i : ~i;
        }

        public void Render(StringBuilder text)
        {
            if (series.IsEmpty) return;
            text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(Type).Append('\n');
            foreach (var (labels, s) in series.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var (value, counts, sum, count) = s.Snapshot();
                if (kind != Kind.Histogram)
                {
                    Sample(text, name, labels, null, value);
                    continue;
                }
                long cumulative = 0;
                for (var i = 0; i < buckets.Length; i++)
                {
                    cumulative += counts[i];
                    Sample(text, name + "_bucket", labels, Format(buckets[i]), cumulative);
                }
                Sample(text, name + "_bucket", labels, "+Inf", count);
                Sample(text, name + "_sum", labels, null, sum);
                Sample(text, name + "_count", labels, null, count);
            }
        }

        private static void Sample(StringBuilder text, string name, string labels, string? le, double value)
        {
            text.Append(name);
            if (labels.Length > 0 || le is not null)
            {
                text.Append('{').Append(labels);
                if (le is not null) text.Append(labels.Length > 0 ? "," : "").Append("le=\"").Append(le).Append('"');
                text.Append('}');
            }
            text.Append(' ').Append(Format(value)).Append('\n');
        }

        /// <summary>Renders the tags as <c>a="1",b="2"</c>, sorted, so equal tag sets in any order share one series.</summary>
        private string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty) return "";
            var pairs = new (string Name, string Tag, string Value)[tags.Length];
            for (var i = 0; i < tags.Length; i++)
                pairs[i] = (LabelNames.GetOrAdd(tags[i].Key, LabelName), tags[i].Key, LabelValue(tags[i].Value));
            // By tag too, so that when two tags sanitize to one label the same one always wins.
            Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var c and not 0 ? c : string.CompareOrdinal(a.Tag, b.Tag));

            var text = new StringBuilder();
            string? previous = null;
            foreach (var (label, _, value) in pairs)
            {
                // Two tags that sanitize to one name, or a tag called le on a histogram, would make the line invalid.
                if (label == previous || (label == "le" && kind == Kind.Histogram)) continue;
                previous = label;
                if (text.Length > 0) text.Append(',');
                text.Append(label).Append("=\"").Append(value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")).Append('"');
            }
            return text.ToString();
        }

        private static string LabelName(string tag)
        {
            var name = Sanitize(tag);
            // Names starting with __ are reserved for Prometheus itself.
            return name.StartsWith("__", StringComparison.Ordinal) ? "tag" + name : name;
        }

        private static string LabelValue(object? value) => value switch
        {
            null => "",
            string s => s,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };

        private static string EscapeHelp(string help) => help.Replace("\\", "\\\\").Replace("\n", "\\n");
    }

    /// <summary>One series' running state; a lock keeps a histogram's buckets, sum and count consistent with each other.</summary>
    private sealed class Series(Kind kind, int bucketCount)
    {
        private readonly Lock gate = new();
        private readonly long[] counts = kind == Kind.Histogram ? new long[bucketCount + 1] : [];
        private double value;
        private double sum;
        private long count;

        public void Add(double delta) { lock (gate) value += delta; }

        public void Set(double latest) { lock (gate) value = latest; }

        public void Observe(double measurement, int bucket)
        {
            lock (gate)
            {
                counts[bucket]++;
                sum += measurement;
                count++;
            }
        }

        public (double Value, long[] Counts, double Sum, long Count) Snapshot()
        {
            lock (gate) return (value, (long[])counts.Clone(), sum, count);
        }
    }
}

/// <summary>Registers the exporter with <see cref="StudioMetrics"/> and maps the scrape endpoint.</summary>
public static class PrometheusExporterExtensions
{
    public static IServiceCollection AddPrometheusExporter(this IServiceCollection services, Action<PrometheusExporterOptions>? configure = null)
    {
        services.AddMetrics();
        var options = services.AddOptions<PrometheusExporterOptions>();
        if (configure is not null) options.Configure(configure);
        services.AddSingleton<StudioMetrics>();
        services.AddSingleton<PrometheusExporter>();
        // Hosted services start before Kestrel accepts connections, so no request goes uncounted.
        services.AddHostedService(sp => sp.GetRequiredService<PrometheusExporter>());
        return services;
    }

    public static RouteHandlerBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics") =>
        endpoints.MapGet(pattern, (PrometheusExporter exporter) => Results.Text(exporter.Scrape(), PrometheusExporter.ContentType))
            .AllowAnonymous()
            .ExcludeFromDescription();
}
