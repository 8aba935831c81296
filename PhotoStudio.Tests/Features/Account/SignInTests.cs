using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Account;

public class SignInTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string GenericFailure = "Email or password is incorrect, or the account is temporarily locked.";

    [Fact]
    public async Task Receptionist_signs_in_and_lands_on_the_board()
    {
        var client = app.NewClient();
        var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = "reception@demo.studio", ["Password"] = DemoSeeder.Password });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/board", response.Headers.Location!.OriginalString);
        var board = await client.GetDocumentAsync("/board");
        Assert.Contains("reception@demo.studio", board.QuerySelector("nav")!.TextContent);
    }

    [Fact]
    public async Task Wrong_password_gives_the_generic_message_and_keeps_the_email()
    {
        var client = app.NewClient();
        var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = "anna@demo.studio", ["Password"] = "not-the-password-at-all" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains(GenericFailure, page.Single("#login-form [role=alert]").TextContent);
        Assert.Equal("anna@demo.studio", page.QuerySelector<IHtmlInputElement>("#Email")!.Value);
        Assert.Equal("", page.QuerySelector<IHtmlInputElement>("#Password")!.Value);
    }

    [Fact]
    public async Task Unknown_email_gives_the_same_message()
    {
        var client = app.NewClient();
        var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = "nobody@demo.studio", ["Password"] = "whatever-password" });

        var page = await response.ReadDocumentAsync();
        Assert.Contains(GenericFailure, page.Single("#login-form [role=alert]").TextContent);
    }

    [Fact]
    public async Task Empty_form_gets_a_message_next_to_each_field()
    {
        var client = app.NewClient();
        var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = "", ["Password"] = "" });

        var page = await response.ReadDocumentAsync();
        Assert.Contains("Enter your email address.", page.Single("#Email-error").TextContent);
        Assert.Contains("Enter your password.", page.Single("#Password-error").TextContent);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_for_the_right_password()
    {
        var client = app.NewClient();
        for (var i = 0; i < 5; i++)
            await client.SubmitAsync("/account/login", "#login-form",
                new Dictionary<string, string> { ["Email"] = "ivan@demo.studio", ["Password"] = $"wrong-password-{i}" });

        var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = "ivan@demo.studio", ["Password"] = DemoSeeder.Password });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(GenericFailure, (await response.ReadDocumentAsync()).Single("#login-form [role=alert]").TextContent);

        await using var db = app.NewDb();
        var ivan = db.Users.Single(u => u.Email == "ivan@demo.studio");
        Assert.True(ivan.LockoutEnd > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Htmx_sign_in_answers_with_a_fragment_or_hx_redirect()
    {
        var client = app.NewClient();
        var page = await client.GetDocumentAsync("/account/login");
        var form = page.QuerySelector<IHtmlFormElement>("#login-form")!;

        var failed = await client.SubmitAsync(form, new Dictionary<string, string> { ["Email"] = "anna@demo.studio", ["Password"] = "nope-nope-nope" }, htmx: true);
        var fragment = await failed.Content.ReadAsStringAsync();
        Assert.StartsWith("<form", fragment.TrimStart());
        Assert.DoesNotContain("<html", fragment);
        Assert.Contains("HX-Request", failed.Headers.Vary);

        var succeeded = await client.SubmitAsync(form, new Dictionary<string, string> { ["Email"] = "anna@demo.studio", ["Password"] = DemoSeeder.Password }, htmx: true);
        Assert.Equal(HttpStatusCode.OK, succeeded.StatusCode);
        Assert.Equal("/board", succeeded.Headers.GetValues("HX-Redirect").Single());
    }

    [Fact]
    public async Task Admin_with_an_authenticator_signs_in_with_a_code()
    {
        var client = app.NewClient();
        var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = "admin@demo.studio", ["Password"] = DemoSeeder.Password });
        Assert.StartsWith("/account/2fa", response.Headers.Location!.OriginalString);

        // Not signed in yet: the board still wants a sign-in.
        var board = await client.GetAsync("/board");
        Assert.Equal(HttpStatusCode.Redirect, board.StatusCode);

        var key = DemoSeeder.Accounts.Single(a => a.Email == "admin@demo.studio").AuthenticatorKey!;
        response = await client.SubmitAsync(response.Headers.Location.OriginalString, "#two-factor-form",
            new Dictionary<string, string> { ["Code"] = Totp.Code(key) });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        var client = app.NewClient();
        await client.SignInAsync("reception@demo.studio");
        var response = await client.SubmitAsync("/account/logout", "form[action='/account/logout']");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        var board = await client.GetAsync("/board");
        Assert.Equal(HttpStatusCode.Redirect, board.StatusCode);
        Assert.StartsWith("http://localhost/account/login", board.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Anonymous_htmx_request_is_told_to_navigate_to_sign_in()
    {
        var client = app.NewClient();
        var response = await client.HtmxAsync(HttpMethod.Get, "/board");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("/account/login", response.Headers.GetValues("HX-Redirect").Single());
    }

    [Fact]
    public async Task Post_without_antiforgery_token_is_refused()
    {
        var client = app.NewClient();
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "reception@demo.studio", ["Password"] = DemoSeeder.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Htmx_post_without_antiforgery_token_is_refused()
    {
        var client = app.NewClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Email"] = "reception@demo.studio", ["Password"] = DemoSeeder.Password }),
        };
        request.Headers.Add("HX-Request", "true");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
