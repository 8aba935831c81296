using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Account;

/// <summary>A recovery code is a second factor like an app code: it does not open a locked or deactivated account.</summary>
public class RecoveryCodeRefusalTests(StudioApp app) : TwoFactorTestBase, IClassFixture<StudioApp>
{
    [Fact]
    public async Task A_locked_account_cannot_sign_in_with_a_recovery_code_and_the_code_stays_unspent()
    {
        const string admin = "admin@demo.studio";
        var (client, codes) = await WaitingForTheSecondFactorAsync(admin);
        await ChangeUserAsync(admin, (users, user) => users.SetLockoutEndDateAsync(user, app.Clock.GetUtcNow().AddHours(1)));

        var refused = await RecoverAsync(client, codes[0]);

        await AssertRefusedAsync(client, refused);
        Assert.Equal(10, await CountCodesAsync(admin));
        await using var db = app.NewDb();
        Assert.Contains(db.AuditEntries, e => e.Action == "signin.locked_out" && e.ActorName == admin);
    }

    [Fact]
    public async Task A_deactivated_employee_cannot_sign_in_with_a_recovery_code()
    {
        const string manager = "manager@demo.studio";
        var (client, codes) = await WaitingForTheSecondFactorAsync(manager);
        await using (var db = app.NewDb())
            await db.Employees.Where(e => e.User!.Email == manager).ExecuteUpdateAsync(e => e.SetProperty(x => x.IsActive, false));

        var refused = await RecoverAsync(client, codes[0]);

        await AssertRefusedAsync(client, refused);
        Assert.Equal(10, await CountCodesAsync(manager));
    }

    private static Task<HttpResponseMessage> RecoverAsync(HttpClient client, string code) =>
        client.SubmitAsync("/account/2fa/recovery", "#recovery-form", new Dictionary<string, string> { ["Code"] = code });

    /// <summary>Ten new recovery codes for the account, and a client past its password step.</summary>
    private async Task<(HttpClient Client, string[] Codes)> WaitingForTheSecondFactorAsync(string email)
    {
        var codes = await NewRecoveryCodesAsync(email);
        var client = app.NewClient();
        await PasswordStepAsync(client, email);
        return (client, codes);
    }

    private static async Task AssertRefusedAsync(HttpClient client, HttpResponseMessage refused)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("That recovery code is not valid or was already used.", (await refused.ReadDocumentAsync()).Single("#Code-error").TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/board")).StatusCode);
    }

    private async Task<string[]> NewRecoveryCodesAsync(string email)
    {
        string[] codes = [];
        await ChangeUserAsync(email, async (users, user) =>
        {
            codes = [.. (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!];
            return IdentityResult.Success;
        });
        foreach (var code in codes) TestSecrets.Remember(code);
        return codes;
    }

    private async Task<int> CountCodesAsync(string email)
    {
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        return await users.CountRecoveryCodesAsync((await users.FindByEmailAsync(email))!);
    }

    private async Task ChangeUserAsync(string email, Func<UserManager<StudioUser>, StudioUser, Task<IdentityResult>> change)
    {
        await using var scope = app.Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
        Assert.True((await change(users, (await users.FindByEmailAsync(email))!)).Succeeded);
    }
}
