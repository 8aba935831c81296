using System.Net;
using Microsoft.AspNetCore.Hosting;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary><c>Metrics:AllowedNetworks</c> restricts <c>/metrics</c> by the client address the app believes.</summary>
public class MetricsAccessTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    [Fact]
    public async Task Metrics_answer_only_the_allowed_networks_as_seen_through_a_trusted_proxy()
    {
        var restricted = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("Metrics:AllowedNetworks", "10.20.0.0/16, 127.0.0.1");
            b.UseSetting("TrustedProxies:0", "10.0.0.5");
        });

        Assert.Equal(HttpStatusCode.OK, (await app.ClientFrom("10.20.1.2", restricted).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.ClientFrom("127.0.0.1", restricted).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.ClientFrom("::ffff:10.20.9.9", restricted).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.ClientFrom("192.0.2.7", restricted).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await restricted.CreateClient().GetAsync("/metrics")).StatusCode);

        // Behind the trusted proxy the forwarded client decides; a client elsewhere cannot claim an allowed address.
        Assert.Equal(HttpStatusCode.OK, (await ViaAsync(app.ClientFrom("10.0.0.5", restricted), "10.20.3.4")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ViaAsync(app.ClientFrom("10.0.0.5", restricted), "192.0.2.8")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ViaAsync(app.ClientFrom("192.0.2.9", restricted), "10.20.3.4")).StatusCode);
    }

    [Fact]
    public async Task Metrics_stay_open_when_no_network_is_configured()
    {
        var response = await app.ClientFrom("192.0.2.7").GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<HttpResponseMessage> ViaAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }
}
