using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Account;

/// <summary>
/// The app with its password hasher wrapped, counting how often a typed password is checked. It hashes with the
/// production figure, not the suite's cheap one.
/// </summary>
public class CountingHasherApp : StudioApp
{
    private int verifications;

    public int Verifications => Volatile.Read(ref verifications);

    protected override int? PasswordIterations => null;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
            services.Replace(ServiceDescriptor.Scoped<IPasswordHasher<StudioUser>>(sp =>
                new CountingHasher(new PasswordHasher<StudioUser>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>()), this))));
    }

    private sealed class CountingHasher(IPasswordHasher<StudioUser> inner, CountingHasherApp app) : IPasswordHasher<StudioUser>
    {
        public string HashPassword(StudioUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(StudioUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref app.verifications);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}

/// <summary>
/// A failed sign-in costs one password hash whatever the reason, so the time it takes tells nobody whether the
/// account exists, is locked or was deactivated. Counted, not timed.
/// </summary>
public class SignInHashingTests(CountingHasherApp app) : IClassFixture<CountingHasherApp>
{
    [Fact]
    public async Task A_wrong_password_for_a_known_account_is_hashed_once()
    {
        Assert.Equal(1, await HashesForSignInAsync("anna@demo.studio"));
    }

    [Fact]
    public async Task An_unknown_account_costs_a_hash_like_a_known_one()
    {
        Assert.Equal(1, await HashesForSignInAsync("nobody-here@demo.studio"));
    }

    [Fact]
    public async Task A_locked_account_costs_a_hash_like_an_open_one()
    {
        await using (var scope = app.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>();
            var ivan = (await users.FindByEmailAsync("ivan@demo.studio"))!;
            Assert.True((await users.SetLockoutEndDateAsync(ivan, app.Clock.GetUtcNow().AddHours(1))).Succeeded);
        }
        Assert.Equal(1, await HashesForSignInAsync("ivan@demo.studio"));
    }

    [Fact]
    public async Task A_deactivated_employee_costs_a_hash_like_an_active_one()
    {
        await using (var db = app.NewDb())
            await db.Employees.Where(e => e.User!.Email == "maria@demo.studio").ExecuteUpdateAsync(e => e.SetProperty(x => x.IsActive, false));
        Assert.Equal(1, await HashesForSignInAsync("maria@demo.studio"));
    }

    [Fact]
    public async Task Passwords_are_hashed_with_at_least_210000_pbkdf2_iterations()
    {
        var options = app.Services.GetRequiredService<IOptions<PasswordHasherOptions>>().Value;
        Assert.True(options.IterationCount >= 210_000);
        Assert.Equal(PasswordHasherCompatibilityMode.IdentityV3, options.CompatibilityMode);

        await using var scope = app.Scope();
        var hash = scope.ServiceProvider.GetRequiredService<IPasswordHasher<StudioUser>>().HashPassword(new StudioUser(), "marble falcon river 88");
        Assert.True(PasswordHashes.Iterations(hash) >= 210_000);
    }

    /// <summary>Password checks made while answering one failed sign-in (the form is fetched first, outside the count).</summary>
    private async Task<int> HashesForSignInAsync(string email)
    {
        var client = app.NewClient();
        var form = (await client.GetDocumentAsync("/account/login")).QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>("#login-form")!;
        var before = app.Verifications;
        var response = await client.SubmitAsync(form, new Dictionary<string, string> { ["Email"] = email, ["Password"] = "not-the-password-at-all" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("Email or password is incorrect", await response.Content.ReadAsStringAsync());
        return app.Verifications - before;
    }
}
