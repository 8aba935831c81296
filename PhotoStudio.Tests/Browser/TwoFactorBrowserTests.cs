using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

// xunit does not order the tests of a class, and a class shares one app and database: each test below signs in
// with its own demo account, and a story that changes more than its own account gets a class (and database) of its own.

/// <summary>Two-factor sign-in on a 360 px phone: enrolment with the shown key, codes, recovery codes, also without JavaScript.</summary>
[Collection("browser")]
public class TwoFactorBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    [Fact]
    public async Task A_photographer_enrols_an_authenticator_and_signs_in_with_a_code_and_with_a_recovery_code()
    {
        const string anna = "anna@demo.studio";
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.PasswordStepAsync(anna);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnBoard);

        await page.GotoAsync("/account/security");
        await TwoFactorSteps.AssertQrCodeFitsThePhoneAsync(page);
        await page.AssertAccessibleAsync("security page, two-factor off");
        var key = await TwoFactorSteps.ReadKeyAsync(page);

        var kept = await TwoFactorSteps.EnrolAsync(page, Totp.Code(key, app.Clock.GetUtcNow()));
        await page.AssertAccessibleAsync("recovery codes");

        // With a code from the app. Enrolment used this 30-second step, and a step is accepted once: take the next.
        await TwoFactorSteps.SignOutAsync(page);
        await page.PasswordStepAsync(anna);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnTwoFactorStep);
        await Expect(page.Locator("#two-factor-form")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("two-factor step");
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await TwoFactorSteps.SubmitCodeAsync(page, Totp.Code(key, app.Clock.GetUtcNow()));
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnBoard);

        // With a recovery code instead.
        await TwoFactorSteps.SignOutAsync(page);
        await page.PasswordStepAsync(anna);
        await TwoFactorSteps.OpenRecoveryStepAsync(page);
        await page.AssertAccessibleAsync("recovery code step");
        await TwoFactorSteps.SubmitRecoveryCodeAsync(page, kept[0]);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnBoard);
        await Expect(page.Locator("#flash")).ToContainTextAsync("You signed in with a recovery code.");

        // The same recovery code a second time.
        await TwoFactorSteps.SignOutAsync(page);
        await page.PasswordStepAsync(anna);
        await TwoFactorSteps.OpenRecoveryStepAsync(page);
        await TwoFactorSteps.SubmitRecoveryCodeAsync(page, kept[0]);
        const string refused = "That recovery code is not valid or was already used.";
        await Expect(page.Locator("#Code-error")).ToHaveTextAsync(refused);
        await Expect(page.Locator("#recovery-form #Code")).ToHaveAccessibleDescriptionAsync(refused);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnRecoveryStep);
        await page.AssertAccessibleAsync("used recovery code refused");

        // Only the used code is refused: another code from the same list still opens the board.
        await TwoFactorSteps.SubmitRecoveryCodeAsync(page, kept[1]);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnBoard);

        // New recovery codes ask for the password (or a current code) first.
        await page.GotoAsync("/account/security");
        await page.Locator("#regenerate-secret").FillAsync("not my password at all");
        await page.Locator("#recovery-codes-form button[type=submit]").TapAsync();
        const string wrongSecret = "That password or code is not right.";
        await Expect(page.Locator("#regenerate-secret-error")).ToHaveTextAsync(wrongSecret);
        await Expect(page.Locator("#regenerate-secret")).ToHaveAccessibleDescriptionAsync(wrongSecret);
        await page.AssertAccessibleAsync("new recovery codes refused");
        await page.Locator("#regenerate-secret").FillAsync(DemoSeeder.Password);
        await page.Locator("#recovery-codes-form button[type=submit]").TapAsync();
        await Expect(page.Locator("#recovery-codes li")).ToHaveCountAsync(10);

        // The refused recovery code and password answered 422, as every refused form does.
        phone.AssertNoConsoleErrors(new Regex(@"422.*/account/2fa/recovery"), new Regex(@"422.*/account/security/recovery-codes"));
    }

    [Fact]
    public async Task A_photographer_enrols_and_signs_in_with_a_code_with_javascript_off_through_plain_form_posts()
    {
        const string maria = "maria@demo.studio";
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl, o => o.JavaScriptEnabled = false);
        var page = phone.Page;
        await page.PasswordStepAsync(maria);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnBoard);

        await page.GotoAsync("/account/security");
        await TwoFactorSteps.AssertQrCodeFitsThePhoneAsync(page);
        var key = await TwoFactorSteps.ReadKeyAsync(page);
        await page.Locator("#enable-code").FillAsync(Totp.Code(key, app.Clock.GetUtcNow()));
        var enabled = await page.RunAndWaitForResponseAsync(
            () => page.Locator("#enable-2fa-form button[type=submit]").TapAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/account/security/enable"));
        Assert.Null(await enabled.Request.HeaderValueAsync("hx-request"));
        Assert.Equal(200, enabled.Status);
        await Expect(page.Locator("#recovery-codes li")).ToHaveCountAsync(10);
        // No axe here: it runs as a script, and with JavaScript off RunAxe never returns. The JavaScript tests check these pages.

        await page.GetByRole(AriaRole.Link, new() { Name = "I have saved them" }).TapAsync();
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnSecurity);
        await Expect(page.Locator("main")).ToContainTextAsync("Recovery codes left: 10");

        // The sign-out page's own button: the navbar's sits in the collapsed menu, which Bootstrap opens with JavaScript.
        await page.GotoAsync("/account/logout");
        await page.Locator("main").GetByRole(AriaRole.Button, new() { Name = "Sign out" }).TapAsync();
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnLogin);

        await page.PasswordStepAsync(maria);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnTwoFactorStep);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        await page.Locator("#two-factor-form #Code").FillAsync(Totp.Code(key, app.Clock.GetUtcNow()));
        var landed = await page.RunAndWaitForResponseAsync(
            () => page.Locator("#two-factor-form button[type=submit]").TapAsync(),
            r => r.Url.EndsWith("/board"));
        var post = landed.Request.RedirectedFrom;
        Assert.NotNull(post);
        Assert.Equal("POST", post.Method);
        Assert.Null(await post.HeaderValueAsync("hx-request"));
        Assert.Equal(303, (await post.ResponseAsync())!.Status);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnBoard);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Board");

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_code_already_used_is_refused()
    {
        const string manager = "manager@demo.studio";
        var key = DemoSeeder.Accounts.Single(a => a.Email == manager).AuthenticatorKey!;
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.PasswordStepAsync(manager);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnTwoFactorStep);
        var code = Totp.Code(key, app.Clock.GetUtcNow());
        await TwoFactorSteps.SubmitCodeAsync(page, code);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnBoard);

        // Someone who saw the code typed tries it within the same 30 seconds.
        await TwoFactorSteps.SignOutAsync(page);
        await page.PasswordStepAsync(manager);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnTwoFactorStep);
        await TwoFactorSteps.SubmitCodeAsync(page, code);
        const string refused = "That code is not valid. Check your authenticator app and try again.";
        await Expect(page.Locator("#Code-error")).ToHaveTextAsync(refused);
        await Expect(page.Locator("#two-factor-form #Code")).ToHaveAccessibleDescriptionAsync(refused);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnTwoFactorStep);
        await page.AssertAccessibleAsync("used code refused");

        // The refused code answered 422, as every refused form does.
        phone.AssertNoConsoleErrors(new Regex(@"422.*/account/2fa"));
    }
}

/// <summary>A role that requires two-factor sign-in, for a manager whose second factor was switched off (own database).</summary>
[Collection("browser")]
public class TwoFactorBrowserRoleRequirementTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    [Fact]
    public async Task A_manager_without_two_factor_is_sent_to_enrol_first()
    {
        const string manager = "manager@demo.studio";
        await using (var db = app.NewDb())
        {
            var user = await db.Users.SingleAsync(u => u.Email == manager);
            user.TwoFactorEnabled = false;
            await db.SaveChangesAsync();
        }
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;

        // The password alone signs in, and the board it leads to answers with the security page.
        await page.PasswordStepAsync(manager);
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnSecurity);
        await page.GotoAsync("/board");
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnSecurity);
        await Expect(page.Locator("main .alert-warning[role=alert]"))
            .ToHaveTextAsync("Your role requires two-factor sign-in. Set it up to continue.");
        await TwoFactorSteps.AssertQrCodeFitsThePhoneAsync(page);
        await page.AssertAccessibleAsync("enrolment required by the role");

        var key = await TwoFactorSteps.ReadKeyAsync(page);
        await TwoFactorSteps.EnrolAsync(page, Totp.Code(key, app.Clock.GetUtcNow()));
        await page.AssertAccessibleAsync("recovery codes, enrolment required by the role");

        await page.GotoAsync("/board");
        await Expect(page).ToHaveURLAsync(TwoFactorSteps.OnBoard);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Board");

        phone.AssertNoConsoleErrors();
    }
}

/// <summary>What a user does on the sign-in, two-factor and security pages, through the real forms.</summary>
internal static class TwoFactorSteps
{
    // Expect(page).ToHaveURLAsync polls, so it also sees navigations that htmx's HX-Redirect starts after the response.
    public static readonly Regex OnBoard = BrowserSignIn.OnBoard;
    public static readonly Regex OnLogin = new("/account/login$");
    public static readonly Regex OnSecurity = new("/account/security$");
    public static readonly Regex OnTwoFactorStep = BrowserSignIn.OnTwoFactorStep;
    public static readonly Regex OnRecoveryStep = new(@"/account/2fa/recovery(\?|$)");

    public static async Task SubmitCodeAsync(IPage page, string code)
    {
        await page.Locator("#two-factor-form #Code").FillAsync(code);
        await page.Locator("#two-factor-form button[type=submit]").TapAsync();
    }

    public static async Task OpenRecoveryStepAsync(IPage page)
    {
        await Expect(page).ToHaveURLAsync(OnTwoFactorStep);
        await page.GetByRole(AriaRole.Link, new() { Name = "Use a recovery code instead" }).TapAsync();
        await Expect(page).ToHaveURLAsync(OnRecoveryStep);
        await Expect(page.Locator("#recovery-form")).ToBeVisibleAsync();
    }

    public static async Task SubmitRecoveryCodeAsync(IPage page, string code)
    {
        TestSecrets.Remember(code);
        await page.Locator("#recovery-form #Code").FillAsync(code);
        await page.Locator("#recovery-form button[type=submit]").TapAsync();
    }

    /// <summary>The key as shown (lower-case groups of four), returned as an authenticator app reads it.</summary>
    public static async Task<string> ReadKeyAsync(IPage page)
    {
        var shown = (await page.Locator("#authenticator-key").InnerTextAsync()).Trim();
        Assert.Matches("^([a-z2-7]{4} )*[a-z2-7]{1,4}$", shown);
        var key = shown.Replace(" ", "").ToUpperInvariant();
        TestSecrets.Remember(shown);
        TestSecrets.Remember(key);
        return key;
    }

    /// <summary>The QR code is shown whole on the phone, at a size a camera can read.</summary>
    public static async Task AssertQrCodeFitsThePhoneAsync(IPage page)
    {
        var qr = page.Locator("figure.qr-code svg");
        await Expect(qr).ToBeVisibleAsync();
        var box = await qr.BoundingBoxAsync();
        Assert.True(box is { X: >= 0, Width: >= 120 } && box.X + box.Width <= PhonePage.Width,
            $"The QR code does not fit the {PhonePage.Width} px phone or is too small: x {box?.X}, {box?.Width}×{box?.Height} px");
    }

    /// <summary>Switches two-factor sign-in on with the code and returns two of the ten recovery codes shown.</summary>
    public static async Task<string[]> EnrolAsync(IPage page, string code)
    {
        await page.Locator("#enable-code").FillAsync(code);
        await page.Locator("#enable-2fa-form button[type=submit]").TapAsync();
        var codes = page.Locator("#recovery-codes li");
        await Expect(codes).ToHaveCountAsync(10);
        var kept = (await codes.AllInnerTextsAsync()).Select(c => c.Trim()).Take(2).ToArray();
        Assert.All(kept, c => Assert.Matches("^[A-Za-z0-9-]{8,}$", c));
        return kept;
    }

    /// <summary>Opens the collapsed menu and taps Sign out; waits for the sign-in page.</summary>
    public static async Task SignOutAsync(IPage page)
    {
        // Bootstrap is deferred: let it run before the menu button is tapped.
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'");
        var toggler = page.Locator(".navbar-toggler");
        await toggler.TapAsync();
        await Expect(toggler).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.Locator("#nav-menu")).ToHaveClassAsync(new Regex(@"\bshow\b"));
        await page.Locator("form[action='/account/logout'] button").TapAsync();
        await Expect(page).ToHaveURLAsync(OnLogin);
        await Expect(page.Locator("#flash")).ToContainTextAsync("You have signed out.");
    }
}
