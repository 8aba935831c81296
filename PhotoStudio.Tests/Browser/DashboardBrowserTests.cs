using Microsoft.Playwright;
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
        await page.SignInAsync(email, app.Clock);

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
