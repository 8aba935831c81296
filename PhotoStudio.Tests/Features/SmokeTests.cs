using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features;

/// <summary>Every GET endpoint without route parameters, for anonymous visitors and each demo role: never a 5xx.</summary>
[Collection(SharedStudio.Name)]
public class SmokeTests(StudioApp app)
{
    [Theory]
    [MemberData(nameof(Visitors.AnonymousAndEveryDemoAccount), MemberType = typeof(Visitors))]
    public async Task No_get_endpoint_fails(string visitor)
    {
        var urls = GetEndpointsWithoutParameters();
        Assert.Contains("/", urls);
        Assert.Contains("/board", urls);

        var client = app.NewClient();
        if (visitor != Visitors.Anonymous) await client.SignInAsync(visitor, clock: app.Clock);

        var failures = new List<string>();
        foreach (var url in urls)
        {
            // Headers only: /board/events is an endless stream.
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            if ((int)response.StatusCode >= 500) failures.Add($"{url} → {(int)response.StatusCode}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private List<string> GetEndpointsWithoutParameters() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.Parameters.Count == 0)
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not { } m || m.HttpMethods.Contains("GET"))
            .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'))
            .Distinct()
            .OrderBy(url => url)
            .ToList();
}
