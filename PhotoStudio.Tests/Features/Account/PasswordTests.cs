using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Account;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Account;

public class PasswordTests(StudioApp app) : IClassFixture<StudioApp>
{
    [Theory]
    [InlineData("password1234")]      // a listed password with digits tacked on
    [InlineData("iloveyou2026!!")]
    [InlineData("abcabcabcabc")]      // a pattern repeated
    [InlineData("aaaaaaaaaaaaaaa")]
    [InlineData("reception-is-my-password")] // the account's own name
    public async Task Easy_passwords_are_refused_with_a_clear_message(string weak)
    {
        var client = app.NewClient();
        await client.SignInAsync("reception@demo.studio");
        var response = await client.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
        {
            ["CurrentPassword"] = DemoSeeder.Password, ["NewPassword"] = weak, ["ConfirmPassword"] = weak,
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("too easy to guess", (await response.ReadDocumentAsync()).Single("#NewPassword-error").TextContent);
    }

    [Fact]
    public async Task Short_and_mismatched_passwords_and_a_wrong_current_one_get_messages_next_to_the_fields()
    {
        var client = app.NewClient();
        await client.SignInAsync("reception@demo.studio");
        var short_ = await client.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
        {
            ["CurrentPassword"] = DemoSeeder.Password, ["NewPassword"] = "short one", ["ConfirmPassword"] = "short two",
        });
        var page = await short_.ReadDocumentAsync();
        Assert.Contains("at least 12 characters", page.Single("#NewPassword-error").TextContent);
        Assert.Contains("differ", page.Single("#ConfirmPassword-error").TextContent);

        var wrong = await client.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
        {
            ["CurrentPassword"] = "not my password at all", ["NewPassword"] = "marble falcon river 88", ["ConfirmPassword"] = "marble falcon river 88",
        });
        Assert.Contains("not right", (await wrong.ReadDocumentAsync()).Single("#CurrentPassword-error").TextContent);
    }

    [Fact]
    public async Task After_an_admin_reset_the_user_must_choose_a_new_password_and_old_sessions_end()
    {
        var old = app.NewClient();
        await old.SignInAsync("ivan@demo.studio");

        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
            var ivan = (await users.FindByEmailAsync("ivan@demo.studio"))!;
            var result = await scope.ServiceProvider.GetRequiredService<PasswordReset>().ResetAsync(ivan, "temporary tulip harbour 5");
            Assert.True(result.Succeeded);
        }

        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Redirect, (await old.GetAsync("/board")).StatusCode);

        var client = app.NewClient();
        await client.SignInAsync("ivan@demo.studio", "temporary tulip harbour 5");
        var board = await client.GetAsync("/board");
        Assert.Equal(HttpStatusCode.SeeOther, board.StatusCode);
        Assert.Equal("/account/password", board.Headers.Location!.OriginalString);

        var changed = await client.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
        {
            ["CurrentPassword"] = "temporary tulip harbour 5", ["NewPassword"] = "amber willow compass 31", ["ConfirmPassword"] = "amber willow compass 31",
        });
        Assert.Equal(HttpStatusCode.SeeOther, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/board")).StatusCode);

        await using var db = app.NewDb();
        Assert.False((await db.Users.SingleAsync(u => u.Email == "ivan@demo.studio")).MustChangePassword);
        Assert.Contains(db.AuditEntries, e => e.Action == "password.reset_by_admin");
    }
}
