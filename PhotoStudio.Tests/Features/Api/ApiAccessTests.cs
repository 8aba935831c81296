using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Admin.Integrations;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Api;

/// <summary>
/// The access matrix of the API: every operation, tried with a key of each single scope, answers as its permission
/// says (403 otherwise), and every /api/v1 operation is listed here.
/// </summary>
[Collection(SharedStudio.Name)]
public class ApiAccessTests(StudioApp app)
{
    private const string AnyKey = "any key";

    public static readonly (string Method, string Template, string Url, string Requires)[] Operations =
    [
        ("GET", "/api/v1/services", "/api/v1/services", AnyKey),
        ("GET", "/api/v1/rooms", "/api/v1/rooms", AnyKey),
        ("GET", "/api/v1/photographers", "/api/v1/photographers", AnyKey),
        ("GET", "/api/v1/availability", "/api/v1/availability?serviceId=999999&from=2030-01-01&to=2030-01-02", AnyKey),
        ("GET", "/api/v1/bookings", "/api/v1/bookings?limit=1", Permissions.BookingsViewAll),
        ("POST", "/api/v1/bookings", "/api/v1/bookings", Permissions.BookingsManage),
        ("GET", "/api/v1/bookings/{id:int}", "/api/v1/bookings/999999", Permissions.BookingsViewAll),
        ("GET", "/api/v1/bookings/by-code/{code}", "/api/v1/bookings/by-code/PS-NONE2", Permissions.BookingsViewAll),
        ("POST", "/api/v1/bookings/{id:int}/status", "/api/v1/bookings/999999/status", Permissions.BookingsMove),
        ("POST", "/api/v1/bookings/{id:int}/cancel", "/api/v1/bookings/999999/cancel", Permissions.BookingsManage),
        ("POST", "/api/v1/bookings/{id:int}/reschedule", "/api/v1/bookings/999999/reschedule", Permissions.BookingsManage),
        ("GET", "/api/v1/clients", "/api/v1/clients?limit=1", Permissions.ClientsView),
        ("POST", "/api/v1/clients", "/api/v1/clients", Permissions.ClientsManage),
        ("GET", "/api/v1/clients/{id:int}", "/api/v1/clients/999999", Permissions.ClientsView),
        ("PUT", "/api/v1/clients/{id:int}", "/api/v1/clients/999999", Permissions.ClientsManage),
    ];

    [Fact]
    public async Task Every_operation_answers_a_key_of_each_scope_as_its_permission_says()
    {
        string adminId;
        await using (var db = app.NewDb()) adminId = (await db.Users.SingleAsync(u => u.Email == "admin@demo.studio")).Id;
        var wrong = new List<string>();
        foreach (var scope in Permissions.All)
        {
            var key = ApiKeys.NewKey();
            await using (var db = app.NewDb())
            {
                db.ApiKeys.Add(new ApiKey
                {
                    Name = $"Only {scope} {Guid.NewGuid():N}"[..40], Prefix = ApiKeys.PrefixOf(key)!, SecretHash = ApiKeys.Hash(key), Scopes = [scope],
                    CreatedByUserId = adminId, CreatedAt = DateTime.UtcNow,
                });
                await db.SaveChangesAsync();
            }
            using var api = ApiKeysTests.Api(app, key);
            foreach (var (method, _, url, requires) in Operations)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                // Bodies that bind but change nothing: unknown ids, a stale version, a slot in a service that does not exist.
                if (method != "GET") request.Content = JsonContent.Create(new { status = "Confirmed", reason = "x", start = "2031-01-06T09:00:00Z", serviceId = 999999, name = "N", email = "n@example.org" });
                request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
                using var response = await api.SendAsync(request);
                var expected = requires == AnyKey || requires == scope ? "allowed" : "forbidden";
                var actual = (int)response.StatusCode switch
                {
                    >= 500 => $"error {(int)response.StatusCode}",
                    401 => "unauthenticated",
                    403 => "forbidden",
                    _ => "allowed",
                };
                if (actual != expected) wrong.Add($"{scope}: {method} {url}: expected {expected}, got {actual} ({(int)response.StatusCode})");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Every_api_operation_is_in_this_matrix()
    {
        var listed = Operations.Select(o => (o.Method, o.Template)).ToHashSet();
        var missing = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/v1/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (Method: m, Template: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(o => !listed.Contains(o)).ToList();
        Assert.True(missing.Count == 0, "Not in the API's access matrix:\n" + string.Join("\n", missing));
    }
}
