using Microsoft.Playwright;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>The lost-link page and the calendar subscriptions on a 360 px phone: accessible in both themes, usable by keyboard.</summary>
[Collection("browser")]
public class LinksBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    [Fact]
    public async Task The_lost_link_form_works_by_keyboard_on_a_phone_and_is_accessible_in_both_themes_also_with_errors()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/my");
        await page.AssertAccessibleAsync("light mode");
        await page.AssertNoHorizontalScrollAsync("light mode");

        await page.Locator("#Email").FocusAsync();
        await page.Keyboard.TypeAsync("not-an-email");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#BookingCode")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("PS-7K3QX");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#Email-error")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#BookingCode")).ToHaveValueAsync("PS-7K3QX");
        await page.AssertAccessibleAsync("light mode, errors");

        await InDarkModeAsync(page, "errors");

        await page.Locator("#Email").FillAsync($"nobody.{Guid.NewGuid():N}@example.org");
        await page.Locator("#lost-link-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#lost-link-sent")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("dark mode, sent");
        phone.AssertNoConsoleErrors(new System.Text.RegularExpressions.Regex("422.*/my"));
    }

    [Fact]
    public async Task The_calendar_subscriptions_fit_a_phone_and_are_accessible_in_both_themes()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.SignInAsync("reception@demo.studio");
        await page.GotoAsync("/account/security");
        await Expect(page.Locator("#calendar-feeds li.calendar-feed[data-scope=Studio]")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("light mode");
        await page.AssertNoHorizontalScrollAsync("light mode");

        await InDarkModeAsync(page, "");
        phone.AssertNoConsoleErrors();
    }

    /// <summary>Switches to the dark theme through the phone's menu, then checks the page as it is now.</summary>
    private static async Task InDarkModeAsync(IPage page, string state)
    {
        await LayoutBrowserTests.OpenMenuAsync(page);
        await LayoutBrowserTests.ToggleThemeAsync(page, to: "dark");
        await LayoutBrowserTests.CloseMenuAsync(page);
        await page.AssertAccessibleAsync($"dark mode {state}");
        await page.AssertNoHorizontalScrollAsync($"dark mode {state}");
    }
}
