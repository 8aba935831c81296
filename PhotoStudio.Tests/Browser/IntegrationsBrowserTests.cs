using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>API keys on a 360 px phone, by keyboard, in both themes; and the API reference page rendering the document.</summary>
[Collection("browser")]
public class IntegrationsBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    [Fact]
    public async Task An_admin_makes_a_key_by_keyboard_on_a_phone_and_the_page_is_accessible_in_both_themes()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.SignInAsync("admin@demo.studio", app.Clock);
        await page.GotoAsync("/admin/integrations");
        await Expect(page.Locator("#keys-list [data-key=demodemo]")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("light mode");
        await page.AssertNoHorizontalScrollAsync("light mode");

        // Submitted without a scope: the message is next to the scopes, the name is kept.
        await page.Locator("#Name").FocusAsync();
        await page.Keyboard.TypeAsync("Booking widget");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#Scopes-error")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#Name")).ToHaveValueAsync("Booking widget");
        await page.AssertAccessibleAsync("light mode, errors");

        await page.Locator("#scope-bookings-view_all").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.Locator("#key-form button[type=submit]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#new-key-value")).ToHaveValueAsync(new Regex("^psk_[a-z2-7]{8}_[a-z2-7]{32}$"));
        TestSecrets.Remember(await page.Locator("#new-key-value").InputValueAsync());
        await page.AssertAccessibleAsync("light mode, new key");
        await page.AssertNoHorizontalScrollAsync("light mode, new key");

        // A webhook endpoint: the address refused without https in plain sight, then added with two events.
        await page.Locator("#Url").FillAsync("https://hooks.example.com/photostudio");
        await page.Locator("#event-booking-created").CheckAsync();
        await page.Locator("#event-booking-cancelled").CheckAsync();
        await page.Locator("#webhook-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#new-secret-value")).ToHaveValueAsync(new Regex("^whsec_[a-z2-7]{32}$"));
        TestSecrets.Remember(await page.Locator("#new-secret-value").InputValueAsync());
        await Expect(page.Locator("#webhooks-list .endpoint-url")).ToContainTextAsync("https://hooks.example.com/photostudio");
        await page.AssertAccessibleAsync("light mode, new endpoint");
        await page.AssertNoHorizontalScrollAsync("light mode, new endpoint");

        await LayoutBrowserTests.OpenMenuAsync(page);
        await LayoutBrowserTests.ToggleThemeAsync(page, to: "dark");
        await LayoutBrowserTests.CloseMenuAsync(page);
        await page.AssertAccessibleAsync("dark mode");
        phone.AssertNoConsoleErrors(new Regex("422.*/admin/integrations"));
    }

    [Fact]
    public async Task The_api_reference_renders_every_operation_from_this_app_without_breaking_the_content_policy()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl, o => o.ViewportSize = new ViewportSize { Width = 1280, Height = 900 });
        var page = phone.Page;
        await page.SignInAsync("reception@demo.studio");
        var external = new List<string>();
        page.Request += (_, request) => { if (!request.Url.StartsWith(app.BaseUrl)) external.Add(request.Url); };
        await page.GotoAsync("/api/docs");
        await Expect(page.GetByText("Find free slots for a service").First).ToBeVisibleAsync();
        await Expect(page.GetByText("List the studio's active rooms").First).ToBeVisibleAsync();
        Assert.Empty(external);
        phone.AssertNoConsoleErrors();
    }
}
