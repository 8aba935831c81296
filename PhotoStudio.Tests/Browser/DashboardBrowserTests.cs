using Microsoft.Playwright;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>
/// The owner's morning page: on a desktop screen the KPIs and charts at a glance, on a phone accessible in both themes,
/// charts included, nothing scrolls sideways.
/// </summary>
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

    private const int DesktopWidth = 1440, DesktopHeight = 900;

    /// <summary>With its table alternatives closed, the dashboard is at most this many desktop screens tall.</summary>
    private const double MostScreens = 2.5;

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_dashboard_fits_a_desktop_screen_with_its_kpis_and_first_chart_on_the_first(string theme)
    {
        await using var desktop = await browser.NewPhonePageAsync(app.BaseUrl, o =>
        {
            o.ViewportSize = new() { Width = DesktopWidth, Height = DesktopHeight };
            o.IsMobile = false;
            o.HasTouch = false;
            o.ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light;
        });
        var page = desktop.Page;
        await page.SignInAsync("manager@demo.studio", app.Clock);

        await page.GotoAsync("/admin?range=30d");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", theme);
        await Expect(page.Locator("svg#chart-per-day")).ToBeVisibleAsync();
        Assert.True(await page.Locator("details").CountAsync() > 0, "the charts' table alternatives are missing");
        Assert.Equal(0, await page.Locator("details[open]").CountAsync());
        await ScreenshotAsync(page, $"{theme}-{DesktopWidth}");

        var height = await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
        Assert.True(height <= MostScreens * DesktopHeight,
            $"The dashboard is {height} px tall at {DesktopWidth} × {DesktopHeight}: more than {MostScreens} screens.");
        // Every KPI and the first chart within the first screen, without scrolling.
        foreach (var selector in new[] { "#kpi-total", "#kpi-returning-clients", ".dash-kpis", "svg#chart-per-day" })
        {
            var box = await page.Locator(selector).First.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Y + box.Height <= DesktopHeight, $"{selector} ends at {box.Y + box.Height:0} px, below the first screen");
        }
        // The chart keeps its fixed height whatever the page's width (it used to grow with it).
        var chart = await page.Locator("svg#chart-per-day").BoundingBoxAsync();
        Assert.InRange(chart!.Height, 100, 220);
        await page.AssertAccessibleAsync($"{theme}, desktop dashboard");

        await page.SetViewportSizeAsync(PhonePage.Width, 780);
        await Expect(page.Locator("svg#chart-per-day")).ToBeVisibleAsync();
        await page.AssertNoHorizontalScrollAsync($"{theme}, dashboard at {PhonePage.Width} px");
        await ScreenshotAsync(page, $"{theme}-{PhonePage.Width}");
        await ScreenshotAsync(page, $"{theme}-{PhonePage.Width}-first-screens", new() { X = 0, Y = 0, Width = PhonePage.Width, Height = 1600 });
        desktop.AssertNoConsoleErrors();
    }

    /// <summary>Screenshots for a person to look at, when PHOTOSTUDIO_SCREENSHOTS names a folder (nothing is asserted on them).</summary>
    private static async Task ScreenshotAsync(IPage page, string name, Clip? clip = null)
    {
        if (Environment.GetEnvironmentVariable("PHOTOSTUDIO_SCREENSHOTS") is not { Length: > 0 } folder) return;
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"dash-{name}.png"), FullPage = true, Clip = clip });
    }
}
