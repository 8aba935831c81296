using System.Diagnostics;
using System.Security.Claims;
using Serilog;
using Serilog.AspNetCore;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace PhotoStudio.Infrastructure;

/// <summary>Serilog set-up: readable console lines in Development, one JSON object per line elsewhere; one line per request.</summary>
public static class StudioLogging
{
    // Probes and scrapes arrive every few seconds and would drown everything else.
    private static readonly PathString[] QuietPaths = ["/health/live", "/metrics"];

    /// <summary>The app's own logger, never the static <see cref="Log.Logger"/>: the tests run several apps in one process.</summary>
    public static IServiceCollection AddStudioLogging(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSerilog((provider, config) => Configure(config, provider, configuration, environment), preserveStaticLogger: true);
        // Serilog's factory makes a new logger, with caches of its own, on every CreateLogger; ASP.NET Core asks for one
        // with every authentication handler, that is with every request (an open board stream keeps two alive).
        var serilog = services.Last(d => d.ServiceType == typeof(ILoggerFactory));
        var make = serilog.ImplementationFactory
            ?? throw new InvalidOperationException("Serilog's logger factory is expected to be registered by a factory method.");
        services.Remove(serilog);
        return services.AddSingleton<ILoggerFactory>(provider => new OneLoggerPerCategory((ILoggerFactory)make(provider)));
    }

    /// <summary>A logger factory that hands out one logger per category, as ASP.NET Core's own does.</summary>
    private sealed class OneLoggerPerCategory(ILoggerFactory inner) : ILoggerFactory
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Microsoft.Extensions.Logging.ILogger> loggers = new(StringComparer.Ordinal);

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => loggers.GetOrAdd(categoryName, inner.CreateLogger);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    private static void Configure(LoggerConfiguration config, IServiceProvider provider, IConfiguration configuration, IHostEnvironment environment)
    {
        config
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.With<RedactSecretPaths>()
            .ReadFrom.Configuration(configuration)
            // Sinks and enrichers registered as services (the tests read the log this way).
            .ReadFrom.Services(provider);

        if (environment.IsDevelopment())
            config.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}");
        else
            config.WriteTo.Console(new JsonFormatter(renderMessage: true));
        // PHOTOSTUDIO_LOG_FILE (or Logging:File): also write JSON lines to a file, e.g. for log shippers and the test run.
        if ((configuration["Logging:File"] ?? configuration["PHOTOSTUDIO_LOG_FILE"]) is { Length: > 0 } path)
            config.WriteTo.File(new JsonFormatter(renderMessage: true), path, shared: true);
    }

    /// <summary>
    /// One line per request: method, route template, status, elapsed time, user id and trace id; never bodies, headers,
    /// query strings or a secret path segment. Put it before the error pages, so failed requests show their final status.
    /// </summary>
    public static IApplicationBuilder UseStudioRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(o =>
        {
            o.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            o.MessageTemplate = "HTTP {RequestMethod:l} {Route:l} responded {StatusCode} in {Elapsed:0.0} ms";
            o.GetLevel = (context, _, error) =>
                error is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Warning
                : QuietPaths.Contains(context.Request.Path) ? LogEventLevel.Debug
                : LogEventLevel.Information;
            o.GetMessageTemplateProperties = (context, path, elapsed, status) =>
            [
                new("RequestMethod", new ScalarValue(context.Request.Method)),
                new("RequestPath", new ScalarValue(RequestRoutes.RedactPath(path))),
                new("StatusCode", new ScalarValue(status)),
                // A tenth of a millisecond is all anyone reads; six decimals would also look like one-time codes to the log check.
                new("Elapsed", new ScalarValue(Math.Round(elapsed, 1))),
            ];
            o.EnrichDiagnosticContext = Enrich;
        });

    private static void Enrich(IDiagnosticContext diagnostics, HttpContext context)
    {
        // The catch-all 404 endpoint says nothing useful as a template: the (redacted) path instead.
        var template = RequestRoutes.Template(context);
        diagnostics.Set("Route", template is null || template.StartsWith("/{*") ? RequestRoutes.RedactPath(context.Request.Path.Value ?? "/") : template);
        diagnostics.Set("TraceId", Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier);
        if (context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
            diagnostics.Set("UserId", userId);
    }
}
