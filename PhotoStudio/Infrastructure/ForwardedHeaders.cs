using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace PhotoStudio.Infrastructure;

/// <summary>
/// Honours <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> only from the proxies listed in <c>TrustedProxies</c>
/// (addresses or CIDR networks).
/// With none listed the headers are ignored, so nobody can pick their own address for rate limits and the audit trail.
/// </summary>
public static class TrustedProxies
{
    public const string Section = "TrustedProxies";

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = new List<IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in Entries(configuration, Section))
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (!entry.Contains('/') && IPAddress.TryParse(entry, out var address)) proxies.Add(address);
            else throw new InvalidOperationException($"{Section}: '{entry}' is neither an IP address nor a CIDR network with its host bits zero (e.g. 10.1.0.0/16).");
        }
        if (proxies.Count == 0 && networks.Count == 0) return services;

        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; only what the operator listed counts. Empty lists would trust everyone.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            proxies.ForEach(o.KnownProxies.Add);
            networks.ForEach(o.KnownIPNetworks.Add);
            // One proxy hop: the right-most X-Forwarded-For entry, the one our proxy wrote, is the client.
            o.ForwardLimit = 1;
        });
        return services;
    }

    /// <summary>A list (<c>Key__0</c>, <c>Key__1</c>, …) or one comma-separated value (<c>Key=10.0.0.5,10.1.0.0/16</c>), trimmed.</summary>
    public static IEnumerable<string> Entries(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        var entries = section.Get<string[]>() ?? section.Value?.Split(',') ?? [];
        return entries.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim());
    }

    /// <summary>Put first in the pipeline, so logging, rate limits and the audit trail all see the real client address.</summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        return options.ForwardedHeaders == ForwardedHeaders.None ? app : app.UseForwardedHeaders();
    }
}
