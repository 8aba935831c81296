using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Account;

// Identity saves the whole user row after a code is checked (resetting or counting failures, switching 2FA on) from
// an entity read before the code was accepted. Whatever saves it, the accepted step must stay accepted.

/// <summary>Steps shared by the replay stories: the password step, then a code, as a browser posts them.</summary>
public abstract class AuthenticatorStepTestBase(StudioApp app) : TwoFactorTestBase
{
    protected StudioApp App => app;

    /// <summary>A new client past the password step, posting <paramref name="code"/> on the two-factor step.</summary>
    protected async Task<HttpResponseMessage> SignInWithCodeAsync(string email, string code)
    {
        var client = app.NewClient();
        await PasswordStepAsync(client, email);
        return await client.SubmitAsync("/account/2fa", "#two-factor-form", new Dictionary<string, string> { ["Code"] = code });
    }

    protected static async Task AssertRefusedAsync(HttpResponseMessage replayed)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, replayed.StatusCode);
        Assert.Contains("That code is not valid", (await replayed.ReadDocumentAsync()).Single("#Code-error").TextContent);
    }

    /// <summary>A well-formed code that is not this one.</summary>
    protected static string WrongCode(string code) => code == "314159" ? "271828" : "314159";

    /// <summary>A fresh 30-second step, so no earlier test of the class has used its code.</summary>
    protected string FreshCode(string key)
    {
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        return Totp.Code(key, app.Clock.GetUtcNow());
    }
}

public class AuthenticatorReplayAfterFailureTests(StudioApp app) : AuthenticatorStepTestBase(app), IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_code_used_after_a_failed_password_cannot_sign_in_again_in_the_same_step()
    {
        const string admin = "admin@demo.studio";
        var wrong = await App.NewClient().SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = admin, ["Password"] = "not-the-password-at-all" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);

        var code = FreshCode(Key(admin));
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInWithCodeAsync(admin, code)).StatusCode);

        var replay = App.NewClient();
        await PasswordStepAsync(replay, admin);
        var replayed = await replay.SubmitAsync("/account/2fa", "#two-factor-form", new Dictionary<string, string> { ["Code"] = code });
        await AssertRefusedAsync(replayed);
        Assert.Equal(HttpStatusCode.Redirect, (await replay.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task A_code_used_after_a_failed_code_cannot_sign_in_again_in_the_same_step()
    {
        const string manager = "manager@demo.studio";
        var code = FreshCode(Key(manager));
        var client = App.NewClient();
        await PasswordStepAsync(client, manager);
        var failed = await client.SubmitAsync("/account/2fa", "#two-factor-form", new Dictionary<string, string> { ["Code"] = WrongCode(code) });
        await AssertRefusedAsync(failed);
        var accepted = await client.SubmitAsync("/account/2fa", "#two-factor-form", new Dictionary<string, string> { ["Code"] = code });
        Assert.Equal(HttpStatusCode.SeeOther, accepted.StatusCode);

        await AssertRefusedAsync(await SignInWithCodeAsync(manager, code));
    }
}

public class AuthenticatorReplayAfterEnrolmentTests(StudioApp app) : AuthenticatorStepTestBase(app), IClassFixture<StudioApp>
{
    [Fact]
    public async Task The_code_that_confirmed_enrolment_cannot_sign_in_in_the_same_step()
    {
        const string anna = "anna@demo.studio";
        var client = App.NewClient();
        await client.SignInAsync(anna);
        var page = await client.GetDocumentAsync("/account/security");
        var key = page.Single("#authenticator-key").TextContent.Replace(" ", "").ToUpperInvariant();
        var code = Totp.Code(key, App.Clock.GetUtcNow());
        var enabled = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#enable-2fa-form")!, new Dictionary<string, string> { ["Code"] = code });
        Assert.Equal(10, (await enabled.ReadDocumentAsync()).QuerySelectorAll("#recovery-codes li").Length);

        await AssertRefusedAsync(await SignInWithCodeAsync(anna, code));
    }
}

public class AuthenticatorReplayRaceTests(StudioApp app) : AuthenticatorStepTestBase(app), IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_failed_code_racing_the_good_one_never_lets_the_good_code_in_twice()
    {
        const string admin = "admin@demo.studio";
        for (var round = 0; round < 20; round++)
        {
            // Only the race itself may save a stale user: no failures left over from the round before.
            await using (var db = App.NewDb())
                await db.Users.Where(u => u.Email == admin).ExecuteUpdateAsync(u => u.SetProperty(x => x.AccessFailedCount, 0));

            var code = FreshCode(Key(admin));
            var good = App.NewClient();
            var bad = App.NewClient();
            await PasswordStepAsync(good, admin);
            await PasswordStepAsync(bad, admin);
            var goodForm = (await good.GetDocumentAsync("/account/2fa")).QuerySelector<IHtmlFormElement>("#two-factor-form")!;
            var badForm = (await bad.GetDocumentAsync("/account/2fa")).QuerySelector<IHtmlFormElement>("#two-factor-form")!;

            var answers = await Task.WhenAll(
                good.SubmitAsync(goodForm, new Dictionary<string, string> { ["Code"] = code }),
                bad.SubmitAsync(badForm, new Dictionary<string, string> { ["Code"] = WrongCode(code) }));
            Assert.Equal(HttpStatusCode.SeeOther, answers[0].StatusCode);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answers[1].StatusCode);

            var replayed = await SignInWithCodeAsync(admin, code);
            Assert.True(replayed.StatusCode != HttpStatusCode.SeeOther, $"round {round}: the code was accepted a second time");
        }
    }
}

public class AuthenticatorStepStorageTests(StudioApp app) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_plain_update_cannot_lower_the_accepted_step()
    {
        await using var db = app.NewDb();
        var id = (await db.Users.SingleAsync(u => u.Email == "reception@demo.studio")).Id;
        await db.Database.ExecuteSqlAsync($"UPDATE users SET last_totp_time_step = 1000 WHERE id = {id}");

        await db.Database.ExecuteSqlAsync($"UPDATE users SET last_totp_time_step = 999 WHERE id = {id}");
        await db.Database.ExecuteSqlAsync($"UPDATE users SET last_totp_time_step = NULL WHERE id = {id}");
        Assert.Equal(1000, await StepAsync(id));

        await db.Database.ExecuteSqlAsync($"UPDATE users SET last_totp_time_step = 1001 WHERE id = {id}");
        Assert.Equal(1001, await StepAsync(id));
    }

    [Fact]
    public async Task Identity_saving_a_user_read_before_a_code_was_accepted_keeps_the_accepted_step()
    {
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        var ivan = (await users.FindByEmailAsync("ivan@demo.studio"))!;
        await using (var other = app.NewDb())
            await other.Database.ExecuteSqlAsync($"UPDATE users SET last_totp_time_step = 2000 WHERE id = {ivan.Id}");

        // The stale entity (no step, or an older one) is written back whole, as every Identity update does
        // (a failed attempt is counted in SQL, and leaves the step of the object as it was).
        var saved = await users.AccessFailedAsync(ivan);
        Assert.True(saved.Succeeded);
        Assert.True((await users.UpdateAsync(ivan)).Succeeded);
        Assert.Equal(2000, await StepAsync(ivan.Id));
        await using var db = app.NewDb();
        Assert.Equal(1, (await db.Users.SingleAsync(u => u.Id == ivan.Id)).AccessFailedCount);
    }

    private async Task<long?> StepAsync(string id)
    {
        await using var db = app.NewDb();
        return (await db.Users.SingleAsync(u => u.Id == id)).LastTotpTimeStep;
    }
}
