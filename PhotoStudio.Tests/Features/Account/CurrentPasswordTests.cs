using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Account;

/// <summary>
/// Someone holding a signed-in session must not guess the password through the pages that ask for it again:
/// wrong answers count like failed sign-ins, and the fifth locks the account and ends the session.
/// </summary>
public class CurrentPasswordTests(StudioApp app) : TwoFactorTestBase, IClassFixture<StudioApp>
{
    private const string Wrong = "not my password at all";

    [Fact]
    public async Task Five_wrong_current_passwords_on_the_password_page_lock_the_account_and_end_the_session()
    {
        var elsewhere = await app.SignedInClientAsync("reception@demo.studio");
        var client = await app.SignedInClientAsync("reception@demo.studio");
        HttpResponseMessage last = null!;
        for (var i = 0; i < 5; i++)
            last = await client.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
            {
                ["CurrentPassword"] = Wrong, ["NewPassword"] = "marble falcon river 88", ["ConfirmPassword"] = "marble falcon river 88",
            });

        await AssertLockedOutAsync(client, last, "reception@demo.studio");
        // Every copy of the session ends too, once the security stamp is checked again.
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Redirect, (await elsewhere.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task Five_wrong_passwords_when_switching_off_two_factor_lock_the_account_and_end_the_session()
    {
        const string anna = "anna@demo.studio";
        var client = await app.SignedInClientAsync(anna);
        var security = await client.GetDocumentAsync("/account/security");
        var key = security.Single("#authenticator-key").TextContent.Replace(" ", "").ToUpperInvariant();
        await client.SubmitAsync("/account/security", "#enable-2fa-form", new Dictionary<string, string> { ["Code"] = Totp.Code(key, app.Clock.GetUtcNow()) });

        HttpResponseMessage last = null!;
        for (var i = 0; i < 5; i++)
        {
            last = await client.SubmitAsync("/account/security", "#disable-2fa-form", new Dictionary<string, string> { ["Password"] = Wrong });
            if (i < 4) Assert.Contains("That password is not right.", (await last.ReadDocumentAsync()).Single("#disable-password-error").TextContent);
        }

        await AssertLockedOutAsync(client, last, anna);
        await using var db = app.NewDb();
        Assert.True((await db.Users.SingleAsync(u => u.Email == anna)).TwoFactorEnabled);
    }

    [Fact]
    public async Task Making_new_recovery_codes_needs_the_password_or_a_current_code()
    {
        const string admin = "admin@demo.studio";
        var client = await app.SignedInClientAsync(admin);
        var before = await StoredCodesAsync(admin);

        var empty = await RegenerateAsync(client, "");
        Assert.Contains("Enter your password or a code from your authenticator app.", (await empty.ReadDocumentAsync()).Single("#regenerate-secret-error").TextContent);
        var wrong = await RegenerateAsync(client, Wrong);
        Assert.Contains("That password or code is not right.", (await wrong.ReadDocumentAsync()).Single("#regenerate-secret-error").TextContent);
        var wrongCode = await RegenerateAsync(client, "314159" == Totp.Code(Key(admin), app.Clock.GetUtcNow()) ? "271828" : "314159");
        Assert.Contains("That password or code is not right.", (await wrongCode.ReadDocumentAsync()).Single("#regenerate-secret-error").TextContent);
        Assert.Equal(before, await StoredCodesAsync(admin));
        await using (var db = app.NewDb())
            Assert.Equal(2, (await db.Users.SingleAsync(u => u.Email == admin)).AccessFailedCount);

        var withPassword = await RegenerateAsync(client, DemoSeeder.Password);
        Assert.Equal(10, (await withPassword.ReadDocumentAsync()).QuerySelectorAll("#recovery-codes li").Length);

        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var withCode = await RegenerateAsync(client, Totp.Code(Key(admin), app.Clock.GetUtcNow()));
        Assert.Equal(10, (await withCode.ReadDocumentAsync()).QuerySelectorAll("#recovery-codes li").Length);
    }

    private static Task<HttpResponseMessage> RegenerateAsync(HttpClient client, string secret) =>
        client.SubmitAsync("/account/security", "#recovery-codes-form", new Dictionary<string, string> { ["PasswordOrCode"] = secret });

    private async Task<string?> StoredCodesAsync(string email)
    {
        await using var db = app.NewDb();
        var id = (await db.Users.SingleAsync(u => u.Email == email)).Id;
        return await db.UserTokens.Where(t => t.UserId == id && t.Name == "RecoveryCodes").Select(t => t.Value).SingleOrDefaultAsync();
    }

    private async Task AssertLockedOutAsync(HttpClient client, HttpResponseMessage last, string email)
    {
        Assert.Equal(HttpStatusCode.SeeOther, last.StatusCode);
        Assert.Equal("/account/login", last.Headers.Location!.OriginalString);
        Assert.Contains("Too many wrong attempts", (await client.GetDocumentAsync("/account/login")).Single("#flash").TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/board")).StatusCode);
        await using var db = app.NewDb();
        Assert.True((await db.Users.SingleAsync(u => u.Email == email)).LockoutEnd > app.Clock.GetUtcNow());
        Assert.Contains(db.AuditEntries, e => e.Action == "signin.locked_out" && e.ActorName == email);
    }
}
