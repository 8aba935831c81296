using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>The client list, a profile and the edit form on a phone: accessible in both themes, searchable by keyboard alone.</summary>
[Collection("browser")]
public class ClientsBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_client_pages_on_a_phone_are_accessible_and_the_search_works_by_keyboard(string theme)
    {
        int clientId;
        await using (var db = app.NewDb())
            clientId = await db.Clients.Where(c => c.Email == "lena.schneider@example.com").Select(c => c.Id).SingleAsync();
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl,
            o => o.ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        var page = phone.Page;
        await page.SignInAsync("reception@demo.studio");

        await page.GotoAsync("/clients");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", theme);
        await Expect(page.Locator("#clients-table tbody tr")).ToHaveCountAsync(20);
        await page.AssertAccessibleAsync($"{theme}, clients");
        await page.AssertNoHorizontalScrollAsync($"{theme}, clients");

        // Keyboard only: into the search box, type, and the table follows with the search in the address.
        await page.Locator("#clients-q").FocusAsync();
        await page.Keyboard.TypeAsync("schneider@example");
        await Expect(page).ToHaveURLAsync(new Regex("q=schneider"));
        await Expect(page.Locator("#clients-table tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#clients-q")).ToBeFocusedAsync();
        // Tab on to the tag filter and beyond to the first sortable header, then to the row's link: Enter opens the profile.
        var link = page.Locator("#clients-table tbody a", new() { HasText = "Lena Schneider" });
        for (var i = 0; i < 12 && !await link.EvaluateAsync<bool>("e => e === document.activeElement"); i++)
            await page.Keyboard.PressAsync("Tab");
        await Expect(link).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex($"/clients/{clientId}$"));

        await Expect(page.Locator("#booking-history")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, profile");
        await page.AssertNoHorizontalScrollAsync($"{theme}, profile");

        await page.GotoAsync($"/clients/{clientId}/edit");
        await page.Locator("#Name").FillAsync("");
        await page.Locator("#client-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#Name-error")).ToHaveTextAsync("Please enter the client's name.");
        await page.AssertAccessibleAsync($"{theme}, edit with an error");
        await page.AssertNoHorizontalScrollAsync($"{theme}, edit with an error");

        // The one request that failed on purpose: the invalid form answered 422.
        Assert.All(phone.Problems, p => Assert.Contains("422", p));
    }
}
