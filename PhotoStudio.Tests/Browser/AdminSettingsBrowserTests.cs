using Microsoft.Playwright;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>The settings and audit pages on a 360 px phone: axe in both themes, also with errors shown, and no sideways scrolling.</summary>
[Collection("browser")]
public class AdminSettingsBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    private const string Admin = "admin@demo.studio";

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Settings_and_audit_on_a_phone_are_accessible_and_never_scroll_sideways(string theme)
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl,
            o => o.ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        var page = phone.Page;
        await page.SignInAsync(Admin, app.Clock);

        await page.GotoAsync("/admin/settings");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", theme);
        await Expect(page.Locator("#settings-form")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, settings");
        await page.AssertNoHorizontalScrollAsync($"{theme}, settings");

        // Refused through htmx: the form swaps in with its messages.
        await page.Locator("#SlotStepMinutes").FillAsync("7");
        await page.Locator("#Days-0-1").FillAsync("12:00");
        await page.Locator("#Days-0-1-closes").FillAsync("13:00");
        await page.Locator("#settings-form button[type=submit]").TapAsync();
        await Expect(page.Locator("#SlotStepMinutes-error")).ToContainTextAsync("divide a day evenly");
        await Expect(page.Locator("#Days-0-error")).ToContainTextAsync("must not overlap");
        await Expect(page.Locator("#SlotStepMinutes")).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("divide a day evenly"));
        await page.AssertAccessibleAsync($"{theme}, settings refused");
        await page.AssertNoHorizontalScrollAsync($"{theme}, settings refused");

        await page.Locator("#FirstDay").FillAsync("2031-06-10");
        await page.Locator("#LastDay").FillAsync("2031-06-01");
        await page.Locator("#closure-form button[type=submit]").TapAsync();
        await Expect(page.Locator("#LastDay-error")).ToContainTextAsync("cannot be before the first day");
        await page.AssertAccessibleAsync($"{theme}, closure refused");
        await page.AssertNoHorizontalScrollAsync($"{theme}, closure refused");

        await page.GotoAsync("/admin/audit");
        await Expect(page.Locator("#audit-table tbody tr").First).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, audit");
        await page.AssertNoHorizontalScrollAsync($"{theme}, audit");

        // The filter swaps the table over htmx and puts the filter in the address.
        await page.Locator("#filter-type").SelectOptionAsync("Room");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/admin/audit\?type=Room$"));
        await Expect(page.Locator("#audit-table tbody tr[id] .audit-entity").First).ToContainTextAsync("Room");
        await page.AssertAccessibleAsync($"{theme}, audit filtered");

        // The two refused posts answered 422 on purpose (Chromium also logs each as a console error); nothing else may have gone wrong.
        Assert.All(phone.Problems, p => Assert.Contains("status of 422", p.Replace("answered 422", "status of 422")));
    }
}
