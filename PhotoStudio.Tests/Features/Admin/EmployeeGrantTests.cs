using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Admin.Employees;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

/// <summary>
/// employees.manage delegated to a role without roles.manage: here the Manager role gets it. Its holder may give and
/// take only roles within their own permissions, and may not touch an account that holds more (an admin's).
/// </summary>
public class EmployeeGrantTests(StudioApp app) : IClassFixture<StudioApp>, IAsyncLifetime
{
    private const string Manager = "manager@demo.studio";
    private const string Admin = "admin@demo.studio";

    public async Task InitializeAsync()
    {
        await using var db = app.NewDb();
        var manager = await db.Roles.SingleAsync(r => r.Name == Roles.Manager);
        if (!await db.RoleClaims.AnyAsync(c => c.RoleId == manager.Id && c.ClaimValue == Permissions.EmployeesManage))
        {
            db.RoleClaims.Add(new() { RoleId = manager.Id, ClaimType = Permissions.ClaimType, ClaimValue = Permissions.EmployeesManage });
            await db.SaveChangesAsync();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(int Id, string UserId)> EmployeeAsync(string email)
    {
        await using var db = app.NewDb();
        var e = await db.Employees.Where(e => e.User!.Email == email).Select(e => new { e.Id, e.UserId }).SingleAsync();
        return (e.Id, e.UserId);
    }

    private async Task<string[]> RolesOfAsync(string email)
    {
        await using var db = app.NewDb();
        return await db.Users.Where(u => u.Email == email)
            .SelectMany(u => db.UserRoles.Where(ur => ur.UserId == u.Id))
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).OrderBy(n => n).ToArrayAsync();
    }

    private async Task<bool> RefusalAuditedAsync(string? subjectUserId, string action)
    {
        await using var db = app.NewDb();
        var refusals = await db.AuditEntries.Where(a => a.Action == "employee.change_refused" && a.ActorName == Manager
            && a.EntityId == (subjectUserId ?? "")).Select(a => a.Changes).ToListAsync();
        return refusals.Any(changes => changes!.Contains(action));
    }

    /// <summary>The employee form as the manager's browser has it, posted with some fields changed.</summary>
    private static async Task<HttpResponseMessage> SaveAsync(HttpClient client, int id, Dictionary<string, string> values)
    {
        var page = await client.GetDocumentAsync($"/admin/employees/{id}");
        return await client.SubmitAsync((IHtmlFormElement)page.Single("#employee-form"), values);
    }

    [Fact]
    public async Task Manager_cannot_grant_admin_to_self()
    {
        var manager = await app.SignedInClientAsync(Manager);
        var (id, userId) = await EmployeeAsync(Manager);
        var page = await manager.GetDocumentAsync($"/admin/employees/{id}");
        Assert.Null(page.QuerySelector("#employee-form input[name=Roles][value=Admin]"));
        Assert.NotNull(page.QuerySelector("#employee-form input[name=Roles][value=Manager][checked]"));

        var response = await SaveAsync(manager, id, new() { ["Roles"] = Roles.Admin });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal([Roles.Manager], await RolesOfAsync(Manager));
        Assert.True(await RefusalAuditedAsync(userId, "Admin"));
    }

    [Fact]
    public async Task Manager_cannot_grant_admin_to_someone_else()
    {
        var manager = await app.SignedInClientAsync(Manager);
        var (id, _) = await EmployeeAsync("reception@demo.studio");

        var response = await SaveAsync(manager, id, new() { ["Roles"] = Roles.Admin, ["Position"] = "Owner now" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal([Roles.Receptionist], await RolesOfAsync("reception@demo.studio"));
        await using var db = app.NewDb();
        Assert.NotEqual("Owner now", await db.Employees.Where(e => e.Id == id).Select(e => e.Position).SingleAsync());
    }

    [Fact]
    public async Task Manager_may_grant_a_role_within_their_own_permissions()
    {
        var manager = await app.SignedInClientAsync(Manager);
        var (id, _) = await EmployeeAsync("maria@demo.studio");
        var page = await manager.GetDocumentAsync($"/admin/employees/{id}");
        var offered = page.QuerySelectorAll("#employee-form input[name=Roles]").Select(i => i.GetAttribute("value")).ToList();
        Assert.Equal([Roles.Manager, Roles.Photographer, Roles.Receptionist], offered);

        var form = (IHtmlFormElement)page.Single("#employee-form");
        page.QuerySelector<IHtmlInputElement>("#role-Receptionist")!.IsChecked = true;
        var response = await manager.SubmitAsync(form);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal([Roles.Photographer, Roles.Receptionist], await RolesOfAsync("maria@demo.studio"));
    }

    [Fact]
    public async Task Manager_cannot_add_an_employee_with_a_role_beyond_their_own()
    {
        var manager = await app.SignedInClientAsync(Manager);
        var page = await manager.GetDocumentAsync("/admin/employees/new");
        Assert.Null(page.QuerySelector("#employee-form input[name=Roles][value=Admin]"));
        var person = new Dictionary<string, string>
        {
            ["FullName"] = "Mallory Brandt", ["Email"] = "mallory@demo.studio", ["Roles"] = Roles.Admin,
            ["Access"] = "password", ["InitialPassword"] = "violet marble kettle horizon",
        };

        var refused = await manager.SubmitAsync((IHtmlFormElement)page.Single("#employee-form"), person);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await using var db = app.NewDb();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "mallory@demo.studio"));
        Assert.True(await RefusalAuditedAsync(null, "Create"));

        person["Roles"] = Roles.Photographer;
        var added = await manager.SubmitAsync("/admin/employees/new", "#employee-form", person);
        Assert.Equal(HttpStatusCode.SeeOther, added.StatusCode);
        Assert.Equal([Roles.Photographer], await RolesOfAsync("mallory@demo.studio"));
    }

    [Fact]
    public async Task Manager_cannot_reset_an_admins_password()
    {
        var manager = await app.SignedInClientAsync(Manager);
        var (id, userId) = await EmployeeAsync(Admin);
        var page = await manager.GetDocumentAsync($"/admin/employees/{id}");
        Assert.Null(page.QuerySelector("#reset-form"));

        var response = await manager.HtmxAsync(HttpMethod.Post, $"/admin/employees/{id}/password",
            new Dictionary<string, string> { ["TemporaryPassword"] = "taken over by the manager" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True(await RefusalAuditedAsync(userId, "ResetPassword"));
        await using var db = app.NewDb();
        Assert.False(await db.Users.Where(u => u.Id == userId).Select(u => u.MustChangePassword).SingleAsync());
        await app.NewClient().SignInAsync(Admin, DemoSeeder.Password, app.Clock);
    }

    [Fact]
    public async Task Manager_cannot_make_a_set_up_link_for_an_admin()
    {
        var manager = await app.SignedInClientAsync(Manager);
        var (id, userId) = await EmployeeAsync(Admin);
        Assert.Null((await manager.GetDocumentAsync($"/admin/employees/{id}")).QuerySelector("#setup-link-form"));
        await using var db = app.NewDb();
        var stamp = await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleAsync();

        var response = await manager.HtmxAsync(HttpMethod.Post, $"/admin/employees/{id}/setup-link");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("/account/setup", await response.Content.ReadAsStringAsync());
        Assert.Null((await manager.GetDocumentAsync($"/admin/employees/{id}")).QuerySelector("#setup-link"));
        Assert.Equal(stamp, await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleAsync());
        Assert.True(await RefusalAuditedAsync(userId, "NewSetupLink"));
    }

    [Fact]
    public async Task Manager_cannot_change_an_admins_email()
    {
        var manager = await app.SignedInClientAsync(Manager);
        var (id, userId) = await EmployeeAsync(Admin);
        var page = await manager.GetDocumentAsync($"/admin/employees/{id}");
        Assert.NotNull(page.QuerySelector("#employee-form fieldset[disabled]"));

        var response = await manager.SubmitAsync((IHtmlFormElement)page.Single("#employee-form"),
            new Dictionary<string, string> { ["Email"] = "mallory@attacker.example" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await using var db = app.NewDb();
        Assert.Equal(Admin, await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleAsync());
        Assert.True(await RefusalAuditedAsync(userId, "Save"));
    }

    [Fact]
    public async Task Manager_cannot_deactivate_an_admin()
    {
        var manager = await app.SignedInClientAsync(Manager);
        var (id, userId) = await EmployeeAsync(Admin);
        Assert.Null((await manager.GetDocumentAsync($"/admin/employees/{id}")).QuerySelector("#active-form"));
        await using var db = app.NewDb();
        var version = await db.Employees.Where(e => e.Id == id).Select(e => e.Version).SingleAsync();

        var response = await manager.HtmxAsync(HttpMethod.Post, $"/admin/employees/{id}/deactivate",
            new Dictionary<string, string> { ["version"] = version.ToString() });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True(await db.Employees.Where(e => e.Id == id).Select(e => e.IsActive).SingleAsync());
        Assert.True(await RefusalAuditedAsync(userId, "Deactivate"));
    }

    [Theory]
    [InlineData("activate")]
    [InlineData("hours")]
    [InlineData("time-off")]
    [InlineData("time-off/1/delete")]
    public async Task Manager_cannot_change_anything_else_of_an_admin(string action)
    {
        var manager = await app.SignedInClientAsync(Manager);
        var (id, _) = await EmployeeAsync(Admin);
        await using var db = app.NewDb();
        var version = await db.Employees.Where(e => e.Id == id).Select(e => e.Version).SingleAsync();

        var response = await manager.HtmxAsync(HttpMethod.Post, $"/admin/employees/{id}/{action}", new Dictionary<string, string>
        {
            ["version"] = version.ToString(), ["rows[0].Day"] = "Monday", ["rows[0].Starts"] = "01:00", ["rows[0].Ends"] = "02:00",
            ["From"] = "2031-01-01T08:00", ["Until"] = "2031-01-02T08:00", ["Confirm"] = "true",
        });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(version, await db.Employees.Where(e => e.Id == id).Select(e => e.Version).SingleAsync());
        Assert.False(await db.TimeOff.AnyAsync(t => t.EmployeeId == id && t.StartsAt.Year == 2031));
        var hours = await manager.GetDocumentAsync($"/admin/employees/{id}/hours");
        Assert.Null(hours.QuerySelector("#hours-form button[type=submit]"));
        Assert.NotNull(hours.QuerySelector("#hours-form fieldset[disabled]"));
        Assert.Null((await manager.GetDocumentAsync($"/admin/employees/{id}/time-off")).QuerySelector("#time-off-form"));
    }

    [Fact]
    public async Task Manager_may_act_on_a_plain_photographer()
    {
        var manager = await app.SignedInClientAsync(Manager);
        var (id, userId) = await EmployeeAsync("anna@demo.studio");

        Assert.Equal(HttpStatusCode.SeeOther, (await SaveAsync(manager, id, new() { ["Position"] = "Lead photographer" })).StatusCode);
        var page = await manager.GetDocumentAsync($"/admin/employees/{id}");
        Assert.Equal("Lead photographer", page.Single("#Position").GetAttribute("value"));
        Assert.Equal(HttpStatusCode.SeeOther, (await manager.SubmitAsync((IHtmlFormElement)page.Single("#setup-link-form"))).StatusCode);
        Assert.NotNull((await manager.GetDocumentAsync($"/admin/employees/{id}")).QuerySelector("#setup-link"));
        Assert.Equal(HttpStatusCode.SeeOther, (await manager.SubmitAsync($"/admin/employees/{id}", "#reset-form",
            new Dictionary<string, string> { ["TemporaryPassword"] = "violet marble kettle horizon" })).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await manager.SubmitAsync($"/admin/employees/{id}", "#active-form")).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await manager.SubmitAsync($"/admin/employees/{id}", "#active-form")).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await manager.SubmitAsync($"/admin/employees/{id}/time-off", "#time-off-form",
            new Dictionary<string, string> { ["From"] = "2031-01-01T08:00", ["Until"] = "2031-01-02T08:00" })).StatusCode);

        await using var db = app.NewDb();
        Assert.True(await db.Users.Where(u => u.Id == userId).Select(u => u.MustChangePassword).SingleAsync());
        Assert.True(await db.Employees.Where(e => e.Id == id).Select(e => e.IsActive).SingleAsync());
        Assert.False(await db.AuditEntries.AnyAsync(a => a.Action == "employee.change_refused" && a.EntityId == userId));
    }

    [Fact]
    public async Task An_admin_still_changes_everyone_and_gives_any_role()
    {
        var admin = await app.SignedInClientAsync(Admin);
        var (id, _) = await EmployeeAsync("ivan@demo.studio");
        var page = await admin.GetDocumentAsync($"/admin/employees/{id}");
        Assert.NotNull(page.QuerySelector("#employee-form input[name=Roles][value=Admin]"));

        Assert.Equal(HttpStatusCode.SeeOther, (await SaveAsync(admin, id, new() { ["Roles"] = Roles.Admin })).StatusCode);
        Assert.Equal([Roles.Admin], await RolesOfAsync("ivan@demo.studio"));
        Assert.Equal(HttpStatusCode.SeeOther, (await SaveAsync(admin, id, new() { ["Roles"] = Roles.Photographer })).StatusCode);
        Assert.Equal([Roles.Photographer], await RolesOfAsync("ivan@demo.studio"));
    }

    [Fact]
    public void Every_change_of_an_employee_is_held_to_the_grant()
    {
        var unguarded = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("admin/employees", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") != true)
            .Where(e => e.Metadata.GetMetadata<WithinOwnGrantAttribute>() is null)
            .Select(e => e.RoutePattern.RawText).ToList();
        Assert.Empty(unguarded);
    }
}
