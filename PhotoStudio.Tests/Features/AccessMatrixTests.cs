using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Account;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features;

/// <summary>
/// Who may do what, endpoint by endpoint: every route of the app is listed here with what it requires, and
/// each demo role and an anonymous visitor try every one of them (GET and POST).
/// </summary>
[Collection(SharedStudio.Name)]
public class AccessMatrixTests(StudioApp app)
{
    private const string Anyone = "anyone";
    private const string SignedIn = "signed-in";
    // The JSON API: a key only, never a cookie (ApiAccessTests tries the keys' scopes).
    private const string ApiKey = "api-key";

    // (method, route template as routing knows it, a concrete URL, what it requires: permissions separated by spaces are
    // all needed). Order matters only in that the requests that end or change the session come last.
    public static readonly (string Method, string Template, string Url, string Requires)[] Endpoints =
    [
        ("GET", "/", "/", Anyone),
        ("GET", "/{*path}", "/no-such-page", Anyone),
        ("POST", "/{*path}", "/no-such-page", Anyone),
        ("GET", "/error/{status:int}", "/error/404", Anyone),
        ("POST", "/error/{status:int}", "/error/404", Anyone),
        ("GET", "/health/live", "/health/live", Anyone),
        ("POST", "/health/live", "/health/live", Anyone),
        ("GET", "/health/ready", "/health/ready", Anyone),
        ("POST", "/health/ready", "/health/ready", Anyone),
        ("GET", "/metrics", "/metrics", Anyone),
        ("POST", "/culture", "/culture", Anyone),
        ("GET", "/book", "/book", Anyone),
        ("POST", "/book", "/book", Anyone),
        ("GET", "/book/with", "/book/with", Anyone),
        ("POST", "/book/with", "/book/with", Anyone),
        ("GET", "/book/when", "/book/when", Anyone),
        ("POST", "/book/when", "/book/when", Anyone),
        ("GET", "/book/details", "/book/details", Anyone),
        ("POST", "/book/details", "/book/details", Anyone),
        ("GET", "/book/review", "/book/review", Anyone),
        ("POST", "/book/confirm", "/book/confirm", Anyone),
        ("GET", "/book/done/{code}", "/book/done/PS-NONE2", Anyone),
        ("GET", "/book/done/{code}/calendar.ics", "/book/done/PS-NONE2/calendar.ics", Anyone),
        ("GET", "/my/{token}", "/my/not-a-real-token", Anyone),
        ("GET", "/my/{token}/calendar.ics", "/my/not-a-real-token/calendar.ics", Anyone),
        ("POST", "/my/{token}/cancel", "/my/not-a-real-token/cancel", Anyone),
        ("GET", "/my/{token}/reschedule", "/my/not-a-real-token/reschedule", Anyone),
        ("POST", "/my/{token}/reschedule", "/my/not-a-real-token/reschedule", Anyone),
        ("GET", "/my", "/my", Anyone),
        ("POST", "/my", "/my", Anyone),
        ("GET", "/feeds/{token}.ics", "/feeds/not-a-real-token.ics", Anyone),
        ("GET", "/account/login", "/account/login", Anyone),
        ("POST", "/account/login", "/account/login", Anyone),
        ("GET", "/account/2fa", "/account/2fa", Anyone),
        ("POST", "/account/2fa", "/account/2fa", Anyone),
        ("GET", "/account/2fa/recovery", "/account/2fa/recovery", Anyone),
        ("POST", "/account/2fa/recovery", "/account/2fa/recovery", Anyone),
        ("GET", "/board", "/board", Permissions.BookingsViewOwn),
        ("GET", "/board/column/{status}", "/board/column/Pending", Permissions.BookingsViewOwn),
        ("GET", "/board/events", "/board/events", Permissions.BookingsViewOwn),
        ("GET", "/board/bookings/{id:int}", "/board/bookings/999999", Permissions.BookingsViewOwn),
        ("POST", "/board/bookings/{id:int}/move", "/board/bookings/999999/move", Permissions.BookingsMove),
        ("POST", "/board/bookings/{id:int}/notes", "/board/bookings/999999/notes", Permissions.BookingsViewOwn),
        ("POST", "/board/bookings/{id:int}/reassign", "/board/bookings/999999/reassign", Permissions.BookingsManage),
        ("GET", "/calendar", "/calendar", Permissions.BookingsViewOwn),
        ("GET", "/clients", "/clients", Permissions.ClientsView),
        ("GET", "/clients/{id:int}", "/clients/999999", Permissions.ClientsView),
        ("POST", "/clients/{id:int}/notes", "/clients/999999/notes", Permissions.ClientsManage),
        ("GET", "/clients/{id:int}/edit", "/clients/999999/edit", Permissions.ClientsManage),
        ("POST", "/clients/{id:int}/edit", "/clients/999999/edit", Permissions.ClientsManage),
        ("GET", "/clients/{id:int}/export", "/clients/999999/export", Permissions.ClientsExport),
        ("GET", "/clients/{id:int}/export.json", "/clients/999999/export.json", Permissions.ClientsExport),
        ("GET", "/clients/{id:int}/erase", "/clients/999999/erase", Permissions.ClientsErase),
        ("POST", "/clients/{id:int}/erase", "/clients/999999/erase", Permissions.ClientsErase),
        ("GET", "/clients/duplicates", "/clients/duplicates", Permissions.ClientsManage),
        ("GET", "/clients/merge", "/clients/merge?keep=999998&merge=999999", Permissions.ClientsManage),
        ("POST", "/clients/merge", "/clients/merge", Permissions.ClientsManage),
        // Any of clients.view, bookings.view_all, bookings.view_own (it lists only what each allows): every demo role has one.
        ("GET", "/search", "/search?q=ps-2", SignedIn),
        ("GET", "/board/new", "/board/new", Permissions.BookingsManage),
        ("POST", "/board/new", "/board/new", Permissions.BookingsManage),
        ("GET", "/board/new/clients", "/board/new/clients?q=an", Permissions.BookingsManage),
        ("GET", "/board/new/times", "/board/new/times", Permissions.BookingsManage),
        ("GET", "/admin", "/admin", Permissions.ReportsView),
        ("GET", "/admin/export.csv", "/admin/export.csv", $"{Permissions.ReportsView} {Permissions.ClientsExport}"),
        ("GET", "/admin/today", "/admin/today", Permissions.ReportsView),
        ("GET", "/admin/roles", "/admin/roles", Permissions.RolesManage),
        ("GET", "/admin/employees", "/admin/employees", Permissions.EmployeesView),
        ("GET", "/admin/employees/new", "/admin/employees/new", Permissions.EmployeesManage),
        ("POST", "/admin/employees/new", "/admin/employees/new", Permissions.EmployeesManage),
        ("GET", "/admin/employees/{id:int}", "/admin/employees/999999", Permissions.EmployeesView),
        ("POST", "/admin/employees/{id:int}", "/admin/employees/999999", Permissions.EmployeesManage),
        ("POST", "/admin/employees/{id:int}/deactivate", "/admin/employees/999999/deactivate", Permissions.EmployeesManage),
        ("POST", "/admin/employees/{id:int}/activate", "/admin/employees/999999/activate", Permissions.EmployeesManage),
        ("POST", "/admin/employees/{id:int}/password", "/admin/employees/999999/password", Permissions.EmployeesManage),
        ("POST", "/admin/employees/{id:int}/setup-link", "/admin/employees/999999/setup-link", Permissions.EmployeesManage),
        ("GET", "/admin/employees/{id:int}/hours", "/admin/employees/999999/hours", Permissions.EmployeesView),
        ("POST", "/admin/employees/{id:int}/hours", "/admin/employees/999999/hours", Permissions.EmployeesManage),
        ("GET", "/admin/employees/{id:int}/time-off", "/admin/employees/999999/time-off", Permissions.EmployeesView),
        ("POST", "/admin/employees/{id:int}/time-off", "/admin/employees/999999/time-off", Permissions.EmployeesManage),
        ("POST", "/admin/employees/{id:int}/time-off/{entry:int}/delete", "/admin/employees/999999/time-off/1/delete", Permissions.EmployeesManage),
        ("GET", "/account/setup", "/account/setup", Anyone),
        ("POST", "/account/setup", "/account/setup", Anyone),
        ("GET", "/admin/rooms", "/admin/rooms", Permissions.CatalogueManage),
        ("GET", "/admin/rooms/new", "/admin/rooms/new", Permissions.CatalogueManage),
        ("POST", "/admin/rooms/new", "/admin/rooms/new", Permissions.CatalogueManage),
        ("GET", "/admin/rooms/{id:int}", "/admin/rooms/999999", Permissions.CatalogueManage),
        ("POST", "/admin/rooms/{id:int}", "/admin/rooms/999999", Permissions.CatalogueManage),
        ("POST", "/admin/rooms/{id:int}/deactivate", "/admin/rooms/999999/deactivate", Permissions.CatalogueManage),
        ("POST", "/admin/rooms/{id:int}/activate", "/admin/rooms/999999/activate", Permissions.CatalogueManage),
        ("POST", "/admin/rooms/{id:int}/delete", "/admin/rooms/999999/delete", Permissions.CatalogueManage),
        ("GET", "/admin/services", "/admin/services", Permissions.CatalogueManage),
        ("GET", "/admin/services/new", "/admin/services/new", Permissions.CatalogueManage),
        ("POST", "/admin/services/new", "/admin/services/new", Permissions.CatalogueManage),
        ("GET", "/admin/services/{id:int}", "/admin/services/999999", Permissions.CatalogueManage),
        ("POST", "/admin/services/{id:int}", "/admin/services/999999", Permissions.CatalogueManage),
        ("POST", "/admin/services/{id:int}/deactivate", "/admin/services/999999/deactivate", Permissions.CatalogueManage),
        ("POST", "/admin/services/{id:int}/activate", "/admin/services/999999/activate", Permissions.CatalogueManage),
        ("POST", "/admin/services/{id:int}/delete", "/admin/services/999999/delete", Permissions.CatalogueManage),
        ("GET", "/admin/settings", "/admin/settings", Permissions.SettingsManage),
        ("POST", "/admin/settings", "/admin/settings", Permissions.SettingsManage),
        ("POST", "/admin/settings/closures", "/admin/settings/closures", Permissions.SettingsManage),
        ("POST", "/admin/settings/closures/{id:int}/delete", "/admin/settings/closures/999999/delete", Permissions.SettingsManage),
        ("GET", "/admin/audit", "/admin/audit", Permissions.AuditView),
        ("GET", "/admin/notifications", "/admin/notifications", Permissions.NotificationsManage),
        ("POST", "/admin/notifications/{id:long}/send-again", "/admin/notifications/999999/send-again", Permissions.NotificationsManage),
        ("GET", "/admin/notifications/{id:long}/eml", "/admin/notifications/999999/eml", Permissions.NotificationsManage),
        ("GET", "/admin/integrations", "/admin/integrations", Permissions.IntegrationsManage),
        ("POST", "/admin/integrations/keys", "/admin/integrations/keys", Permissions.IntegrationsManage),
        ("POST", "/admin/integrations/keys/{id:int}/revoke", "/admin/integrations/keys/999999/revoke", Permissions.IntegrationsManage),
        ("POST", "/admin/integrations/webhooks", "/admin/integrations/webhooks", Permissions.IntegrationsManage),
        ("POST", "/admin/integrations/webhooks/{id:int}/enable", "/admin/integrations/webhooks/999999/enable", Permissions.IntegrationsManage),
        ("POST", "/admin/integrations/webhooks/{id:int}/disable", "/admin/integrations/webhooks/999999/disable", Permissions.IntegrationsManage),
        ("POST", "/admin/integrations/webhooks/{id:int}/delete", "/admin/integrations/webhooks/999999/delete", Permissions.IntegrationsManage),
        ("POST", "/admin/integrations/deliveries/{id:long}/redeliver", "/admin/integrations/deliveries/999999/redeliver", Permissions.IntegrationsManage),
        ("GET", "/api/v1/services", "/api/v1/services", ApiKey),
        ("GET", "/api/v1/rooms", "/api/v1/rooms", ApiKey),
        ("GET", "/api/v1/photographers", "/api/v1/photographers", ApiKey),
        ("GET", "/api/v1/availability", "/api/v1/availability?serviceId=1&from=2030-01-01&to=2030-01-02", ApiKey),
        ("GET", "/api/v1/bookings", "/api/v1/bookings", ApiKey),
        ("POST", "/api/v1/bookings", "/api/v1/bookings", ApiKey),
        ("GET", "/api/v1/bookings/{id:int}", "/api/v1/bookings/999999", ApiKey),
        ("GET", "/api/v1/bookings/by-code/{code}", "/api/v1/bookings/by-code/PS-NONE2", ApiKey),
        ("POST", "/api/v1/bookings/{id:int}/status", "/api/v1/bookings/999999/status", ApiKey),
        ("POST", "/api/v1/bookings/{id:int}/cancel", "/api/v1/bookings/999999/cancel", ApiKey),
        ("POST", "/api/v1/bookings/{id:int}/reschedule", "/api/v1/bookings/999999/reschedule", ApiKey),
        ("GET", "/api/v1/clients", "/api/v1/clients", ApiKey),
        ("POST", "/api/v1/clients", "/api/v1/clients", ApiKey),
        ("GET", "/api/v1/clients/{id:int}", "/api/v1/clients/999999", ApiKey),
        ("GET", "/api/{**path}", "/api/v1/no-such-operation", Anyone),
        ("POST", "/api/{**path}", "/api/v1/no-such-operation", Anyone),
        ("GET", "/openapi/{documentName}.json", "/openapi/v1.json", SignedIn),
        ("GET", "/api/docs/{documentName?}", "/api/docs", SignedIn),
        // The reference page's own scripts and icon, the same for everyone.
        ("GET", "/api/docs/scalar.js", "/api/docs/scalar.js", Anyone),
        ("GET", "/api/docs/scalar.aspnetcore.js", "/api/docs/scalar.aspnetcore.js", Anyone),
        ("GET", "/api/docs/favicon.svg", "/api/docs/favicon.svg", Anyone),
        ("GET", "/account/security", "/account/security", SignedIn),
        ("POST", "/account/security/enable", "/account/security/enable", SignedIn),
        ("POST", "/account/security/recovery-codes", "/account/security/recovery-codes", SignedIn),
        ("POST", "/account/security/disable", "/account/security/disable", SignedIn),
        ("POST", "/account/security/feeds/rotate", "/account/security/feeds/rotate", SignedIn),
        ("GET", "/account/password", "/account/password", SignedIn),
        ("POST", "/account/password", "/account/password", SignedIn),
        ("POST", "/admin/roles", "/admin/roles", Permissions.RolesManage),
        ("POST", "/account/security/sign-out-everywhere", "/account/security/sign-out-everywhere", SignedIn),
        ("GET", "/account/logout", "/account/logout", Anyone),
        ("POST", "/account/logout", "/account/logout", Anyone),
    ];

    [Theory]
    [MemberData(nameof(Visitors.AnonymousAndEveryDemoAccount), MemberType = typeof(Visitors))]
    public async Task Every_endpoint_answers_each_role_as_the_permission_matrix_says(string visitor)
    {
        // One app for every visitor, each with its own account and session. The admin's empty post to /admin/roles
        // changes the roles, which decide everybody's access: they are put back after each visitor.
        var restoreRoles = await RememberRolesAsync();
        try
        {
            await VisitEveryEndpointAsync(visitor);
        }
        finally
        {
            await restoreRoles();
        }
    }

    private async Task VisitEveryEndpointAsync(string visitor)
    {
        var role = DemoSeeder.Accounts.SingleOrDefault(a => a.Email == visitor)?.Role;
        var client = role is null ? app.NewClient() : await app.SignedInClientAsync(visitor);
        var permissions = role is null ? [] : Roles.DefaultMatrix[role];

        var wrong = new List<string>();
        foreach (var (method, _, url, requires) in Endpoints)
        {
            // Headers only: /board/events is an endless stream.
            using var response = method == "GET" ? await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead) : await PostAsync(client, url);
            var status = (int)response.StatusCode;
            var toLogin = response.Headers.Location?.ToString().Contains("/account/login") == true && url != "/account/logout";
            // An open endpoint may still send a visitor on (the 2FA step without a pending sign-in goes back to sign-in).
            if (requires == Anyone && toLogin) toLogin = false;
            var expected = requires switch
            {
                Anyone => "allowed",
                ApiKey => "sign-in",
                _ when role is null => "sign-in",
                SignedIn => "allowed",
                _ => requires.Split(' ').All(permissions.Contains) ? "allowed" : "forbidden",
            };
            var actual = status >= 500 ? $"error {status}"
                : status == 403 ? "forbidden"
                : toLogin || status == 401 ? "sign-in"
                : status == 400 ? "bad request"
                : "allowed";
            if (actual != expected) wrong.Add($"{method} {url}: expected {expected}, got {actual} ({status})");
        }
        Assert.True(wrong.Count == 0, $"{visitor}:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void Every_endpoint_states_its_access_and_is_in_the_matrix()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var unstated = new List<string>();
        var unlisted = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var template = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
            if (!anonymous && policies.Count == 0) unstated.Add(template);
            // A plain [Authorize] is for a user's own account pages only; everything else names a permission.
            if (!anonymous && policies.Count > 0 && policies.All(p => p.Policy is null) && !template.StartsWith("/account/"))
                unstated.Add(template + " (no permission named)");
            foreach (var method in methods.Where(m => m is "GET" or "POST"))
                if (!Endpoints.Any(e => e.Method == method && e.Template == template)) unlisted.Add($"{method} {template}");
        }
        Assert.True(unstated.Count == 0, "Endpoints without explicit access metadata:\n" + string.Join("\n", unstated));
        Assert.True(unlisted.Count == 0, "Endpoints missing from the access matrix test:\n" + string.Join("\n", unlisted));
        Assert.Equal(Endpoints.Length, Endpoints.Select(e => (e.Method, e.Template)).Distinct().Count());
    }

    /// <summary>A permission no code checks is a lie on /admin/roles: the switch is there and changes nothing.</summary>
    [Fact]
    public void Every_permission_is_required_by_some_endpoint()
    {
        var required = new HashSet<string>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints)
        {
            required.UnionWith(endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>());
            required.UnionWith(endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()
                .SelectMany(p => p.Requirements.OfType<ClaimsAuthorizationRequirement>())
                .Where(r => r.ClaimType == Permissions.ClaimType).SelectMany(r => r.AllowedValues ?? []));
            required.UnionWith(endpoint.Metadata.GetOrderedMetadata<ChecksPermissionAttribute>().Select(c => c.Permission));
        }
        Assert.Empty(Permissions.All.Except(required));
        Assert.Empty(Roles.DefaultMatrix.Values.SelectMany(p => p).Except(Permissions.All));
    }

    /// <summary>The roles' permissions and two-factor rule as they are now, and how to put them back.</summary>
    private async Task<Func<Task>> RememberRolesAsync()
    {
        await using var db = app.NewDb();
        var twoFactor = await db.Roles.ToDictionaryAsync(r => r.Id, r => r.RequiresTwoFactor);
        var claims = await db.RoleClaims.AsNoTracking().Select(c => new { c.RoleId, c.ClaimType, c.ClaimValue }).ToListAsync();
        return async () =>
        {
            await using var restore = app.NewDb();
            await using var transaction = await restore.Database.BeginTransactionAsync();
            await restore.RoleClaims.ExecuteDeleteAsync();
            restore.RoleClaims.AddRange(claims.Select(c => new IdentityRoleClaim<string> { RoleId = c.RoleId, ClaimType = c.ClaimType, ClaimValue = c.ClaimValue }));
            foreach (var role in await restore.Roles.ToListAsync()) role.RequiresTwoFactor = twoFactor[role.Id];
            await restore.SaveChangesAsync();
            await transaction.CommitAsync();
        };
    }

    /// <summary>A POST carrying the antiforgery token, as the page's htmx or form would.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url)
    {
        var home = await client.GetDocumentAsync("/");
        // An anonymous visitor's "/" comes from the shared cache without a token (PublicPagesTests); the sign-in page has one.
        if (home.Body!.GetAttribute("hx-headers") is null) home = await client.GetDocumentAsync("/account/login");
        var token = JsonDocument.Parse(home.Body!.GetAttribute("hx-headers")!).RootElement.GetProperty("RequestVerificationToken").GetString();
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent([]) };
        request.Headers.Add("RequestVerificationToken", token);
        return await client.SendAsync(request);
    }
}
