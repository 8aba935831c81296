using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Admin.Integrations;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Api;

/// <summary>API keys: made at /admin/integrations and shown once, stored as a hash, checked on every request, revoked at once.</summary>
public class ApiKeysTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string Admin = "admin@demo.studio";

    /// <summary>A client of the API: no cookies, the key (when given) as a bearer token.</summary>
    public static HttpClient Api(StudioApp app, string? key)
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        if (key is not null)
        {
            TestSecrets.Remember(key);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    [Fact]
    public async Task The_demo_key_reads_the_catalogue_and_no_key_a_wrong_key_or_a_cookie_gets_401_problem_details()
    {
        using var demo = Api(app, DemoSeeder.ApiKey);
        using var services = await demo.GetAsync("/api/v1/services");
        Assert.Equal(HttpStatusCode.OK, services.StatusCode);
        Assert.Equal("application/json", services.Content.Headers.ContentType!.MediaType);
        var list = JsonDocument.Parse(await services.Content.ReadAsStringAsync()).RootElement;
        Assert.True(list.GetArrayLength() >= 3);
        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("name").GetString() == "Portrait session");

        var wrongSecret = DemoSeeder.ApiKey[..^4] + "aaaa";
        var staff = await app.SignedInClientAsync(Admin);
        foreach (var (client, what) in new[] { (Api(app, null), "no key"), (Api(app, wrongSecret), "a wrong secret"),
                     (Api(app, "psk_nosuchke_" + new string('a', 32)), "an unknown prefix"), (Api(app, "not-a-key"), "garbage"), (staff, "a staff cookie") })
        {
            using var response = await client.GetAsync("/api/v1/services");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(401, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        }
    }

    [Fact]
    public async Task An_admin_makes_a_key_sees_it_once_only_its_hash_is_stored_and_revoking_it_refuses_it_at_once()
    {
        var admin = await app.SignedInClientAsync(Admin);
        var name = $"Website {Guid.NewGuid():N}"[..20];
        var page = await admin.GetDocumentAsync("/admin/integrations");
        var form = page.QuerySelector<IHtmlFormElement>("#key-form")!;
        // The admin may give every permission they hold; this key gets two.
        Assert.Equal(Permissions.All.Order(), form.QuerySelectorAll<IHtmlInputElement>("input[name=Scopes]").Select(i => i.Value).Order());
        foreach (var box in form.QuerySelectorAll<IHtmlInputElement>("input[name=Scopes]"))
            box.IsChecked = box.Value is Permissions.BookingsViewAll or Permissions.ClientsView;
        using var created = await admin.SubmitAsync(form, new Dictionary<string, string> { ["Name"] = name });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Contains("no-store", created.Headers.CacheControl!.ToString());
        var shown = (await created.ReadDocumentAsync()).Single("#new-key-value").GetAttribute("value")!;
        TestSecrets.Remember(shown);
        Assert.Matches("^psk_[a-z2-7]{8}_[a-z2-7]{32}$", shown);

        // Stored: the prefix and the SHA-256 of the key, never the key.
        await using (var db = app.NewDb())
        {
            var row = await db.ApiKeys.SingleAsync(k => k.Name == name);
            Assert.Equal(shown[4..12], row.Prefix);
            Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(shown)), row.SecretHash);
            Assert.Equal([Permissions.BookingsViewAll, Permissions.ClientsView], row.Scopes);
            Assert.Null(row.LastUsedAt);
        }
        // The list shows the prefix, never the secret again.
        var list = await (await admin.GetAsync("/admin/integrations")).Content.ReadAsStringAsync();
        Assert.Contains($"psk_{shown[4..12]}", list);
        Assert.DoesNotContain(shown, list);

        using var api = Api(app, shown);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/rooms")).StatusCode);
        await using (var db = app.NewDb())
            Assert.NotNull((await db.ApiKeys.SingleAsync(k => k.Name == name)).LastUsedAt);
        page = await admin.GetDocumentAsync("/admin/integrations");
        Assert.DoesNotContain("never", page.Single($"[data-key='{shown[4..12]}'] .key-last-used").TextContent);

        using var revoked = await admin.SubmitAsync(page.QuerySelector<IHtmlFormElement>($"[data-key='{shown[4..12]}'] form")!);
        Assert.Equal(HttpStatusCode.SeeOther, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/rooms")).StatusCode);
        // The name is free again for a new key; the revoked one stays listed, marked.
        page = await admin.GetDocumentAsync("/admin/integrations");
        Assert.Null(page.Single($"[data-key='{shown[4..12]}']").QuerySelector("form"));
        Assert.NotNull(page.Single($"[data-key='{shown[4..12]}']").QuerySelector(".key-revoked"));
        await using (var db = app.NewDb())
        {
            var id = (await db.ApiKeys.SingleAsync(k => k.Name == name)).Id.ToString();
            var entries = await db.AuditEntries.Where(a => a.EntityType == nameof(ApiKey) && a.EntityId == id).OrderBy(a => a.Id).ToListAsync();
            Assert.Equal(["created", "updated"], entries.Select(e => e.Action));
            Assert.Contains("Scopes", entries[0].Changes);
            Assert.DoesNotContain(nameof(ApiKey.SecretHash), entries[0].Changes);
            Assert.Contains("RevokedAt", entries[1].Changes);
        }
    }

    [Fact]
    public async Task A_key_needs_a_name_free_among_live_keys_and_at_least_one_scope_its_creator_holds()
    {
        var admin = await app.SignedInClientAsync(Admin);
        async Task<(HttpStatusCode Status, IHtmlDocument Page)> CreateAsync(string name, params string[] scopes)
        {
            var form = (await admin.GetDocumentAsync("/admin/integrations")).QuerySelector<IHtmlFormElement>("#key-form")!;
            foreach (var box in form.QuerySelectorAll<IHtmlInputElement>("input[name=Scopes]")) box.IsChecked = scopes.Contains(box.Value);
            // A scope that is no permission at all is posted as a crafted request would.
            if (scopes.Contains("bogus.scope"))
            {
                var extra = (IHtmlInputElement)form.Owner!.CreateElement("input");
                extra.Type = "hidden"; extra.Name = "Scopes"; extra.Value = "bogus.scope";
                form.AppendChild(extra);
            }
            using var response = await admin.SubmitAsync(form, new Dictionary<string, string> { ["Name"] = name });
            return (response.StatusCode, await response.ReadDocumentAsync());
        }

        var (status, page) = await CreateAsync("   ", Permissions.ClientsView);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.NotEmpty(page.Single("#Name-error").TextContent.Trim());
        (status, page) = await CreateAsync(new string('x', ApiKey.NameLength + 1), Permissions.ClientsView);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        (status, page) = await CreateAsync("No scopes");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.NotEmpty(page.Single("#Scopes-error").TextContent.Trim());
        (status, _) = await CreateAsync("Bogus scope", "bogus.scope");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        (status, page) = await CreateAsync(DemoSeeder.ApiKeyName, Permissions.ClientsView);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(DemoSeeder.ApiKeyName, page.Single("#Name").GetAttribute("value"));
        await using var db = app.NewDb();
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.Name == DemoSeeder.ApiKeyName));
        Assert.False(await db.ApiKeys.AnyAsync(k => k.Name == "No scopes" || k.Name == "Bogus scope"));
    }

    [Fact]
    public async Task A_key_never_does_more_than_its_creator_may_now_and_dies_with_the_creators_account()
    {
        // A key of the receptionist's that claims an export scope (as if their role had shrunk since): it keeps only
        // what the Receptionist role grants today.
        await using var db = app.NewDb();
        var reception = await db.Users.SingleAsync(u => u.Email == "reception@demo.studio");
        var key = ApiKeys.NewKey();
        TestSecrets.Remember(key);
        db.ApiKeys.Add(new ApiKey
        {
            Name = $"Reception tool {Guid.NewGuid():N}"[..30], Prefix = ApiKeys.PrefixOf(key)!, SecretHash = ApiKeys.Hash(key),
            Scopes = [Permissions.ClientsView, Permissions.ClientsExport], CreatedByUserId = reception.Id, CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();

        await using (var scope = app.Scope())
        {
            var identity = await scope.ServiceProvider.GetRequiredService<ApiKeys>().AuthenticateAsync(key, default);
            Assert.NotNull(identity);
            Assert.Equal([Permissions.ClientsView], identity.Permissions);
        }

        var employee = await db.Employees.SingleAsync(e => e.UserId == reception.Id);
        employee.IsActive = false;
        await db.SaveChangesAsync();
        try
        {
            using var api = Api(app, key);
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/rooms")).StatusCode);
        }
        finally
        {
            employee.IsActive = true;
            await db.SaveChangesAsync();
        }
        using var again = Api(app, key);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/v1/rooms")).StatusCode);
    }

    [Fact]
    public async Task Other_roles_cannot_open_integrations_and_the_admin_sees_it_in_the_menu()
    {
        var manager = await app.SignedInClientAsync("manager@demo.studio");
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/admin/integrations")).StatusCode);
        Assert.Null((await manager.GetDocumentAsync("/board")).QuerySelector("nav a[href='/admin/integrations']"));
        var admin = await app.SignedInClientAsync(Admin);
        Assert.NotNull((await admin.GetDocumentAsync("/board")).QuerySelector("nav a[href='/admin/integrations']"));
    }
}
