using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Serilog.Core;
using Serilog.Events;

namespace PhotoStudio.Infrastructure;

/// <summary>Registers the one-line-per-request log (Serilog.AspNetCore's request logging is not in our feed).</summary>
public static class RequestLogging
{
    /// <summary>Put before the exception handler, so failed requests are logged with their final status.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.UseMiddleware<RequestLoggingMiddleware>();

    // Paths whose next segment is a secret.
    private static readonly string[] SecretPrefixes = ["/my/"];

    /// <summary>The path with any secret segment replaced by <c>{token}</c>; the same instance when there is none.</summary>
    public static string RedactPath(string path)
    {
        foreach (var prefix in SecretPrefixes)
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                return prefix + "{token}";
        return path;
    }
}

/// <summary>Serilog enricher that redacts the <c>RequestPath</c> ASP.NET Core attaches to every log event of a request.</summary>
/// <remarks>Without it, any log line written while serving <c>/my/{token}</c> would carry the token.</remarks>
public sealed class RedactSecretPaths : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (!logEvent.Properties.TryGetValue("RequestPath", out var property) || property is not ScalarValue { Value: string path }) return;
        var redacted = RequestLogging.RedactPath(path);
        if (!ReferenceEquals(redacted, path))
            logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty("RequestPath", redacted));
    }
}

/// <summary>Logs method, route template, status, elapsed time and trace id; never bodies, headers or query strings.</summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    // Probes and scrapes arrive every few seconds and would drown everything else.
    private static readonly string[] QuietPaths = ["/health/live", "/metrics"];

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var endpoint = new OriginalEndpointFeature(context);
        context.Features.Set<IEndpointFeature>(endpoint);
        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            // Hosting reads the endpoint after this returns to tag http.server.request.duration with http.route;
            // without this a failed /my/{token} would be counted under /error/{code}.
            endpoint.RestoreOriginal();
            // An exception escaping to the server becomes a 500 there, unless the response had already started.
            var status = completed || context.Response.HasStarted ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
            Log(context, endpoint.Original, status, Stopwatch.GetElapsedTime(started));
        }
    }

    private void Log(HttpContext context, Endpoint? matched, int status, TimeSpan elapsed)
    {
        var level = status >= 500 ? LogLevel.Warning
            : QuietPaths.Contains(context.Request.Path.Value, StringComparer.OrdinalIgnoreCase) ? LogLevel.Debug
            : LogLevel.Information;
        if (!logger.IsEnabled(level)) return;

        // The catch-all 404 endpoint says nothing useful as a template: log the (redacted) path instead.
        var template = (matched as RouteEndpoint)?.RoutePattern.RawText;
        var route = template is null || template.StartsWith("{*")
            ? RequestLogging.RedactPath(context.Request.Path.Value ?? "/")
            : "/" + template.TrimStart('/');
        var traceId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        using (logger.BeginScope(new[] { new KeyValuePair<string, object>("TraceId", traceId) }))
            logger.Log(level, "HTTP {Method} {Route} responded {Status} in {Elapsed:0.0} ms",
                context.Request.Method, route, status, elapsed.TotalMilliseconds);
    }

    /// <summary>Remembers the endpoint routing matched for the original request.</summary>
    /// <remarks>
    /// Error pages re-execute the pipeline and leave their own endpoint behind (<c>/error/{code}</c>);
    /// endpoints set while a re-execution is under way are therefore not the request's route.
    /// </remarks>
    private sealed class OriginalEndpointFeature(HttpContext context) : IEndpointFeature
    {
        private Endpoint? current;

        public Endpoint? Original { get; private set; }

        public Endpoint? Endpoint
        {
            get => current;
            set
            {
                current = value;
                if (value is not null && Original is null && !ReExecuting()) Original = value;
            }
        }

        public void RestoreOriginal() => current = Original;

        private bool ReExecuting() =>
            context.Features.Get<IStatusCodeReExecuteFeature>() is not null
            || context.Features.Get<IExceptionHandlerFeature>() is not null;
    }
}
