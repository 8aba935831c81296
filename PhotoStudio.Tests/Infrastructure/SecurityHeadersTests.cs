using System.Net;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

[Collection(SharedStudio.Name)]
public class SecurityHeadersTests(StudioApp app)
{
    public static TheoryData<string, bool, int> Responses => new()
    {
        { "/", false, 200 },
        { "/account/login", false, 200 },
        { "/account/login", true, 200 },     // an htmx fragment
        { "/no-such-page", false, 404 },     // a friendly error page
        { "/no-such-page", true, 404 },      // an error fragment
        { "/css/site.css", false, 200 },     // a static file
        { "/health/live", false, 200 },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task Every_response_carries_the_security_headers(string url, bool htmx, int status)
    {
        var client = app.NewClient();
        var response = htmx ? await client.HtmxAsync(HttpMethod.Get, url) : await client.GetAsync(url);
        Assert.Equal(status, (int)response.StatusCode);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self' 'nonce-", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Single(response.Headers.GetValues("Referrer-Policy"));
    }

    [Fact]
    public async Task Every_script_carries_this_responses_nonce_and_no_inline_handlers_exist()
    {
        var client = app.NewClient();
        var response = await client.GetAsync("/account/login");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = csp.Split("'nonce-")[1].Split('\'')[0];
        var page = await response.ReadDocumentAsync();

        Assert.NotEmpty(page.Scripts);
        Assert.All(page.Scripts, s => Assert.Equal(nonce, s.GetAttribute("nonce")));
        Assert.All(page.Scripts, s => Assert.False(string.IsNullOrEmpty(s.Source), "inline script"));
        Assert.DoesNotContain(page.All, e => e.Attributes.Any(a => a.Name.StartsWith("on") || a.Name == "style"));

        var second = await client.GetAsync("/account/login");
        Assert.NotEqual(csp, second.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Htmx_is_configured_safely_and_sends_the_antiforgery_token()
    {
        var page = await app.NewClient().GetDocumentAsync("/");
        var config = page.QuerySelector("meta[name=htmx-config]")!.GetAttribute("content")!;
        Assert.Contains("\"allowEval\":false", config);
        Assert.Contains("\"includeIndicatorStyles\":false", config);
        Assert.Contains("\"selfRequestsOnly\":true", config);
        Assert.Contains("\"attributesToSettle\":[\"class\",\"width\",\"height\"]", config);
        // Ours as written: no tag helper may swap in its own defaults (htmx's history cache, its error handling).
        Assert.Contains("\"historyCacheSize\":0", config);
        Assert.Contains("\"responseHandling\":", config);
        // Every page but the ones an anonymous visitor may be given from the shared cache (PublicPagesTests).
        var login = await app.NewClient().GetDocumentAsync("/account/login");
        Assert.Contains("RequestVerificationToken", login.Body!.GetAttribute("hx-headers"));
    }

    [Fact]
    public async Task Error_pages_show_a_trace_id_and_no_stack_trace()
    {
        var response = await app.NewClient().GetAsync("/no-such-page");
        var page = await response.ReadDocumentAsync();
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Matches("^[0-9a-f]{32}$", page.QuerySelector(".error-page code")!.TextContent);
        Assert.Contains("Page not found", page.QuerySelector("h1")!.TextContent);
    }
}
