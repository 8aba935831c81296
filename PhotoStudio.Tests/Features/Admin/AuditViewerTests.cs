using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Features.Admin.Audit;
using PhotoStudio.Infrastructure;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

public class AuditViewerTests(StudioApp app) : IClassFixture<StudioApp>, IAsyncLifetime
{
    private const string Admin = "admin@demo.studio";
    private HttpClient admin = null!;

    /// <summary>Known changes by the admin: a settings change and a closure, on top of the demo's own entries.</summary>
    public async Task InitializeAsync()
    {
        admin = await app.SignedInClientAsync(Admin);
        await using var db = app.NewDb();
        if (await db.Closures.AnyAsync(c => c.Reason == "Audit closure")) return;
        var page = await admin.GetDocumentAsync("/admin/settings");
        await admin.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#settings-form")!,
            new Dictionary<string, string> { ["Name"] = "Audited Studio", ["HorizonDays"] = "90" });
        await admin.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#closure-form")!,
            new Dictionary<string, string> { ["FirstDay"] = "2031-05-01", ["LastDay"] = "2031-05-02", ["Reason"] = "Audit closure" });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static IEnumerable<string> Column(AngleSharp.Html.Dom.IHtmlDocument page, string css) =>
        page.QuerySelectorAll($"#audit-table tbody tr[id] > td{css}").Select(td => td.TextContent.Trim());

    [Fact]
    public async Task The_newest_entries_come_first_with_the_changed_fields_as_old_to_new()
    {
        var page = await admin.GetDocumentAsync("/admin/audit?type=StudioSettings&action=updated");
        var row = page.QuerySelectorAll("#audit-table tbody tr[id]").First(r => r.TextContent.Contains("Audited Studio"));
        var name = row.QuerySelectorAll(".audit-changes tr").Single(r => r.QuerySelector("th")!.TextContent == "Name");
        Assert.Equal("Lumen Photo Studio", name.QuerySelector(".audit-old")!.TextContent);
        Assert.Equal("Audited Studio", name.QuerySelector(".audit-new")!.TextContent);
        var horizon = row.QuerySelectorAll(".audit-changes tr").Single(r => r.QuerySelector("th")!.TextContent == "HorizonDays");
        Assert.Equal(("60", "90"), (horizon.QuerySelector(".audit-old")!.TextContent, horizon.QuerySelector(".audit-new")!.TextContent));
        await using var db = app.NewDb();
        var adminName = await db.Users.Where(u => u.Email == Admin)
            .Select(u => u.Employee != null ? u.Employee.FullName : u.Email).SingleAsync();
        Assert.Equal(adminName, row.QuerySelector(".audit-who")!.TextContent.Trim());

        var times = page.QuerySelectorAll("#audit-table tbody time").Select(t => DateTime.Parse(t.GetAttribute("datetime")!)).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
    }

    [Fact]
    public async Task Each_filter_narrows_the_list()
    {
        var all = await admin.GetDocumentAsync("/admin/audit");
        var total = Total(all);

        var closures = await admin.GetDocumentAsync("/admin/audit?type=Closure");
        Assert.InRange(Total(closures), 1, total - 1);
        Assert.All(Column(closures, ".audit-entity"), e => Assert.StartsWith("Closure", e));

        var created = await admin.GetDocumentAsync("/admin/audit?action=updated");
        Assert.InRange(Total(created), 1, total - 1);
        Assert.All(created.QuerySelectorAll("#audit-table tbody tr[id] > td:nth-child(3)"), td => Assert.Equal("updated", td.TextContent.Trim()));

        await using var db = app.NewDb();
        var adminId = await db.Users.Where(u => u.Email == Admin).Select(u => u.Id).SingleAsync();
        var byAdmin = await admin.GetDocumentAsync("/admin/audit?actor=" + adminId);
        Assert.InRange(Total(byAdmin), 1, total - 1);
        var adminName = Column(byAdmin, ".audit-who").First();
        Assert.All(Column(byAdmin, ".audit-who"), w => Assert.Equal(adminName, w));
        Assert.Contains(all.QuerySelectorAll("#filter-actor option"), o => o.GetAttribute("value") == adminId && o.TextContent == adminName);

        var bySystem = await admin.GetDocumentAsync("/admin/audit?actor=system");
        Assert.All(Column(bySystem, ".audit-who"), w => Assert.Equal("System", w));

        var tomorrow = DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd");
        var future = await admin.GetDocumentAsync($"/admin/audit?from={tomorrow}");
        Assert.Equal(0, Total(future));
        Assert.Contains("No entries match", future.Single("#audit-table").TextContent);
        var untilNow = await admin.GetDocumentAsync($"/admin/audit?to={tomorrow}&type=Closure");
        Assert.Equal(Total(closures), Total(untilNow));
    }

    [Fact]
    public async Task Pages_hold_twenty_entries_and_the_pager_keeps_the_filters()
    {
        var first = await admin.GetDocumentAsync("/admin/audit");
        Assert.True(Total(first) > TableState.PageSize, "the demo should have more than a page of entries");
        Assert.Equal(TableState.PageSize, first.QuerySelectorAll("#audit-table tbody tr[id]").Length);
        var next = first.QuerySelector("#audit-table nav a.page-link")!.GetAttribute("href")!;
        Assert.Equal("/admin/audit?page=2", next);
        var second = await admin.GetDocumentAsync(next);
        Assert.Empty(Ids(first).Intersect(Ids(second)));
        Assert.Contains("page 2 of", second.Single("#audit-table nav").TextContent);

        var filtered = await admin.GetDocumentAsync("/admin/audit?action=created");
        if (Total(filtered) > TableState.PageSize)
            Assert.Equal("/admin/audit?action=created&page=2", filtered.QuerySelector("#audit-table nav a.page-link")!.GetAttribute("href"));
    }

    [Fact]
    public async Task An_htmx_request_gets_only_the_table_and_the_answer_varies_by_hx_request()
    {
        var response = await admin.HtmxAsync(HttpMethod.Get, "/admin/audit?type=Closure");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("HX-Request", response.Headers.Vary);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        Assert.DoesNotContain("audit-filter", html);
        Assert.StartsWith("<section id=\"audit-table\"", html.Trim());
    }

    [Theory]
    [InlineData("?page=abc")]
    [InlineData("?page=-3&from=yesterday&to=2024-02-30")]
    [InlineData("?actor=%00nobody&type=%3Cscript%3E&action=dropped")]
    [InlineData("?page=999999999999999")]
    [InlineData("?from=0001-01-01&to=9999-12-31")]
    public async Task Nonsense_in_the_address_still_shows_the_page(string query)
    {
        var response = await admin.GetAsync("/admin/audit" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("manager@demo.studio")]
    [InlineData("reception@demo.studio")]
    public async Task Staff_without_audit_view_get_403(string email)
    {
        var client = await app.SignedInClientAsync(email);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/audit")).StatusCode);
    }

    [Fact]
    public void Changes_that_are_not_the_usual_object_are_shown_raw_and_values_of_every_kind_as_text()
    {
        var (changes, raw) = AuditViewer.Parse("""{"A":[null,1.5],"B":[true,false],"C":["x",null]}""");
        Assert.Null(raw);
        Assert.Equal([new FieldChange("A", null, "1.5"), new FieldChange("B", "true", "false"), new FieldChange("C", "x", null)], changes);
        Assert.Equal("[1,2]", AuditViewer.Parse("[1,2]").Raw);
        Assert.Equal("{not json", AuditViewer.Parse("{not json").Raw);
        Assert.Equal("""{"A":1}""", AuditViewer.Parse("""{"A":1}""").Raw);
    }

    private static int Total(AngleSharp.Html.Dom.IHtmlDocument page) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(page.Single("#audit-table nav").TextContent, @"(\d+) in all").Groups[1].Value);

    private static IEnumerable<string> Ids(AngleSharp.Html.Dom.IHtmlDocument page) =>
        page.QuerySelectorAll("#audit-table tbody tr[id]").Select(r => r.Id!);
}
