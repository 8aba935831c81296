using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>The owner's morning page on a phone: accessible in both themes, charts included, nothing scrolls sideways.</summary>
[Collection("browser")]
public class DashboardBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_dashboard_is_accessible_with_its_charts_and_tables(string theme)
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl,
            o => o.ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        var page = phone.Page;
        const string email = "manager@demo.studio";
        await page.GotoAsync("/account/login");
        await page.Locator("#Email").FillAsync(email);
        await page.Locator("#Password").FillAsync(DemoSeeder.Password);
        await page.Locator("#login-form button[type=submit]").TapAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/account/2fa(\?|$)"));
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var key = DemoSeeder.Accounts.Single(a => a.Email == email).AuthenticatorKey!;
        await page.Locator("#two-factor-form #Code").FillAsync(Totp.Code(key, app.Clock.GetUtcNow()));
        await page.Locator("#two-factor-form button[type=submit]").TapAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/board$"));

        await page.GotoAsync("/admin?range=30d");
        await Expect(page.Locator("svg[role=img]").First).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, dashboard");
        await page.AssertNoHorizontalScrollAsync($"{theme}, dashboard");

        // Every "show as table" alternative opened.
        foreach (var summary in await page.Locator("details > summary").AllAsync()) await summary.TapAsync();
        await page.AssertAccessibleAsync($"{theme}, dashboard with the tables open");
        await page.AssertNoHorizontalScrollAsync($"{theme}, dashboard with the tables open");
        phone.AssertNoConsoleErrors();
    }
}
