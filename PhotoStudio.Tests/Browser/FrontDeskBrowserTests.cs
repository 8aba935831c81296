using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>The front desk's form in a browser: a phone booking for a returning client by keyboard alone, and accessibility.</summary>
[Collection("browser")]
public class FrontDeskBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    private const string Receptionist = "reception@demo.studio";

    /// <summary>A fragment request that a newer one replaced (htmx's hx-sync) while the user was still typing.</summary>
    private static readonly Regex Superseded = new(@"request failed: GET \S+/board/new/(times|clients)\?\S*: net::ERR_ABORTED");

    private async Task<Client> ReturningClientAsync(string name, string phone)
    {
        await using var db = app.NewDb();
        var client = new Client { Name = name, Email = $"{Guid.NewGuid():N}@returning.test", Phone = phone, CreatedAt = DateTime.UtcNow };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client;
    }

    /// <summary>Presses Tab until the element matching <paramref name="selector"/> has the focus (a keyboard user's way there).</summary>
    private static async Task TabToAsync(IPage page, string selector, int most = 40)
    {
        for (var i = 0; i < most; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement && document.activeElement.matches(s)", selector)) return;
        }
        Assert.Fail($"{selector} never got the focus in {most} presses of Tab.");
    }

    [Fact]
    public async Task A_phone_booking_for_a_returning_client_is_made_with_the_keyboard_alone()
    {
        var returning = await ReturningClientAsync("Keyboard Returning", "+49 30 999 4321");
        await using var desk = await browser.NewPhonePageAsync(app.BaseUrl, o =>
        {
            o.ViewportSize = new() { Width = 1280, Height = 900 };
            o.IsMobile = false;
            o.HasTouch = false;
            o.Locale = "en-US";
        });
        var page = desk.Page;
        await page.SignInAsync(Receptionist, app.Clock);
        await page.GotoAsync("/board/new");
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'");

        // The client field has the focus: type part of the phone number, arrow down to the suggestion, Enter.
        await Expect(page.Locator("#ClientQuery")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("9994321");
        await Expect(page.Locator("#client-listbox [role=option]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#ClientQuery")).ToHaveAttributeAsync("aria-expanded", "true");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.Locator("#ClientQuery")).ToHaveAttributeAsync("aria-activedescendant", $"client-option-{returning.Id}");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#client-chosen")).ToContainTextAsync("Keyboard Returning");
        await Expect(page.Locator("#client-id")).ToHaveValueAsync(returning.Id.ToString());
        await Expect(page).ToHaveURLAsync(new Regex("/board/new$")); // Enter chose; it did not submit

        // The session by typing its name, then the date typed into the date field (month, day, year).
        await TabToAsync(page, "#ServiceId");
        await page.Keyboard.TypeAsync("Portrait");
        await Expect(page.Locator("#ServiceId option:checked")).ToContainTextAsync("Portrait session");
        await TabToAsync(page, "#Date");
        await page.Keyboard.TypeAsync("03012032");
        await Expect(page.Locator("#Date")).ToHaveValueAsync("2032-03-01");
        await Expect(page.Locator("#times legend")).ToContainTextAsync("2032");

        // The first free time: Tab into the group of times, Space chooses it.
        await Expect(page.Locator("#time-1000")).ToHaveCountAsync(1);
        await TabToAsync(page, "input[name=Time]");
        await page.Keyboard.PressAsync("Space");
        var chosen = await page.EvaluateAsync<string>("() => document.activeElement.value");
        await Expect(page.Locator($"input[name=Time][value='{chosen}']")).ToBeCheckedAsync();

        await TabToAsync(page, "#book-button");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(new Regex(@"/board\?range=dates&from=2032-03-01&to=2032-03-01&open=\d+$"));
        await Expect(page.Locator("#panel .booking-details")).ToContainTextAsync("Keyboard Returning");
        await Expect(page.Locator("#flash")).ToContainTextAsync("created.");
        await using var db = app.NewDb();
        var booking = await db.Bookings.SingleAsync(b => b.ClientId == returning.Id);
        Assert.Equal(("phone", BookingStatus.Confirmed), (booking.Source, booking.Status));
        desk.AssertNoConsoleErrors(Superseded);
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_form_on_a_phone_is_accessible_with_and_without_suggestions(string theme)
    {
        await ReturningClientAsync($"Axe Returning {theme}", "+49 30 111 2233");
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl,
            o => o.ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        var page = phone.Page;
        await page.SignInAsync(Receptionist);
        await page.GotoAsync("/board/new?date=2032-03-08");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", theme);
        await Expect(page.Locator("#time-1000")).ToHaveCountAsync(1);
        await page.AssertAccessibleAsync($"{theme}, the form");
        await page.AssertNoHorizontalScrollAsync($"{theme}, the form");

        await page.Locator("#ClientQuery").FillAsync($"Axe Returning {theme}");
        await Expect(page.Locator("#client-listbox [role=option]")).ToHaveCountAsync(1);
        await page.AssertAccessibleAsync($"{theme}, suggestions open");

        // Without JavaScript's help: the search posts the form back with the matches as radio choices and the errors shown.
        await page.Locator("#ClientQuery").FillAsync($"Axe Returning {theme}");
        await page.Locator("button[name=Intent][value=refresh]").First.ClickAsync();
        await Expect(page.Locator("#client-matches input[type=radio]")).ToHaveCountAsync(2);
        await page.Locator("#book-button").ClickAsync();
        await Expect(page.Locator("#error-summary")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync($"{theme}, errors shown");
        await page.AssertNoHorizontalScrollAsync($"{theme}, errors shown");
        phone.AssertNoConsoleErrors(Superseded, new Regex(@"(answered 422: POST|status of 422 \(Unprocessable Entity\) \(at) \S+/board/new\b"));
    }
}
