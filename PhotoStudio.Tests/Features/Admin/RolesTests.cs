using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Features.Account;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

public class RolesTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string Unlisted = "galleries.manage";

    /// <summary>The matrix form as the browser would post it, with one checkbox flipped.</summary>
    private static List<KeyValuePair<string, string>> Fields(IHtmlFormElement form, string? flipValue)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input"))
        {
            var on = input.Type == "checkbox" ? input.IsChecked ^ (input.Value == flipValue) : true;
            if (on && input.Name is { Length: > 0 }) fields.Add(new(input.Name, input.Value));
        }
        return fields;
    }

    private async Task<HttpResponseMessage> PostMatrixAsync(HttpClient client, string flip, bool htmx = false)
    {
        var page = await client.GetDocumentAsync("/admin/roles");
        var form = page.QuerySelector<IHtmlFormElement>("#role-matrix")!;
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/roles") { Content = new FormUrlEncodedContent(Fields(form, flip)) };
        if (htmx) request.Headers.Add("HX-Request", "true");
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task An_admin_grants_a_permission_and_the_change_is_audited()
    {
        var client = app.NewClient();
        await client.SignInAsync("admin@demo.studio", clock: app.Clock);

        var response = await PostMatrixAsync(client, "Photographer|clients.export");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        await using var db = app.NewDb();
        var photographer = await db.Roles.SingleAsync(r => r.Name == "Photographer");
        Assert.Contains(db.RoleClaims, c => c.RoleId == photographer.Id && c.ClaimValue == Permissions.ClientsExport);
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == "role.permission_granted");
        Assert.Contains("Photographer.clients.export", entry.Changes);
        Assert.Equal("admin@demo.studio", entry.ActorName);
    }

    [Fact]
    public async Task Admin_always_keeps_roles_manage()
    {
        var client = app.NewClient();
        await client.SignInAsync("admin@demo.studio", clock: app.Clock);

        var response = await PostMatrixAsync(client, "Admin|roles.manage", htmx: true);
        var fragment = await response.ReadDocumentAsync();
        Assert.Contains("always keeps roles.manage", fragment.QuerySelector("#role-matrix [role=alert]")!.TextContent);
        Assert.True(fragment.QuerySelector<IHtmlInputElement>("#grant-Admin-roles-manage")!.IsChecked);

        await using var db = app.NewDb();
        var admin = await db.Roles.SingleAsync(r => r.Name == "Admin");
        Assert.Contains(db.RoleClaims, c => c.RoleId == admin.Id && c.ClaimValue == Permissions.RolesManage);
    }

    [Fact]
    public async Task Requiring_two_factor_for_a_role_is_saved_and_audited()
    {
        var client = app.NewClient();
        await client.SignInAsync("admin@demo.studio", clock: app.Clock);
        await PostMatrixAsync(client, "Receptionist");

        await using var db = app.NewDb();
        Assert.True((await db.Roles.SingleAsync(r => r.Name == "Receptionist")).RequiresTwoFactor);
        Assert.Contains(db.AuditEntries, e => e.EntityType == "StudioRole" && e.Changes!.Contains("RequiresTwoFactor"));
    }

    [Fact]
    public async Task The_matrix_offers_only_permissions_that_guard_something_and_keeps_stored_claims_it_does_not_list()
    {
        // A claim no endpoint of this version asks for (say, written by a later version the studio rolled back from).
        await using var own = new StudioApp();
        await own.InitializeAsync();
        await using (var db = own.NewDb())
        {
            var receptionist = await db.Roles.SingleAsync(r => r.Name == "Receptionist");
            db.RoleClaims.Add(new() { RoleId = receptionist.Id, ClaimType = Permissions.ClaimType, ClaimValue = Unlisted });
            await db.SaveChangesAsync();
        }
        var client = await own.SignedInClientAsync("admin@demo.studio");
        var page = await client.GetDocumentAsync("/admin/roles");
        var offered = page.QuerySelectorAll("#role-matrix tbody th code").Select(c => c.TextContent).ToList();
        Assert.Equal(Permissions.All, offered);
        Assert.DoesNotContain(Unlisted, offered);

        Assert.Equal(HttpStatusCode.SeeOther, (await PostMatrixAsync(client, "Receptionist|reports.view")).StatusCode);
        await using var after = own.NewDb();
        var role = await after.Roles.SingleAsync(r => r.Name == "Receptionist");
        var claims = await after.RoleClaims.Where(c => c.RoleId == role.Id).Select(c => c.ClaimValue).ToListAsync();
        Assert.Contains(Unlisted, claims);
        Assert.Contains(Permissions.ReportsView, claims);
    }

    [Fact]
    public async Task A_manager_may_not_open_the_roles_page()
    {
        var client = app.NewClient();
        await client.SignInAsync("manager@demo.studio", clock: app.Clock);
        var response = await client.GetAsync("/admin/roles");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Not allowed", (await response.ReadDocumentAsync()).QuerySelector("h1")!.TextContent);

        var htmx = await client.HtmxAsync(HttpMethod.Get, "/admin/roles");
        Assert.Equal(HttpStatusCode.Forbidden, htmx.StatusCode);
        Assert.Equal("#flash", htmx.Headers.GetValues("HX-Retarget").Single());
        Assert.DoesNotContain("<html", await htmx.Content.ReadAsStringAsync());
    }
}
