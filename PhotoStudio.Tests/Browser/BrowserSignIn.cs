using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>How every browser test signs in: through the real login form and, for an account with an authenticator, the code step.</summary>
public static class BrowserSignIn
{
    public static readonly Regex OnBoard = new("/board$");
    public static readonly Regex OnTwoFactorStep = new(@"/account/2fa(\?|$)");

    /// <summary>Email and password through the login form; the caller expects where it lands.</summary>
    public static async Task PasswordStepAsync(this IPage page, string email, string password = DemoSeeder.Password)
    {
        await page.GotoAsync("/account/login");
        await page.Locator("#Email").FillAsync(email);
        await page.Locator("#Password").FillAsync(password);
        await page.Locator("#login-form button[type=submit]").ClickAsync();
    }

    /// <summary>
    /// Signs in as a demo account and waits for the board, its deferred scripts run (so a control that needs them works).
    /// An account with an authenticator also passes the code step; <paramref name="clock"/>, the app's, is first moved on
    /// to a fresh 30-second step, so a second sign-in of the account never presents a code already used.
    /// </summary>
    public static async Task SignInAsync(this IPage page, string email, TestClock? clock = null)
    {
        await page.PasswordStepAsync(email);
        if (DemoSeeder.Accounts.Single(a => a.Email == email).AuthenticatorKey is { } key)
        {
            ArgumentNullException.ThrowIfNull(clock);
            await Expect(page).ToHaveURLAsync(OnTwoFactorStep);
            clock.Advance(TimeSpan.FromSeconds(30));
            await page.Locator("#two-factor-form #Code").FillAsync(Totp.Code(key, clock.GetUtcNow()));
            await page.Locator("#two-factor-form button[type=submit]").ClickAsync();
        }
        await Expect(page).ToHaveURLAsync(OnBoard);
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'");
    }
}
