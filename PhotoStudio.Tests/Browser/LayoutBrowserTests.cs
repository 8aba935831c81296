using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>The layout on a 360 px phone: accessibility in both themes, the collapsed menu, skip link, theme and language.</summary>
[Collection("browser")]
public class LayoutBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    private const string Receptionist = "reception@demo.studio";

    // Expect(page).ToHaveURLAsync polls; WaitForURLAsync can miss a navigation that lands while it subscribes
    // (playwright-dotnet issue #3364), which htmx's HX-Redirect (location change after the response) hits.
    private static readonly Regex OnBoard = new("/board$");

    [Fact]
    public async Task Landing_page_on_a_phone_is_accessible_in_light_and_dark_mode_and_never_scrolls_sideways()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", "light");
        await Expect(page.Locator("h1")).ToBeVisibleAsync();

        await page.AssertAccessibleAsync("light mode");
        await page.AssertNoHorizontalScrollAsync("light mode");

        await OpenMenuAsync(page);
        await page.AssertAccessibleAsync("light mode, menu open");
        await page.AssertNoHorizontalScrollAsync("light mode, menu open");

        await ToggleThemeAsync(page, to: "dark");
        await page.AssertAccessibleAsync("dark mode, menu open");
        await page.AssertNoHorizontalScrollAsync("dark mode, menu open");

        await CloseMenuAsync(page);
        await page.AssertAccessibleAsync("dark mode");
        await page.AssertNoHorizontalScrollAsync("dark mode");

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Sign_in_page_on_a_phone_is_accessible_in_light_and_dark_mode_also_when_it_shows_errors()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/account/login");
        await Expect(page.Locator("#login-form")).ToBeVisibleAsync();

        await page.AssertAccessibleAsync("light mode");
        await page.AssertNoHorizontalScrollAsync("light mode");

        await OpenMenuAsync(page);
        await ToggleThemeAsync(page, to: "dark");
        await page.AssertAccessibleAsync("dark mode, menu open");
        await CloseMenuAsync(page);

        // Nothing filled in: the server answers with a message under each field.
        await page.Locator("#login-form button[type=submit]").TapAsync();
        await Expect(page.Locator("#Email-error")).ToHaveTextAsync("Enter your email address.");
        await Expect(page.Locator("#Password-error")).ToHaveTextAsync("Enter your password.");
        await page.AssertAccessibleAsync("dark mode, empty form refused");
        await page.AssertNoHorizontalScrollAsync("dark mode, empty form refused");

        // An account that does not exist, so no demo account creeps towards lockout.
        await page.Locator("#Email").FillAsync("nobody@demo.studio");
        await page.Locator("#Password").FillAsync("not-the-password");
        await page.Locator("#login-form button[type=submit]").TapAsync();
        var failure = page.Locator("#login-form [role=alert]");
        await Expect(failure).ToContainTextAsync("Email or password is incorrect");
        await page.AssertAccessibleAsync("dark mode, failed sign-in");
        await page.AssertNoHorizontalScrollAsync("dark mode, failed sign-in");

        await OpenMenuAsync(page);
        await ToggleThemeAsync(page, to: "light");
        await CloseMenuAsync(page);
        await Expect(failure).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("light mode, failed sign-in");

        // The refused sign-in answers 422 on purpose (the form again, its message next to the fields).
        phone.AssertNoConsoleErrors(new System.Text.RegularExpressions.Regex(@"422.*/account/login"));
    }

    [Fact]
    public async Task Signing_in_on_a_phone_goes_through_htmx_and_lands_on_the_board()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/account/login");
        await page.Locator("#Email").FillAsync(Receptionist);
        await page.Locator("#Password").FillAsync(DemoSeeder.Password);

        var answer = await page.RunAndWaitForResponseAsync(
            () => page.Locator("#login-form button[type=submit]").TapAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/account/login"));
        Assert.Equal("true", await answer.Request.HeaderValueAsync("hx-request"));
        Assert.Equal(200, answer.Status);
        Assert.Equal("/board", await answer.HeaderValueAsync("hx-redirect"));

        await Expect(page).ToHaveURLAsync(OnBoard);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Board");

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Signing_in_on_a_phone_without_javascript_posts_the_form_and_lands_on_the_board()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl, o => o.JavaScriptEnabled = false);
        var page = phone.Page;
        await page.GotoAsync("/account/login");
        await page.Locator("#Email").FillAsync(Receptionist);
        await page.Locator("#Password").FillAsync(DemoSeeder.Password);

        var landed = await page.RunAndWaitForResponseAsync(
            () => page.Locator("#login-form button[type=submit]").TapAsync(),
            r => r.Url.EndsWith("/board"));
        var post = landed.Request.RedirectedFrom;
        Assert.NotNull(post);
        Assert.Equal("POST", post.Method);
        Assert.Null(await post.HeaderValueAsync("hx-request"));
        Assert.Equal(303, (await post.ResponseAsync())!.Status);

        await Expect(page).ToHaveURLAsync(OnBoard);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Board");

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Navigation_on_a_phone_collapses_into_a_menu_button_that_opens_on_tap_and_shows_a_receptionist_the_board_link()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.SignInAsync(Receptionist);

        var toggler = page.Locator(".navbar-toggler");
        var board = page.Locator("#nav-menu").GetByRole(AriaRole.Link, new() { Name = "Board" });
        await Expect(toggler).ToBeVisibleAsync();
        await Expect(toggler).ToHaveAccessibleNameAsync("Menu");
        await Expect(toggler).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(board).ToBeHiddenAsync();

        await toggler.TapAsync();
        await Expect(toggler).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(board).ToBeVisibleAsync();
        await Expect(board).ToHaveAttributeAsync("href", "/board");
        await Expect(board).ToHaveAttributeAsync("aria-current", "page");
        await Expect(page.Locator("#nav-menu").GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync("signed in, menu open");
        await page.AssertNoHorizontalScrollAsync("signed in, menu open");

        await toggler.TapAsync();
        await Expect(toggler).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(board).ToBeHiddenAsync();

        phone.AssertNoConsoleErrors();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/board")]
    public async Task Tab_from_the_top_reaches_the_skip_link_first_and_activating_it_moves_focus_to_main(string path)
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        if (path == "/board") await page.SignInAsync(Receptionist);
        await page.GotoAsync(path);
        await Expect(page.Locator("h1")).ToBeVisibleAsync();

        var skip = page.Locator("a.skip-link");
        await page.Keyboard.PressAsync("Tab");
        await Expect(skip).ToBeFocusedAsync();
        await Expect(skip).ToHaveAttributeAsync("href", "#main");
        await Expect(skip).ToHaveAccessibleNameAsync("Skip to content");
        // Visually hidden until focused: now it must show at a readable size.
        var box = await skip.BoundingBoxAsync();
        Assert.True(box is { Width: > 40, Height: > 20 }, $"The focused skip link is not visible: {box?.Width}×{box?.Height}");

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("main#main")).ToBeFocusedAsync();

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Dark_mode_chosen_with_the_toggle_is_still_on_after_a_reload()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/");
        var html = page.Locator("html");
        var toggle = page.Locator("[data-theme-toggle]");
        await Expect(html).ToHaveAttributeAsync("data-bs-theme", "light");
        await OpenMenuAsync(page);
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        // A toggle button keeps its name; only aria-pressed says whether it is on (WAI-ARIA APG, button pattern).
        await Expect(toggle).ToHaveAccessibleNameAsync("Dark mode");

        await ToggleThemeAsync(page, to: "dark");
        await Expect(toggle).ToHaveAccessibleNameAsync("Dark mode");
        Assert.Equal("dark", await page.EvaluateAsync<string?>("() => localStorage.getItem('ps-theme')"));

        await page.ReloadAsync();
        await Expect(page.Locator("html[data-bs-theme=dark]")).ToHaveCountAsync(1);
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        await OpenMenuAsync(page);
        await Expect(toggle).ToHaveAccessibleNameAsync("Dark mode");

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Dark_system_preference_starts_the_page_dark_while_no_theme_is_stored()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl, o => o.ColorScheme = ColorScheme.Dark);
        var page = phone.Page;
        await page.GotoAsync("/");

        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('ps-theme')"));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", "dark");
        await Expect(page.Locator("[data-theme-toggle]")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.AssertAccessibleAsync("dark system preference");
        // The menu opened without touching the theme button, so axe sees that button at rest (not hovered).
        await OpenMenuAsync(page);
        await page.AssertAccessibleAsync("dark system preference, menu open");

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Choosing_russian_in_the_footer_shows_the_page_in_russian_and_is_remembered_after_a_reload()
    {
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/account/login");
        var heading = page.GetByRole(AriaRole.Heading, new() { Level = 1 });
        await Expect(heading).ToHaveTextAsync("Staff sign-in");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        await page.Locator("#culture-select").SelectOptionAsync(new SelectOptionValue { Label = "Русский" });
        await page.Locator("footer").GetByRole(AriaRole.Button, new() { Name = "Apply" }).TapAsync();

        await Expect(heading).ToHaveTextAsync("Вход для сотрудников");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ru");
        Assert.EndsWith("/account/login", new Uri(page.Url).AbsolutePath);

        await page.ReloadAsync();
        await Expect(heading).ToHaveTextAsync("Вход для сотрудников");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ru");
        await Expect(page.Locator("#culture-select")).ToHaveValueAsync("ru");

        // Russian words are longer: the layout must still fit and stay accessible.
        await page.AssertAccessibleAsync("Russian");
        await page.AssertNoHorizontalScrollAsync("Russian");
        await OpenMenuAsync(page);
        await page.AssertNoHorizontalScrollAsync("Russian, menu open");

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task An_inline_script_is_refused_by_the_content_security_policy_and_the_console_check_reports_it()
    {
        // Proves the harness: contexts do not bypass CSP, and a violation fails AssertNoConsoleErrors.
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.GotoAsync("/");

        var refusal = await page.RunAndWaitForConsoleMessageAsync(
            () => page.EvaluateAsync("""
                () => {
                    const script = document.createElement('script');
                    script.textContent = 'document.body.dataset.injected = "ran"';
                    document.head.appendChild(script);
                }
                """),
            new() { Predicate = m => m.Type == "error" });

        Assert.Contains("Content Security Policy", refusal.Text);
        Assert.Null(await page.Locator("body").GetAttributeAsync("data-injected"));
        Assert.Contains(phone.Problems, p => p.Contains("Content Security Policy"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(phone.AssertNoConsoleErrors);
    }

    /// <summary>Opens the collapsed navbar and waits until Bootstrap's transition has finished.</summary>
    internal static async Task OpenMenuAsync(IPage page)
    {
        var toggler = page.Locator(".navbar-toggler");
        await Expect(toggler).ToBeVisibleAsync();
        await toggler.TapAsync();
        await Expect(toggler).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.Locator("#nav-menu")).ToHaveClassAsync(new Regex(@"\bshow\b"));
    }

    internal static async Task CloseMenuAsync(IPage page)
    {
        var toggler = page.Locator(".navbar-toggler");
        await toggler.TapAsync();
        await Expect(toggler).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(page.Locator("#nav-menu")).ToHaveClassAsync(new Regex(@"^(?!.*\b(show|collapsing)\b)"));
    }

    /// <summary>Taps the theme button (the menu must be open on a phone) and waits for the theme to change.</summary>
    internal static async Task ToggleThemeAsync(IPage page, string to)
    {
        await page.Locator("[data-theme-toggle]").TapAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", to);
        await Expect(page.Locator("[data-theme-toggle]")).ToHaveAttributeAsync("aria-pressed", to == "dark" ? "true" : "false");
    }
}
