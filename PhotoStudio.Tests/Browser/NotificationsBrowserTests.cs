using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>/admin/notifications on a 360 px phone in both themes: accessible, never wider than the phone, filtered and re-sent by keyboard.</summary>
[Collection("browser")]
public class NotificationsBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_outbox_on_a_phone_is_accessible_filters_in_the_address_and_sends_again_by_keyboard(string theme)
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var failed = await app.AddNotificationAsync(booking.Id, NotificationStatus.Failed, kind: "received",
            lastError: "5.1.1 Mailbox unavailable: the address does not exist on this rather long server name", attempts: 8);
        await app.AddNotificationAsync(booking.Id, NotificationStatus.Sent, kind: "reminder-1440");
        await app.AddNotificationAsync(booking.Id, NotificationStatus.Pending, kind: "confirmed", createdAt: DateTime.UtcNow.AddMinutes(-30));
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl,
            o => o.ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        var page = phone.Page;
        await page.SignInAsync("admin@demo.studio", app.Clock);

        await page.GotoAsync("/admin/notifications");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", theme);
        await Expect(page.Locator($"#notification-{failed.Id}")).ToBeVisibleAsync();
        await Expect(page.Locator("#outbox-health [role=alert]")).ToContainTextAsync("messages waiting");
        await page.AssertAccessibleAsync($"{theme}, notifications");
        await page.AssertNoHorizontalScrollAsync($"{theme}, notifications");

        // The filter swaps the table over htmx and puts itself in the address.
        await page.Locator("#filter-status").SelectOptionAsync("Failed");
        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/notifications\?status=Failed$"));
        await Expect(page.Locator("#notifications-table tbody tr[data-status=Failed]").First).ToBeVisibleAsync();
        await Expect(page.Locator("#notifications-table tbody tr:not([data-status=Failed])")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync($"{theme}, notifications filtered");

        // Send again, from the keyboard: the view stays filtered and says what happened.
        await page.Locator($"#notification-{failed.Id} button").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#flash")).ToContainTextAsync("queued");
        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/notifications\?status=Failed$"));
        await Expect(page.Locator($"#notification-{failed.Id}")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync($"{theme}, sent again");
        await page.AssertNoHorizontalScrollAsync($"{theme}, sent again");

        phone.AssertNoConsoleErrors();
    }
}
