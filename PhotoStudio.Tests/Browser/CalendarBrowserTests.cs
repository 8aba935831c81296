using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>The staff calendar on a phone: accessible in both themes, scrolling only inside the grid, htmx swaps and the live refresh.</summary>
[Collection("browser")]
public class CalendarBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    /// <summary>A live booking's id and local date, on a day with bookings in several rooms.</summary>
    private async Task<(int Id, string Day)> ABookingAsync()
    {
        await using var db = app.NewDb();
        var zone = TimeZoneInfo.FindSystemTimeZoneById((await db.Settings.SingleAsync()).TimeZone);
        var now = DateTime.UtcNow;
        var booking = await db.Bookings
            .Where(b => b.StartsAt > now && b.Status == BookingStatus.Confirmed)
            .OrderBy(b => b.StartsAt).Select(b => new { b.Id, b.StartsAt }).FirstAsync();
        return (booking.Id, TimeZoneInfo.ConvertTimeFromUtc(booking.StartsAt, zone).ToString("yyyy-MM-dd"));
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_calendar_on_a_phone_is_accessible_and_only_the_grid_scrolls_sideways(string theme)
    {
        var (_, day) = await ABookingAsync();
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl,
            o => o.ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        var page = phone.Page;
        await page.SignInAsync("reception@demo.studio");

        await page.GotoAsync($"/calendar?view=day&by=room&date={day}");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", theme);
        await Expect(page.Locator("table.cal-day a.cal-link").First).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, day by room");
        await page.AssertNoHorizontalScrollAsync($"{theme}, day by room");

        // The toolbar swaps the grid with htmx and keeps the state in the URL.
        await page.Locator("#cal-view").SelectOptionAsync("week");
        await Expect(page).ToHaveURLAsync(new Regex("view=week"));
        await Expect(page.Locator("table.cal-week")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, week by room");
        await page.AssertNoHorizontalScrollAsync($"{theme}, week by room");

        await page.Locator("#cal-by").SelectOptionAsync("photographer");
        await Expect(page).ToHaveURLAsync(new Regex("by=photographer"));
        await Expect(page.Locator("table.cal-week tbody th", new() { HasText = "Anna Lehmann" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, week by photographer");

        await page.Locator(".cal-nav a", new() { HasText = "Next week" }).TapAsync();
        await Expect(page.Locator("#cal-date")).Not.ToHaveValueAsync(day);
        await page.AssertAccessibleAsync($"{theme}, next week by photographer");
        await page.AssertNoHorizontalScrollAsync($"{theme}, next week by photographer");

        // A day without a single booking: the grid must still be reachable by keyboard to scroll it.
        await page.GotoAsync("/calendar?view=day&by=photographer&date=2031-06-02");
        await Expect(page.Locator("table.cal-day")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, an empty day");
        await page.AssertNoHorizontalScrollAsync($"{theme}, an empty day");

        phone.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_refresh_event_on_the_grid_fetches_it_again_from_its_own_url()
    {
        var (id, day) = await ABookingAsync();
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.SignInAsync("reception@demo.studio");
        await page.GotoAsync($"/calendar?view=week&by=room&date={day}");
        var link = page.Locator($"a[href='/board/bookings/{id}']");
        await Expect(link).ToHaveCountAsync(1);

        await using (var db = app.NewDb())
            await db.Bookings.Where(b => b.Id == id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BookingStatus.Cancelled));
        // What the board's event script does when a booking changes.
        await page.EvaluateAsync("() => document.querySelectorAll('[data-live-refresh]').forEach(e => htmx.trigger(e, 'refresh'))");

        await Expect(link).ToHaveCountAsync(0);
        await Expect(page).ToHaveURLAsync(new Regex($"view=week&by=room&date={day}$"));
        phone.AssertNoConsoleErrors();
    }
}
