using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace PhotoStudio.Infrastructure;

/// <summary>Limits per minute, from the <c>RateLimits</c> configuration section (e.g. <c>RateLimits__SignInPerIpPerMinute=10</c>).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in, two-factor and recovery-code posts, and posts that check the current password, from one client address.</summary>
    public int SignInPerIpPerMinute { get; set; } = 10;

    /// <summary>Sign-in posts for one email, and second-factor and current-password posts for one user, from any address (against spraying one account from many).</summary>
    public int SignInPerAccountPerMinute { get; set; } = 5;

    /// <summary>Public booking submissions from one client address.</summary>
    public int PublicPostsPerIpPerMinute { get; set; } = 20;

    /// <summary>
    /// Every request from one client address that reaches routing (static files are served before), except probes,
    /// scrapes and re-executed error pages. Behind a reverse proxy, set <c>TrustedProxies</c>, or all clients share the proxy's budget.
    /// </summary>
    public int GlobalPerIpPerMinute { get; set; } = 300;

    /// <summary>Lost-link requests on <c>/my</c> from one client address, per 15 minutes.</summary>
    public int LostLinkPerIpPer15Minutes { get; set; } = 10;

    /// <summary>
    /// Lost-link requests for one email and booking code, from any address, per 15 minutes: each one that matches sends
    /// the client a message, so nobody can flood a client's mailbox by spreading requests over many addresses.
    /// </summary>
    public int LostLinkPerBookingPer15Minutes { get; set; } = 3;

    /// <summary>JSON API requests with one key (by its prefix), from any address.</summary>
    public int ApiPerKeyPerMinute { get; set; } = 600;
}

/// <summary>Rate limits answering 429 with <c>Retry-After</c> and the friendly error page, on the built-in rate limiter.</summary>
public static class RateLimits
{
    /// <summary>Policy for sign-in, two-factor and recovery-code posts and current-password checks, per client address (<c>[EnableRateLimiting(RateLimits.SignIn)]</c>).</summary>
    public const string SignIn = "signin";

    /// <summary>Policy for public booking submissions, per client address.</summary>
    public const string PublicPost = "public-post";

    /// <summary>Service key of the per-account sign-in limiter that <c>[AccountRateLimit]</c> uses.</summary>
    public const string SignInPerAccount = "signin-account";

    /// <summary>Policy for lost-link requests on <c>/my</c>, per client address and 15 minutes.</summary>
    public const string LostLink = "lost-link";

    /// <summary>Service key of the limiter of lost-link requests per email and booking code.</summary>
    public const string LostLinkPerBooking = "lost-link-booking";

    /// <summary>Policy for the JSON API, per key (a request without a well-formed key counts against its client address).</summary>
    public const string Api = "api";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LostLinkWindow = TimeSpan.FromMinutes(15);

    // Probes and scrapes come often from one address.
    private static readonly PathString[] Unlimited = ["/health", "/metrics"];

    public static IServiceCollection AddStudioRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>()
            .Bind(configuration.GetSection(RateLimitOptions.Section))
            .Validate(o => o.SignInPerIpPerMinute > 0 && o.SignInPerAccountPerMinute > 0
                && o.PublicPostsPerIpPerMinute > 0 && o.GlobalPerIpPerMinute > 0
                && o.LostLinkPerIpPer15Minutes > 0 && o.LostLinkPerBookingPer15Minutes > 0 && o.ApiPerKeyPerMinute > 0, "Every RateLimits value must be a positive number.")
            .ValidateOnStart();

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((o, limits) =>
        {
            var l = limits.Value;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                SetRetryAfter(context.HttpContext.Response,
                    context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window);
                // No body: UseStatusCodePagesWithReExecute renders the friendly 429 page (or its htmx fragment).
                return ValueTask.CompletedTask;
            };
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsExempt(context)
                    ? RateLimitPartition.GetNoLimiter("")
                    : PerMinute(ClientPartition(context), l.GlobalPerIpPerMinute));
            o.AddPolicy(SignIn, context => PerMinute(ClientPartition(context), l.SignInPerIpPerMinute));
            o.AddPolicy(PublicPost, context => PerMinute(ClientPartition(context), l.PublicPostsPerIpPerMinute));
            o.AddPolicy(LostLink, context => PerWindow(ClientPartition(context), l.LostLinkPerIpPer15Minutes, LostLinkWindow));
            o.AddPolicy(Api, context => PerMinute(
                PhotoStudio.Features.Admin.Integrations.ApiKeys.PrefixOf(PhotoStudio.Features.Admin.Integrations.ApiKeys.BearerToken(context.Request)) is { } prefix ? "key:" + prefix : ClientPartition(context),
                l.ApiPerKeyPerMinute));
        });

        // Disposed with the container; idle partitions (fully replenished windows) are dropped by the limiter itself.
        services.AddKeyedSingleton(SignInPerAccount, (sp, _) =>
        {
            var perAccount = sp.GetRequiredService<IOptions<RateLimitOptions>>().Value.SignInPerAccountPerMinute;
            return PartitionedRateLimiter.Create<string, string>(account => PerMinute(account, perAccount));
        });
        services.AddKeyedSingleton(LostLinkPerBooking, (sp, _) =>
        {
            var perBooking = sp.GetRequiredService<IOptions<RateLimitOptions>>().Value.LostLinkPerBookingPer15Minutes;
            return PartitionedRateLimiter.Create<string, string>(key => PerWindow(key, perBooking, LostLinkWindow));
        });
        return services;
    }

    /// <summary>Put after <c>UseRouting</c> (endpoint policies need the matched endpoint) and before authentication.</summary>
    public static IApplicationBuilder UseStudioRateLimits(this IApplicationBuilder app) => app.UseRateLimiter();

    /// <summary>Seconds until a refused client may try again, rounded up, at least one.</summary>
    public static void SetRetryAfter(HttpResponse response, TimeSpan retryAfter) =>
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The window a refused per-account attempt is told to wait when the lease names none.</summary>
    internal static TimeSpan DefaultRetryAfter => Window;

    /// <summary>
    /// The partition key for the client's address (after trusted-proxy headers are applied).
    /// IPv6 clients are grouped by their /64, which one subscriber usually holds whole; TestServer has no address: "unknown".
    /// </summary>
    public static string ClientPartition(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address)) return address.ToString();

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    // An error page re-executed for a request (a 429 among them) must render, and the request was counted already;
    // someone requesting /error/… directly is counted like any other page.
    private static bool IsExempt(HttpContext context) =>
        Unlimited.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))
        || context.Features.Get<IStatusCodeReExecuteFeature>() is not null
        || context.Features.Get<IExceptionHandlerFeature>() is not null;

    private static RateLimitPartition<string> PerMinute(string key, int permits) => PerWindow(key, permits, Window);

    private static RateLimitPartition<string> PerWindow(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
