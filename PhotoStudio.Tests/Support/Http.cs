using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using PhotoStudio.Data.Seeding;

namespace PhotoStudio.Tests.Support;

/// <summary>What a browser does, over HttpClient: read pages as documents, submit their forms (antiforgery included), speak htmx.</summary>
public static class Http
{
    private static readonly HtmlParser Parser = new();

    public static async Task<IHtmlDocument> ReadDocumentAsync(this HttpResponseMessage response) =>
        await Parser.ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    public static async Task<IHtmlDocument> GetDocumentAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}");
        return await response.ReadDocumentAsync();
    }

    /// <summary>Posts the form as the browser would: every named field it holds, then the given overrides.</summary>
    public static Task<HttpResponseMessage> SubmitAsync(this HttpClient client, IHtmlFormElement form,
        IDictionary<string, string>? values = null, bool htmx = false)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement { Name: { Length: > 0 } name } input
                    when input.Type is not ("checkbox" or "radio" or "submit" or "button") || input.IsChecked:
                    if (values?.ContainsKey(name) != true) fields.Add(new(name, input.Value));
                    break;
                case IHtmlSelectElement { Name: { Length: > 0 } name } select when values?.ContainsKey(name) != true:
                    fields.Add(new(name, select.Value ?? ""));
                    break;
                case IHtmlTextAreaElement { Name: { Length: > 0 } name } area when values?.ContainsKey(name) != true:
                    fields.Add(new(name, area.Value));
                    break;
            }
        }
        if (values is not null) fields.AddRange(values);
        foreach (var (name, value) in fields)
            if (TestSecrets.IsSecretField(name)) TestSecrets.Remember(value);

        var action = form.GetAttribute("action") is { Length: > 0 } a ? a : "";
        var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(fields) };
        if (htmx) request.Headers.Add("HX-Request", "true");
        return client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> SubmitAsync(this HttpClient client, string pageUrl, string formSelector,
        IDictionary<string, string>? values = null, bool htmx = false)
    {
        var page = await client.GetDocumentAsync(pageUrl);
        var form = page.QuerySelector<IHtmlFormElement>(formSelector)
            ?? throw new InvalidOperationException($"No form {formSelector} on {pageUrl}");
        return await client.SubmitAsync(form, values, htmx);
    }

    /// <summary>An htmx request: HX-Request set and, for posts, the antiforgery token from the page's hx-headers.</summary>
    public static async Task<HttpResponseMessage> HtmxAsync(this HttpClient client, HttpMethod method, string url,
        IDictionary<string, string>? form = null, string tokenFromPage = "/")
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("HX-Request", "true");
        if (method != HttpMethod.Get)
        {
            var page = await client.GetDocumentAsync(tokenFromPage);
            var headers = System.Text.Json.JsonDocument.Parse(page.Body!.GetAttribute("hx-headers")!);
            request.Headers.Add("RequestVerificationToken", headers.RootElement.GetProperty("RequestVerificationToken").GetString());
            request.Content = new FormUrlEncodedContent(form ?? new Dictionary<string, string>());
        }
        return await client.SendAsync(request);
    }

    /// <summary>Signs in through the real login form and, when asked, the TOTP step.</summary>
    /// <param name="clock">The app's clock: when given, it is moved on to a fresh 30-second step first, so a second
    /// sign-in of the same account in one test class never presents an already used code.</param>
    public static async Task SignInAsync(this HttpClient client, string email, string password = DemoSeeder.Password, TestClock? clock = null)
    {
        var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = email, ["Password"] = password });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        if (response.Headers.Location!.OriginalString.StartsWith("/account/2fa"))
        {
            var key = DemoSeeder.Accounts.Single(a => a.Email == email).AuthenticatorKey!;
            response = await client.SubmitAsync(response.Headers.Location.OriginalString, "#two-factor-form",
                new Dictionary<string, string> { ["Code"] = NextCode(key, clock) });
            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        }
    }

    /// <summary>A new client of the app, signed in as this demo account (the clock moves on for a fresh TOTP step).</summary>
    public static async Task<HttpClient> SignedInClientAsync(this StudioApp app, string email)
    {
        var client = app.NewClient();
        await client.SignInAsync(email, clock: app.Clock);
        return client;
    }

    private static string NextCode(string key, TestClock? clock)
    {
        if (clock is null) return Totp.Code(key);
        clock.Advance(TimeSpan.FromSeconds(30));
        return Totp.Code(key, clock.GetUtcNow());
    }

    public static IElement Single(this IParentNode node, string selector) =>
        node.QuerySelectorAll(selector) is { Length: 1 } found ? found[0]
            : throw new Xunit.Sdk.XunitException($"Expected exactly one '{selector}', found {node.QuerySelectorAll(selector).Length}");
}
