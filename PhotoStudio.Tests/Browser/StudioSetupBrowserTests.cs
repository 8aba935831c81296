using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

/// <summary>
/// An admin brings a new photographer into the studio with the admin pages only, and the public wizard follows:
/// hours and a service make their slots appear, time off makes them disappear. Every admin page on the way is axe-checked.
/// </summary>
[Collection("browser")]
public class StudioSetupBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    private const string Password = "violet marble kettle horizon";

    /// <summary>Free days offered for the new service in this month and the next, as a client sees them.</summary>
    private static async Task<int> FreeDaysAsync(IPage client, string service)
    {
        await client.GotoAsync("/book");
        await client.Locator(".form-check", new() { Has = client.Locator("input[name=serviceId]"), HasText = service })
            .First.Locator("input[name=serviceId]").CheckAsync();
        await client.Locator("form[action='/book'] button[type=submit]").TapAsync();
        await Expect(client.Locator("#photographer-any")).ToBeVisibleAsync();
        await client.Locator("#room-any").CheckAsync();
        await client.Locator("#photographer-any").CheckAsync();
        await client.Locator("form[action='/book/with'] button[type=submit]").TapAsync();
        await Expect(client.Locator("#month-heading")).ToBeVisibleAsync();
        var days = await client.Locator("a.day-free").CountAsync();
        var heading = await client.Locator("#month-heading").TextContentAsync();
        await client.Locator("#when a[aria-label='Next month']").TapAsync();
        await Expect(client.Locator("#month-heading")).Not.ToHaveTextAsync(heading!);
        return days + await client.Locator("a.day-free").CountAsync();
    }

    [Fact]
    public async Task A_new_photographer_with_hours_and_a_service_gets_bookable_slots_and_time_off_takes_them_away()
    {
        await using var admin = await browser.NewPhonePageAsync(app.BaseUrl, o => o.ViewportSize = new() { Width = 1280, Height = 900 });
        var page = admin.Page;
        await page.SignInAsync("admin@demo.studio", app.Clock);

        await page.GotoAsync("/admin/employees");
        await page.AssertAccessibleAsync("employees");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add an employee" }).ClickAsync();
        await page.Locator("#employee-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#FullName-error")).ToContainTextAsync("Please enter the full name.");
        await page.AssertAccessibleAsync("new employee, errors shown");

        await page.Locator("#FullName").FillAsync("Greta Stein");
        await page.Locator("#Email").FillAsync("greta@demo.studio");
        await page.Locator("#access-password").CheckAsync();
        await page.Locator("#InitialPassword").FillAsync(Password);
        await page.Locator("#employee-form button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/employees/\d+$"));
        var employeeUrl = new Uri(page.Url).AbsolutePath;
        await Expect(page.Locator("#flash")).ToContainTextAsync("Greta Stein was added.");
        await page.AssertAccessibleAsync("employee page");

        await page.GetByRole(AriaRole.Link, new() { Name = "Working hours" }).ClickAsync();
        for (var day = 0; day < 5; day++) // Monday to Friday, the first row of each day
        {
            await page.Locator($"#rows-{day}-starts").FillAsync("09:00");
            await page.Locator($"#rows-{day}-ends").FillAsync("17:00");
        }
        await page.Locator("#hours-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#flash")).ToContainTextAsync("Working hours saved.");
        await page.AssertAccessibleAsync("working hours");

        await page.GotoAsync("/admin/services/new");
        await page.Locator("#Form_Name").FillAsync("Greta's headshots");
        await page.Locator("#Form_DurationMinutes").FillAsync("60");
        await page.Locator("#Form_Price").FillAsync("99");
        await page.Locator("#Form_NeedsPhotographer").CheckAsync();
        await page.Locator("#Form_RoomIds").GetByLabel("Daylight Loft").CheckAsync();
        await page.Locator("#Form_EmployeeIds").GetByLabel("Greta Stein").CheckAsync();
        await page.Locator("#service-form button[type=submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/services$"));

        await using var visitor = await browser.NewPhonePageAsync(app.BaseUrl);
        Assert.True(await FreeDaysAsync(visitor.Page, "Greta's headshots") > 0, "no free day for the new photographer's service");

        await page.GotoAsync(employeeUrl + "/time-off");
        await page.AssertAccessibleAsync("time off");
        var today = DateTime.UtcNow.Date;
        await page.Locator("#From").FillAsync($"{today:yyyy-MM-dd}T00:00");
        await page.Locator("#Until").FillAsync($"{today.AddDays(75):yyyy-MM-dd}T00:00");
        await page.Locator("#Reason").FillAsync("Sabbatical");
        await page.Locator("#time-off-form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#flash")).ToContainTextAsync("Time off added.");

        Assert.Equal(0, await FreeDaysAsync(visitor.Page, "Greta's headshots"));
        admin.AssertNoConsoleErrors(new Regex(@"422.*/admin/employees/new"));
        visitor.AssertNoConsoleErrors();
    }
}
