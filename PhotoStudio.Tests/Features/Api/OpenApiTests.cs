using System.Net;
using System.Text.Json;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Api;

/// <summary>The OpenAPI document and its reference page: what they describe and who may read them outside Development.</summary>
[Collection(SharedStudio.Name)]
public class OpenApiTests(StudioApp app)
{
    [Fact]
    public async Task The_document_describes_every_api_operation_its_errors_and_the_bearer_scheme()
    {
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        using var response = await api.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["/api/v1/availability", "/api/v1/bookings", "/api/v1/bookings/by-code/{code}", "/api/v1/bookings/{id}",
            "/api/v1/bookings/{id}/cancel", "/api/v1/bookings/{id}/reschedule", "/api/v1/bookings/{id}/status", "/api/v1/clients",
            "/api/v1/clients/{id}", "/api/v1/photographers", "/api/v1/rooms", "/api/v1/services"], paths.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(paths, p => !p.StartsWith("/api/v1/"));
        Assert.Equal("bearer", doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("scheme").GetString());
        var availability = doc.GetProperty("paths").GetProperty("/api/v1/availability").GetProperty("get");
        Assert.False(string.IsNullOrWhiteSpace(availability.GetProperty("summary").GetString()));
        var responses = availability.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
        Assert.Contains("200", responses);
        Assert.Contains("401", responses);
        Assert.Contains("422", responses);
        Assert.Contains("429", responses);
        // Every operation has a summary.
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("summary").GetString()), $"{operation.Name} {path.Name}");
    }

    [Fact]
    public async Task Outside_development_the_document_and_reference_need_staff_or_a_key()
    {
        using var anonymous = app.NewClient();
        var document = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.Redirect, document.StatusCode);
        Assert.Contains("/account/login", document.Headers.Location!.ToString());
        Assert.Contains("/account/login", (await anonymous.GetAsync("/api/docs")).Headers.Location!.ToString());

        var photographer = await app.SignedInClientAsync("anna@demo.studio");
        using var staffDocument = await photographer.GetAsync("/openapi/v1.json");
        Assert.True(staffDocument.StatusCode == HttpStatusCode.OK, $"{(int)staffDocument.StatusCode} {staffDocument.Headers.Location}");
        // The reference page lives at /api/docs/ (the address without the slash is sent there).
        using var bare = await photographer.GetAsync("/api/docs");
        Assert.True(bare.StatusCode == HttpStatusCode.OK || new Uri(new Uri("http://studio/api/docs"), bare.Headers.Location!).AbsolutePath == "/api/docs/",
            $"{(int)bare.StatusCode} {bare.Headers.Location}");
        using var docs = await photographer.GetAsync("/api/docs/");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        var html = await docs.Content.ReadAsStringAsync();
        // The reference loads its script from this app (no CDN), with the response's CSP nonce.
        var csp = docs.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = System.Text.RegularExpressions.Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains($"nonce=\"{nonce}\"", WebUtility.HtmlDecode(html));
        Assert.DoesNotContain("cdn.jsdelivr", html);
        Assert.Contains("openapi/v1.json", html);
    }
}
