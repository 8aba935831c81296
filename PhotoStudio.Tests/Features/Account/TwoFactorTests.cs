using System.Net;
using AngleSharp.Dom;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Account;

// One class per story: each gets its own copy of the demo database, so lockouts and used codes never leak between them.

/// <summary>Shared steps of the two-factor tests.</summary>
public abstract class TwoFactorTestBase
{
    protected static string Key(string email) => DemoSeeder.Accounts.Single(a => a.Email == email).AuthenticatorKey!;

    protected static async Task<HttpResponseMessage> PasswordStepAsync(HttpClient client, string email)
    {
        var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = email, ["Password"] = DemoSeeder.Password });
        Assert.StartsWith("/account/2fa", response.Headers.Location!.OriginalString);
        return response;
    }

}

public class TwoFactorReplayTests(StudioApp app) : TwoFactorTestBase, IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_code_that_was_already_accepted_is_refused()
    {
        var code = Totp.Code(Key("manager@demo.studio"));
        var first = app.NewClient();
        await PasswordStepAsync(first, "manager@demo.studio");
        var accepted = await first.SubmitAsync("/account/2fa", "#two-factor-form", new Dictionary<string, string> { ["Code"] = code });
        Assert.Equal(HttpStatusCode.SeeOther, accepted.StatusCode);

        // Someone who watched the code being typed tries it again at once.
        var second = app.NewClient();
        await PasswordStepAsync(second, "manager@demo.studio");
        var replayed = await second.SubmitAsync("/account/2fa", "#two-factor-form", new Dictionary<string, string> { ["Code"] = code });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, replayed.StatusCode);
        Assert.Contains("That code is not valid", (await replayed.ReadDocumentAsync()).Single("#Code-error").TextContent);

        await using var db = app.NewDb();
        Assert.Contains(db.AuditEntries, e => e.Action == "2fa.code_failed" && e.ActorName == "manager@demo.studio");
    }
}

public class TwoFactorLockoutTests(StudioApp app) : TwoFactorTestBase, IClassFixture<StudioApp>
{
    [Fact]
    public async Task Failed_codes_count_towards_lockout()
    {
        var client = app.NewClient();
        await PasswordStepAsync(client, "admin@demo.studio");
        for (var i = 0; i < 5; i++)
            await client.SubmitAsync("/account/2fa", "#two-factor-form", new Dictionary<string, string> { ["Code"] = "000000" });

        await using var db = app.NewDb();
        Assert.True(db.Users.Single(u => u.Email == "admin@demo.studio").LockoutEnd > DateTimeOffset.UtcNow);
    }
}

public class TwoFactorEnrolmentTests(StudioApp app) : TwoFactorTestBase, IClassFixture<StudioApp>
{
    [Fact]
    public async Task Enrolment_shows_a_qr_code_and_key_then_recovery_codes_work_once()
    {
        // Anna (photographer) has no second factor yet and her role does not require one.
        var client = app.NewClient();
        await client.SignInAsync("anna@demo.studio");
        var page = await client.GetDocumentAsync("/account/security");
        Assert.NotNull(page.QuerySelector("figure.qr-code svg"));
        var key = page.Single("#authenticator-key").TextContent.Replace(" ", "").ToUpperInvariant();
        Assert.Equal(32, key.Length);

        var wrong = await client.SubmitAsync(page.QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>("#enable-2fa-form")!,
            new Dictionary<string, string> { ["Code"] = "123456" });
        Assert.Contains("That code is not valid", (await wrong.ReadDocumentAsync()).Single("#enable-code-error").TextContent);

        var enabled = await client.SubmitAsync("/account/security", "#enable-2fa-form", new Dictionary<string, string> { ["Code"] = Totp.Code(key) });
        var codes = (await enabled.ReadDocumentAsync()).QuerySelectorAll("#recovery-codes li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Equal(10, codes.Count);

        // Stored hashed: no code appears in the database.
        await using (var db = app.NewDb())
        {
            var stored = string.Join(";", db.UserTokens.Select(t => t.Value));
            Assert.DoesNotContain(codes, c => stored.Contains(c, StringComparison.OrdinalIgnoreCase));
        }

        // Sign in again with a recovery code; the same code does not work twice.
        var other = app.NewClient();
        await PasswordStepAsync(other, "anna@demo.studio");
        var recovered = await other.SubmitAsync("/account/2fa/recovery", "#recovery-form", new Dictionary<string, string> { ["Code"] = codes[0] });
        Assert.Equal(HttpStatusCode.SeeOther, recovered.StatusCode);

        var third = app.NewClient();
        await PasswordStepAsync(third, "anna@demo.studio");
        var reused = await third.SubmitAsync("/account/2fa/recovery", "#recovery-form", new Dictionary<string, string> { ["Code"] = codes[0] });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Contains("not valid or was already used", (await reused.ReadDocumentAsync()).Single("#Code-error").TextContent);

        // Another saved code still works after the first was used.
        var fourth = app.NewClient();
        await PasswordStepAsync(fourth, "anna@demo.studio");
        var second = await fourth.SubmitAsync("/account/2fa/recovery", "#recovery-form", new Dictionary<string, string> { ["Code"] = codes[1] });
        Assert.Equal(HttpStatusCode.SeeOther, second.StatusCode);

        await using (var db = app.NewDb())
        {
            Assert.Contains(db.AuditEntries, e => e.Action == "2fa.enabled" && e.ActorName == "anna@demo.studio");
            Assert.Contains(db.AuditEntries, e => e.Action == "2fa.recovery_code_used");
        }
    }
}

public class TwoFactorRequiredByRoleTests(StudioApp app) : TwoFactorTestBase, IClassFixture<StudioApp>
{
    [Fact]
    public async Task Switching_off_needs_the_password_and_is_refused_when_the_role_requires_it()
    {
        var client = app.NewClient();
        await client.SignInAsync("admin@demo.studio");
        var page = await client.GetDocumentAsync("/account/security");
        Assert.Null(page.QuerySelector("#disable-2fa-form"));
        Assert.Contains("cannot be switched off", page.QuerySelector("main")!.TextContent);
    }
}

public class TwoFactorRequiredByRoleEnrolmentTests(StudioApp app) : TwoFactorTestBase, IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_manager_without_two_factor_is_sent_to_enrol_before_anything_else()
    {
        await using (var db = app.NewDb())
        {
            var manager = db.Users.Single(u => u.Email == "manager@demo.studio");
            manager.TwoFactorEnabled = false;
            await db.SaveChangesAsync();
        }
        var client = app.NewClient();
        var response = await client.SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = "manager@demo.studio", ["Password"] = DemoSeeder.Password });
        Assert.Equal("/board", response.Headers.Location!.OriginalString);

        var board = await client.GetAsync("/board");
        Assert.Equal(HttpStatusCode.SeeOther, board.StatusCode);
        Assert.Equal("/account/security", board.Headers.Location!.OriginalString);

        var htmx = await client.HtmxAsync(HttpMethod.Get, "/board");
        Assert.Equal("/account/security", htmx.Headers.GetValues("HX-Redirect").Single());

        var security = await client.GetDocumentAsync("/account/security");
        Assert.Contains("Set it up to continue", security.QuerySelector("main")!.TextContent);
        var key = security.Single("#authenticator-key").TextContent.Replace(" ", "").ToUpperInvariant();
        var enabled = await client.SubmitAsync("/account/security", "#enable-2fa-form", new Dictionary<string, string> { ["Code"] = Totp.Code(key) });
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/board")).StatusCode);
    }
}
