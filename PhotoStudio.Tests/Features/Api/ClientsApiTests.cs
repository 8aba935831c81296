using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Api;

/// <summary>Clients through the API: found, made, changed over the row version; an email is one client's.</summary>
public class ClientsApiTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task A_client_is_made_found_and_changed_over_its_version_and_an_email_stays_one_clients()
    {
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        var email = $"Integration.{Guid.NewGuid():N}@Example.org";
        var input = new { name = "Ilse Integration", email, phone = "+49 30 1234567", tags = new[] { "newsletter", "vip" }, marketingOptIn = true };
        using var created = await api.PostAsJsonAsync("/api/v1/clients", input);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var client = Json(await created.Content.ReadAsStringAsync());
        var id = client.GetProperty("id").GetInt32();
        Assert.Equal(email.ToLowerInvariant(), client.GetProperty("email").GetString());
        Assert.Equal(["newsletter", "vip"], client.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("api", client.GetProperty("source").GetString());

        using var duplicate = await api.PostAsJsonAsync("/api/v1/clients", input with { name = "Someone Else" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, duplicate.StatusCode);
        Assert.True(Json(await duplicate.Content.ReadAsStringAsync()).GetProperty("errors").TryGetProperty("email", out _));

        var found = Json(await api.GetStringAsync("/api/v1/clients?q=Ilse%20Integ")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(found, c => c.GetProperty("id").GetInt32() == id);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.GetAsync("/api/v1/clients?q=" + new string('a', 101))).StatusCode);

        using var read = await api.GetAsync($"/api/v1/clients/{id}");
        var etag = read.Headers.ETag!.ToString();
        var change = input with { name = "Ilse Integrated" };
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await api.PutAsJsonAsync($"/api/v1/clients/{id}", change)).StatusCode);
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/clients/{id}") { Content = JsonContent.Create(change) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await api.SendAsync(stale)).StatusCode);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/clients/{id}") { Content = JsonContent.Create(change) };
        put.Headers.TryAddWithoutValidation("If-Match", etag);
        using var updated = await api.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("Ilse Integrated", Json(await updated.Content.ReadAsStringAsync()).GetProperty("name").GetString());
        Assert.NotEqual(etag, updated.Headers.ETag!.ToString());

        using var invalid = await api.PostAsJsonAsync("/api/v1/clients", new { name = "", email = "not-an-email" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType!.MediaType);
        // Named as the JSON names them, like every other field error of the API.
        var unreadable = Json(await invalid.Content.ReadAsStringAsync());
        Assert.Equal(["email", "name"], unreadable.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        Assert.StartsWith("https://www.rfc-editor.org/", unreadable.GetProperty("type").GetString());
        using var wrongType = await api.PostAsJsonAsync("/api/v1/clients", new { name = 5, email = "x@example.org" });
        var wrong = Json(await wrongType.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.DoesNotContain("System.", wrong.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/clients/999999")).StatusCode);
        await using var db = app.NewDb();
        Assert.Equal(1, await db.Clients.CountAsync(c => c.Email == email.ToLowerInvariant()));
    }
}
