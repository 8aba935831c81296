using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Shared;

[Collection(SharedStudio.Name)]
public class CultureTests(StudioApp app)
{
    [Fact]
    public async Task Choosing_russian_is_remembered_and_translates_pages_and_validation()
    {
        var client = app.NewClient();
        var response = await client.SubmitAsync("/account/login", "form[action='/culture']",
            new Dictionary<string, string> { ["culture"] = "ru", ["returnUrl"] = "/account/login" });
        Assert.Equal(System.Net.HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/account/login", response.Headers.Location!.OriginalString);

        var page = await client.GetDocumentAsync("/account/login");
        Assert.Equal("ru", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Вход для сотрудников", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("Вход для сотрудников", page.Title);

        var invalid = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = "", ["Password"] = "" });
        Assert.Contains("Введите адрес эл. почты.", (await invalid.ReadDocumentAsync()).Single("#Email-error").TextContent);
    }

    [Fact]
    public async Task An_unknown_culture_or_foreign_return_url_falls_back_safely()
    {
        var client = app.NewClient();
        var response = await client.SubmitAsync("/", "form[action='/culture']",
            new Dictionary<string, string> { ["culture"] = "xx", ["returnUrl"] = "https://evil.example/" });
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        var page = await client.GetDocumentAsync("/");
        Assert.Equal("en", page.DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task A_return_url_with_non_ascii_characters_is_encoded_not_a_500()
    {
        // Found by ops/security-scan: Kestrel refuses raw "é" in a Location header.
        var client = app.NewClient();
        var response = await client.SubmitAsync("/", "form[action='/culture']",
            new Dictionary<string, string> { ["culture"] = "en", ["returnUrl"] = "/board?q=é¿'\"(" });
        Assert.Equal(System.Net.HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith("/board?q=%C3%A9%C2%BF", response.Headers.Location!.OriginalString);
    }
}
