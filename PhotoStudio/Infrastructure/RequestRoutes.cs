using Microsoft.AspNetCore.Diagnostics;
using Serilog.Core;
using Serilog.Events;

namespace PhotoStudio.Infrastructure;

/// <summary>
/// The route template a request matched (<c>/my/{token}</c>), for metrics and the request log; and the redaction of
/// secret path segments wherever a raw path would reach a log.
/// </summary>
public static class RequestRoutes
{
    private static readonly object Key = new();

    // Paths whose next segment is a secret (a client's manage link, a calendar subscription), and what they log as.
    private static readonly (string Prefix, string Redacted)[] SecretPrefixes = [("/my/", "/my/{token}"), ("/feeds/", "/feeds/{token}.ics")];

    /// <summary>Remembers the matched route; put it right after routing.</summary>
    /// <remarks>Error pages re-execute the pipeline and match <c>/error/{code}</c>, which is not the request's route.</remarks>
    public static IApplicationBuilder UseRequestRoutes(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var reExecuting = context.Features.Get<IStatusCodeReExecuteFeature>() is not null
            || context.Features.Get<IExceptionHandlerFeature>() is not null;
        if (!reExecuting && context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template })
            context.Items.TryAdd(Key, "/" + template.TrimStart('/'));
        return next(context);
    });

    /// <summary>The template the request matched, e.g. <c>/my/{token}</c>; null when routing matched nothing (e.g. a static file).</summary>
    public static string? Template(HttpContext context) => context.Items.TryGetValue(Key, out var template) ? template as string : null;

    /// <summary>The path with any secret segment replaced by <c>{token}</c>; the same instance when there is none.</summary>
    public static string RedactPath(string path)
    {
        foreach (var (prefix, redacted) in SecretPrefixes)
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                return redacted;
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
        var redacted = RequestRoutes.RedactPath(path);
        if (!ReferenceEquals(redacted, path))
            logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty("RequestPath", redacted));
    }
}
