using System.Net;
using System.Net.Sockets;

namespace PhotoStudio.Features.Admin.Integrations;

/// <summary>Where webhooks may go, from the <c>Webhooks</c> configuration section.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Lets webhooks reach loopback, link-local and private addresses (a receiver on the same machine or network).
    /// Off by default: otherwise anyone who may add an endpoint could make the server call into its own network.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Lets webhooks use plain http:// outside Development and Testing (never advisable: the payload holds personal data).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>The first retry after this many seconds, then doubling, at most an hour apart.</summary>
    public int RetryBaseSeconds { get; set; } = 30;

    /// <summary>An endpoint whose deliveries have all failed for this long is switched off and the admins are told.</summary>
    public int DisableAfterHours { get; set; } = 24;

    /// <summary>How long one delivery may take.</summary>
    public int TimeoutSeconds { get; set; } = 10;
}

/// <summary>
/// The server-side request forgery guard: an endpoint's address is checked when it is saved (scheme, no credentials,
/// no address in a forbidden range written out), and every connection is checked again where it matters, on the
/// address the name resolved to at connect time (so a name that later resolves inward is refused too).
/// </summary>
public sealed class WebhookTargets(Microsoft.Extensions.Options.IOptions<WebhookOptions> options, IHostEnvironment environment)
{
    /// <summary>Why the address may not be an endpoint, or null when it may.</summary>
    public string? Refusal(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return "Enter the address that receives the events.";
        if (url.Length > Data.WebhookEndpoint.UrlLength) return "Keep the address to 2000 characters.";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            return "Enter a full https:// address.";
        if (uri.Scheme == "http" && !(environment.IsDevelopment() || environment.IsEnvironment("Testing") || options.Value.AllowHttp))
            return "Use an https:// address: events carry clients' personal data.";
        if (uri.UserInfo.Length > 0) return "Put no user name or password in the address; the signature proves who sends.";
        if (!options.Value.AllowPrivateTargets && (uri.IsLoopback || IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IsInternal(ip)))
            return "This address is inside a private network; webhooks only go to public addresses.";
        return null;
    }

    /// <summary>The handler every delivery goes through: connections to internal addresses fail unless allowed.</summary>
    public SocketsHttpHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds),
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var allowed = addresses.Where(a => options.Value.AllowPrivateTargets || !IsInternal(a)).ToList();
            if (allowed.Count == 0)
                throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to no public address; webhooks only go to public addresses.");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed[0], context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>Loopback, link-local, private, carrier-grade NAT, unique-local, multicast or unspecified.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        var b = address.GetAddressBytes();
        return b[0] is 10 or 0 or >= 224
               || (b[0] == 172 && b[1] is >= 16 and <= 31)
               || (b[0] == 192 && b[1] == 168)
               || (b[0] == 169 && b[1] == 254)
               || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}
