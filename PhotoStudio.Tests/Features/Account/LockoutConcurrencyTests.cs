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

/// <summary>
/// Wrong guesses sent at the same moment each count: an attacker who sends them in parallel reaches the lockout as
/// surely as one who sends them one by one.
/// </summary>
public class LockoutConcurrencyTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const int Guesses = 12;

    [Fact]
    public async Task Wrong_passwords_sent_at_the_same_moment_from_many_clients_lock_the_account()
    {
        const string ivan = "ivan@demo.studio";
        for (var round = 0; round < 3; round++)
        {
            await UnlockAsync(ivan);
            // Every client has its own page and antiforgery token, so the posts themselves start together.
            var clients = Enumerable.Range(0, Guesses).Select(_ => app.NewClient()).ToList();
            var forms = await Task.WhenAll(clients.Select(async c =>
                (await c.GetDocumentAsync("/account/login")).QuerySelector<IHtmlFormElement>("#login-form")!));

            var answers = await Task.WhenAll(clients.Select((c, i) => c.SubmitAsync(forms[i],
                new Dictionary<string, string> { ["Email"] = ivan, ["Password"] = $"wrong-password-{round}-{i}" })));

            Assert.All(answers, a => Assert.Equal(HttpStatusCode.UnprocessableEntity, a.StatusCode));
            Assert.True(await LockoutEndAsync(ivan) > app.Clock.GetUtcNow(), $"round {round}: {Guesses} wrong passwords at once did not lock the account");
            var right = await app.NewClient().SubmitAsync("/account/login", "#login-form",
                new Dictionary<string, string> { ["Email"] = ivan, ["Password"] = DemoSeeder.Password });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, right.StatusCode);
            Assert.Contains("the account is temporarily locked", (await right.ReadDocumentAsync()).Single("#login-form [role=alert]").TextContent);
        }
    }

    [Fact]
    public async Task Wrong_current_passwords_sent_at_the_same_moment_from_one_session_lock_the_account()
    {
        const string maria = "maria@demo.studio";
        var client = await app.SignedInClientAsync(maria);
        var form = (await client.GetDocumentAsync("/account/password")).QuerySelector<IHtmlFormElement>("#password-form")!;

        var answers = await Task.WhenAll(Enumerable.Range(0, Guesses).Select(i => client.SubmitAsync(form, new Dictionary<string, string>
        {
            ["CurrentPassword"] = $"not my password {i}", ["NewPassword"] = "marble falcon river 88", ["ConfirmPassword"] = "marble falcon river 88",
        })));

        // Each answer is the form again or the way out to sign in; none is an error page.
        Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.UnprocessableEntity
            || (a.StatusCode == HttpStatusCode.SeeOther && a.Headers.Location!.OriginalString == "/account/login"), $"answered {(int)a.StatusCode}"));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.SeeOther);
        Assert.True(await LockoutEndAsync(maria) > app.Clock.GetUtcNow());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/board")).StatusCode);
    }

    [Fact]
    public async Task Failures_counted_in_parallel_on_users_read_beforehand_are_each_counted()
    {
        const string reception = "reception@demo.studio";
        await UnlockAsync(reception);

        // Four at once stay below the limit of five: the count is exactly four and the account is open.
        await CountFailuresInParallelAsync(reception, 4);
        await using (var db = app.NewDb())
        {
            var user = await db.Users.SingleAsync(u => u.Email == reception);
            Assert.Equal(4, user.AccessFailedCount);
            Assert.Null(user.LockoutEnd);
        }

        // Eight more: the first reaches five and locks (the count starts again), and seven are counted after it.
        var results = await CountFailuresInParallelAsync(reception, 8);
        Assert.All(results, r => Assert.True(r.Result.Succeeded));
        await using (var db = app.NewDb())
        {
            var user = await db.Users.SingleAsync(u => u.Email == reception);
            Assert.Equal(2, user.AccessFailedCount);
            Assert.True(user.LockoutEnd > app.Clock.GetUtcNow().AddMinutes(14));
            Assert.True(user.LockoutEnd <= app.Clock.GetUtcNow().AddMinutes(15));
        }
        // Each manager's own user object shows what the database holds after its failure, never its stale copy.
        Assert.All(results, r => Assert.True(r.User.AccessFailedCount < 5));
        Assert.Contains(results, r => r.User.LockoutEnd > app.Clock.GetUtcNow());
        // The audit trail shows each count and the lockout, as it did when Identity saved the row itself.
        await using (var db = app.NewDb())
        {
            var id = results[0].User.Id;
            var changes = await db.AuditEntries.Where(e => e.EntityType == "StudioUser" && e.EntityId == id && e.Action == "updated")
                .Select(e => e.Changes!).ToListAsync();
            Assert.Equal(12, changes.Count(c => c.Contains("AccessFailedCount")));
            Assert.Contains(changes, c => c.Contains("LockoutEnd"));
        }
    }

    [Fact]
    public async Task The_right_password_racing_wrong_ones_gets_an_answer_and_the_lockout_still_comes()
    {
        const string anna = "anna@demo.studio";
        await UnlockAsync(anna);
        // One earlier failure: the right password's request has a count to reset, with the row it read at its start.
        await CountFailuresInParallelAsync(anna, 1);
        var clients = Enumerable.Range(0, Guesses).Select(_ => app.NewClient()).ToList();
        var forms = await Task.WhenAll(clients.Select(async c =>
            (await c.GetDocumentAsync("/account/login")).QuerySelector<IHtmlFormElement>("#login-form")!));

        var answers = await Task.WhenAll(clients.Select((c, i) => c.SubmitAsync(forms[i], new Dictionary<string, string>
        {
            ["Email"] = anna, ["Password"] = i == 0 ? DemoSeeder.Password : $"wrong-password-{i}",
        })));

        // Signed in (its reset came before every wrong guess) or refused with the form; never an error page.
        Assert.Contains(answers[0].StatusCode, (HttpStatusCode[])[HttpStatusCode.SeeOther, HttpStatusCode.UnprocessableEntity]);
        Assert.All(answers.Skip(1), a => Assert.Equal(HttpStatusCode.UnprocessableEntity, a.StatusCode));
        Assert.True(await LockoutEndAsync(anna) > app.Clock.GetUtcNow());
    }

    [Fact]
    public async Task A_stale_save_of_a_user_read_before_the_lockout_is_refused_and_the_lockout_stays()
    {
        const string anna = "anna@demo.studio";
        await UnlockAsync(anna);
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        await CountFailuresInParallelAsync(anna, 2);
        var stale = (await users.FindByEmailAsync(anna))!;
        await CountFailuresInParallelAsync(anna, 3);

        // What a right password does with the user its request read at the start (two failures then): reset the
        // count, saving the whole row.
        var saved = await users.ResetAccessFailedCountAsync(stale);

        Assert.False(saved.Succeeded);
        Assert.True(await LockoutEndAsync(anna) > app.Clock.GetUtcNow());
    }

    [Fact]
    public async Task A_refused_save_reads_the_user_again_so_the_next_save_of_it_succeeds()
    {
        const string anna = "anna@demo.studio";
        await UnlockAsync(anna);
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        var user = (await users.FindByEmailAsync(anna))!;
        var stampBefore = user.SecurityStamp;
        await CountFailuresInParallelAsync(anna, 1);

        Assert.False((await users.UpdateSecurityStampAsync(user)).Succeeded);
        Assert.Equal(1, user.AccessFailedCount);
        Assert.True((await users.UpdateSecurityStampAsync(user)).Succeeded);

        await using var db = app.NewDb();
        var stored = await db.Users.SingleAsync(u => u.Email == anna);
        Assert.NotEqual(stampBefore, stored.SecurityStamp);
        Assert.Equal(1, stored.AccessFailedCount);
    }

    [Fact]
    public async Task An_account_without_lockout_counts_failures_but_is_never_locked()
    {
        const string anna = "anna@demo.studio";
        await UnlockAsync(anna);
        await using (var db = app.NewDb())
            await db.Users.Where(u => u.Email == anna).ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnabled, false));

        await CountFailuresInParallelAsync(anna, 6);

        await using (var db = app.NewDb())
        {
            var user = await db.Users.SingleAsync(u => u.Email == anna);
            Assert.Equal(6, user.AccessFailedCount);
            Assert.Null(user.LockoutEnd);
            await db.Users.Where(u => u.Email == anna).ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnabled, true));
        }
    }

    /// <summary>Each failure in its own scope (as in its own request), on a user read before any of them is counted.</summary>
    private async Task<(IdentityResult Result, StudioUser User)[]> CountFailuresInParallelAsync(string email, int failures)
    {
        var scopes = Enumerable.Range(0, failures).Select(_ => app.Scope()).ToList();
        try
        {
            var managers = scopes.Select(s => s.ServiceProvider.GetRequiredService<UserManager<StudioUser>>()).ToList();
            var users = await Task.WhenAll(managers.Select(async m => (await m.FindByEmailAsync(email))!));
            var results = await Task.WhenAll(managers.Select((m, i) => Task.Run(() => m.AccessFailedAsync(users[i]))));
            return [.. results.Select((r, i) => (r, users[i]))];
        }
        finally
        {
            foreach (var scope in scopes) await scope.DisposeAsync();
        }
    }

    private async Task UnlockAsync(string email)
    {
        await using var db = app.NewDb();
        await db.Users.Where(u => u.Email == email).ExecuteUpdateAsync(u => u
            .SetProperty(x => x.AccessFailedCount, 0)
            .SetProperty(x => x.LockoutEnd, (DateTimeOffset?)null));
    }

    private async Task<DateTimeOffset?> LockoutEndAsync(string email)
    {
        await using var db = app.NewDb();
        return (await db.Users.SingleAsync(u => u.Email == email)).LockoutEnd;
    }
}
