using System.Net;

namespace PhotoStudio.Infrastructure.Metrics;

/// <summary>
/// Limits <c>/metrics</c> to the networks in <c>Metrics:AllowedNetworks</c> (CIDRs, or single addresses); unset, it stays
/// open. The client address is the connection's, after <see cref="TrustedProxies"/> has applied a trusted proxy's header.
/// </summary>
public static class MetricsAccess
{
    public const string Section = "Metrics:AllowedNetworks";

    /// <summary>Wraps the endpoint's own handler (prometheus-net maps a middleware pipeline, which takes no endpoint filters).</summary>
    public static TBuilder AllowOnlyConfiguredNetworks<TBuilder>(this TBuilder endpoint, IConfiguration configuration)
        where TBuilder : IEndpointConventionBuilder
    {
        var networks = TrustedProxies.Entries(configuration, Section).Select(Parse).ToList();
        if (networks.Count == 0) return endpoint;
        endpoint.Add(builder =>
        {
            var handler = builder.RequestDelegate ?? throw new InvalidOperationException($"{builder.DisplayName} has no handler to guard.");
            builder.RequestDelegate = context =>
            {
                if (context.Connection.RemoteIpAddress is { } address && Allowed(networks, address)) return handler(context);
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        return endpoint;
    }

    private static bool Allowed(List<IPNetwork> networks, IPAddress address)
    {
        // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; the operator writes them as a.b.c.d.
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return networks.Any(n => n.Contains(plain));
    }

    private static IPNetwork Parse(string entry) =>
        IPNetwork.TryParse(entry, out var network) ? network
        : IPAddress.TryParse(entry, out var single) ? new IPNetwork(single, single.GetAddressBytes().Length * 8)
        : throw new InvalidOperationException($"{Section}: '{entry}' is neither an IP address nor a CIDR network with its host bits zero (e.g. 10.1.0.0/16).");
}
