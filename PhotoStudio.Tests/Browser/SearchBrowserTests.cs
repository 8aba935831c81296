using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>
/// The header's search by keyboard alone, and the pages of search, possible duplicates and merging on a phone in
/// both themes.
/// </summary>
[Collection("browser")]
public class SearchBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    private const string Receptionist = "reception@demo.studio";

    [Fact]
    public async Task Slash_focuses_the_search_arrows_choose_a_result_and_enter_opens_it()
    {
        await using var db = app.NewDb();
        var booking = await db.Bookings.OrderBy(b => b.Id).Select(b => new { b.Id, b.Code }).FirstAsync();
        await using var desktop = await browser.NewPhonePageAsync(app.BaseUrl, o =>
        {
            o.ViewportSize = new() { Width = 1280, Height = 800 };
            o.IsMobile = false;
            o.HasTouch = false;
        });
        var page = desktop.Page;
        await page.SignInAsync(Receptionist);

        await page.Keyboard.PressAsync("/");
        var box = page.Locator("#nav-search-q");
        await Expect(box).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(booking.Code[3..].ToLowerInvariant());
        var hit = page.Locator($"#nav-search-results a[href='/board/bookings/{booking.Id}']");
        await Expect(hit).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("search results open");

        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.Locator("#nav-search-results [data-search-hit]").First).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(box).ToBeFocusedAsync();
        await Expect(page.Locator("#nav-search-results [data-search-hit]")).ToHaveCountAsync(0);

        await page.Keyboard.TypeAsync(" ");
        await page.Keyboard.PressAsync("Backspace");
        await Expect(hit).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(hit).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex($"/board/bookings/{booking.Id}$"));

        // "/" typed into a field is just a character.
        await page.GotoAsync("/search");
        await page.Locator("#search-page-q").FocusAsync();
        await page.Keyboard.PressAsync("/");
        await Expect(page.Locator("#search-page-q")).ToHaveValueAsync("/");
        desktop.AssertNoConsoleErrors();
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Search_duplicates_and_merge_pages_are_accessible_on_a_phone(string theme)
    {
        await using var db = app.NewDb();
        var duplicate = await db.Clients.Where(c => c.Email.EndsWith("@gmail.com") && c.Source == "web").SingleAsync();
        var original = await db.Clients.Where(c => c.Name == duplicate.Name && c.Id != duplicate.Id).SingleAsync();
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl,
            o => o.ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        var page = phone.Page;
        await page.SignInAsync(Receptionist);

        await page.GotoAsync("/search?q=" + Uri.EscapeDataString(original.Name));
        await Expect(page.Locator($".search-results a[href='/clients/{original.Id}']")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, search results");
        await page.AssertNoHorizontalScrollAsync($"{theme}, search results");

        await page.GotoAsync("/clients/duplicates");
        await Expect(page.Locator(".duplicate-pair").First).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, possible duplicates");
        await page.AssertNoHorizontalScrollAsync($"{theme}, possible duplicates");

        await page.GotoAsync($"/clients/merge?keep={original.Id}&merge={duplicate.Id}");
        await Expect(page.Locator("#merge-form")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, merge");
        await page.AssertNoHorizontalScrollAsync($"{theme}, merge");
        phone.AssertNoConsoleErrors();
    }
}
