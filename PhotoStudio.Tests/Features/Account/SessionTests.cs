using System.Net;
using AngleSharp.Dom;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Account;

public class SessionTests(StudioApp app) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_password_change_elsewhere_ends_the_other_sessions_within_a_minute()
    {
        var old = app.NewClient();
        await old.SignInAsync("maria@demo.studio");
        var current = app.NewClient();
        await current.SignInAsync("maria@demo.studio");

        var changed = await current.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
        {
            ["CurrentPassword"] = DemoSeeder.Password, ["NewPassword"] = "violet lantern orchard 42", ["ConfirmPassword"] = "violet lantern orchard 42",
        });
        Assert.Equal(HttpStatusCode.SeeOther, changed.StatusCode);

        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Redirect, (await old.GetAsync("/board")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/board")).StatusCode);

        await using var db = app.NewDb();
        Assert.Contains(db.AuditEntries, e => e.Action == "password.changed" && e.ActorName == "maria@demo.studio");
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_the_other_sessions_and_keeps_this_one()
    {
        var old = app.NewClient();
        await old.SignInAsync("ivan@demo.studio");
        var current = app.NewClient();
        await current.SignInAsync("ivan@demo.studio");

        var response = await current.SubmitAsync("/account/security", "form[action='/account/security/sign-out-everywhere']");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Redirect, (await old.GetAsync("/board")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task A_session_ends_after_twelve_hours_even_when_used_all_the_time()
    {
        var client = app.NewClient();
        await client.SignInAsync("reception@demo.studio");
        for (var step = 0; step < 35; step++) // 35 × 20 minutes: 11 h 40 min, never idle for 30 minutes
        {
            app.Clock.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/board")).StatusCode);
        }
        app.Clock.Advance(TimeSpan.FromMinutes(21)); // …but past twelve hours since signing in
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task An_idle_session_ends_after_thirty_minutes()
    {
        var client = app.NewClient();
        await client.SignInAsync("anna@demo.studio");
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task The_sign_in_cookie_is_http_only_and_lax()
    {
        var client = app.NewClient();
        var page = await client.GetDocumentAsync("/account/login");
        var response = await client.SubmitAsync(page.QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>("#login-form")!,
            new Dictionary<string, string> { ["Email"] = "reception@demo.studio", ["Password"] = DemoSeeder.Password });
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("PhotoStudio="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }
}
