using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>A client's export page and erase confirmation on a 360 px phone: axe in both themes, also with the refusal shown.</summary>
[Collection("browser")]
public class ClientPrivacyBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Export_and_erase_confirmation_on_a_phone_are_accessible_and_never_scroll_sideways(string theme)
    {
        int clientId;
        await using (var db = app.NewDb())
            clientId = await db.Bookings.Where(b => b.Client!.ErasedAt == null).GroupBy(b => b.ClientId)
                .OrderByDescending(g => g.Count()).Select(g => g.Key).FirstAsync();
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl,
            o => o.ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        var page = phone.Page;
        await page.SignInAsync("admin@demo.studio", app.Clock);

        await page.GotoAsync($"/clients/{clientId}/export");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", theme);
        await Expect(page.Locator(".export-booking").First).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, export");
        await page.AssertNoHorizontalScrollAsync($"{theme}, export");

        await page.Locator("#erase-link").TapAsync();
        await Expect(page.Locator("#erase-form")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, erase");
        await page.AssertNoHorizontalScrollAsync($"{theme}, erase");

        // Without the box ticked nothing happens, and the page says why next to the box.
        await page.Locator("#erase-form button[type=submit]").TapAsync();
        await Expect(page.Locator("#Confirm-error")).ToContainTextAsync("Tick the box");
        await Expect(page.Locator("#Confirm")).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("Tick the box"));
        await page.AssertAccessibleAsync($"{theme}, erase refused");
        await page.AssertNoHorizontalScrollAsync($"{theme}, erase refused");

        Assert.All(phone.Problems, p => Assert.Contains("status of 422", p.Replace("answered 422", "status of 422")));
    }
}
