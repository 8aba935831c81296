using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using PhotoStudio.Infrastructure;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>The studio with its public address set, and every Host header let through (as behind a careless proxy).</summary>
public class PublicUrlStudioApp : StudioApp
{
    public const string PublicUrl = "https://studio.example.test";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("PHOTOSTUDIO_PUBLIC_URL", PublicUrl);
        builder.UseSetting("AllowedHosts", "*");
    }
}

/// <summary>Links that leave the site (set-up links, manage links) never follow a forged Host header.</summary>
public class PublicLinksTests(PublicUrlStudioApp app) : IClassFixture<PublicUrlStudioApp>
{
    private HttpClient ForgedHostClient()
    {
        var client = app.NewClient();
        client.BaseAddress = new Uri("http://attacker.example/");
        return client;
    }

    [Fact]
    public async Task A_set_up_link_points_at_the_public_url_whatever_the_host_header_says()
    {
        var admin = ForgedHostClient();
        await admin.SignInAsync("admin@demo.studio", clock: app.Clock);
        var response = await admin.SubmitAsync("/admin/employees/new", "#employee-form", new Dictionary<string, string>
        {
            ["FullName"] = "Nina Forged", ["Email"] = "nina@demo.studio", ["Phone"] = "+49 30 1234567", ["Position"] = "Photographer",
            ["Color"] = "#aa3366", ["Roles"] = "Photographer", ["Access"] = "link", ["InitialPassword"] = "",
        });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var page = await admin.GetDocumentAsync(response.Headers.Location!.OriginalString);
        var link = page.Single("#setup-link").GetAttribute("value")!;
        TestSecrets.Remember(Uri.UnescapeDataString(link.Split("token=")[1]));
        Assert.StartsWith(PublicUrlStudioApp.PublicUrl + "/account/setup?user=", link);

        // "New set-up link" on the employee's page, too.
        var again = await admin.SubmitAsync(page.QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>("form[action$='/setup-link']")!);
        var renewed = (await admin.GetDocumentAsync(again.Headers.Location!.OriginalString)).Single("#setup-link").GetAttribute("value")!;
        TestSecrets.Remember(Uri.UnescapeDataString(renewed.Split("token=")[1]));
        Assert.StartsWith(PublicUrlStudioApp.PublicUrl + "/account/setup?user=", renewed);
    }

    [Fact]
    public async Task A_manage_link_points_at_the_public_url_whatever_the_host_header_says()
    {
        var client = ForgedHostClient();
        var form = await DraftTests.ReviewAsync(app, client, DraftTests.Details($"forged.{Guid.NewGuid():N}@example.org"));
        var confirmed = await client.SubmitAsync(form);
        var done = await client.GetDocumentAsync(confirmed.Headers.Location!.OriginalString);
        var link = done.Single("#manage-link");
        TestSecrets.Remember(link.GetAttribute("href")!.Split("/my/")[1]);
        Assert.StartsWith(PublicUrlStudioApp.PublicUrl + "/my/", link.GetAttribute("href"));
        Assert.Equal(link.GetAttribute("href"), link.TextContent.Trim());
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Outside_development_the_app_refuses_to_start_without_a_public_url(string environment)
    {
        var error = Assert.Throws<InvalidOperationException>(() => PublicLinks.FromConfiguration(Configuration(), Environment(environment)));
        Assert.Contains("PHOTOSTUDIO_PUBLIC_URL is not set", error.Message);
    }

    [Theory]
    [InlineData("ftp://studio.example.com")]
    [InlineData("studio.example.com")]
    [InlineData("https://studio.example.com/?next=evil")]
    public void A_public_url_that_is_not_an_http_address_is_refused(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PublicLinks.FromConfiguration(Configuration(("PHOTOSTUDIO_PUBLIC_URL", value)), Environment("Production")));
        Assert.Contains("must be an http or https address", error.Message);
    }

    [Theory]
    [InlineData("localhost", "localhost:5080", "http://localhost:5080/my/t")]
    [InlineData("localhost;*.studio.test", "front.studio.test", "http://front.studio.test/my/t")]
    [InlineData("localhost", "attacker.example", "/my/t")]
    [InlineData("*", "attacker.example", "/my/t")]
    public void Without_a_public_url_only_a_host_named_in_allowed_hosts_makes_an_absolute_link(string allowedHosts, string host, string expected)
    {
        var links = PublicLinks.FromConfiguration(Configuration(("AllowedHosts", allowedHosts)), Environment("Development"));
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(host);
        Assert.Equal(expected, links.Absolute(context.Request, "/my/t"));
    }

    [Fact]
    public void The_public_url_wins_over_any_request()
    {
        var links = PublicLinks.FromConfiguration(Configuration(("PublicUrl", "https://studio.example.com/")), Environment("Production"));
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("attacker.example");
        Assert.Equal("https://studio.example.com/my/t", links.Absolute(context.Request, "/my/t"));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static HostingEnvironment Environment(string name) => new() { EnvironmentName = name };
}

/// <summary>Without a public address, Host filtering turns away a host that AllowedHosts does not name.</summary>
public class AllowedHostsTests(StudioApp app) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_request_for_a_host_outside_allowed_hosts_is_refused()
    {
        var client = app.NewClient();
        client.BaseAddress = new Uri("http://attacker.example/");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/book")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.NewClient().GetAsync("/book")).StatusCode);
    }
}
