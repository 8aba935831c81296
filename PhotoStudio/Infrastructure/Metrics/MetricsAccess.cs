using System.Net;

namespace PhotoStudio.Infrastructure.Metrics;

/// <summary>
/// Limits <c>/metrics</c> to the networks in <c>Metrics:AllowedNetworks</c> (CIDRs, or single addresses); unset, it stays
/// open. The client address is the connection's, after <see cref="TrustedProxies"/> has applied a trusted proxy's header.
/// </summary>
public static class MetricsAccess
{
    public const string Section = "Metrics:AllowedNetworks";

    public static RouteHandlerBuilder AllowOnlyConfiguredNetworks(this RouteHandlerBuilder endpoint, IConfiguration configuration)
    {
        var networks = TrustedProxies.Entries(configuration, Section).Select(Parse).ToList();
        if (networks.Count == 0) return endpoint;
        return endpoint.AddEndpointFilter(async (context, next) =>
            context.HttpContext.Connection.RemoteIpAddress is { } address && Allowed(networks, address)
                ? await next(context)
                : Results.StatusCode(StatusCodes.Status403Forbidden));
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
