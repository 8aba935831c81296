using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

public partial class SettingsTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string Admin = "admin@demo.studio";

    private const string TwentyOneRecipients = "s1@lumen.example\ns2@lumen.example\ns3@lumen.example\ns4@lumen.example\ns5@lumen.example\n" +
        "s6@lumen.example\ns7@lumen.example\ns8@lumen.example\ns9@lumen.example\ns10@lumen.example\ns11@lumen.example\n" +
        "s12@lumen.example\ns13@lumen.example\ns14@lumen.example\ns15@lumen.example\ns16@lumen.example\ns17@lumen.example\n" +
        "s18@lumen.example\ns19@lumen.example\ns20@lumen.example\ns21@lumen.example";

    private async Task<(HttpClient Client, IHtmlFormElement Form)> SettingsFormAsync(string form = "#settings-form")
    {
        var client = await app.SignedInClientAsync(Admin);
        var page = await client.GetDocumentAsync("/admin/settings");
        return (client, page.QuerySelector<IHtmlFormElement>(form)!);
    }

    private async Task<PhotoStudio.Data.StudioSettings> SettingsAsync()
    {
        await using var db = app.NewDb();
        return await db.Settings.AsNoTracking().SingleAsync();
    }

    [Fact]
    public async Task An_admin_saves_the_settings_and_business_hours_in_one_audited_change()
    {
        var (client, form) = await SettingsFormAsync();
        var response = await client.SubmitAsync(form, new Dictionary<string, string>
        {
            ["Name"] = "Lumen Studio Nord", ["Currency"] = "CHF", ["SlotStepMinutes"] = "15", ["AutoConfirm"] = "true",
            ["Days[6].Opens[0]"] = "11:00", ["Days[6].Closes[0]"] = "15:00", // open on Sundays
        });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/admin/settings", response.Headers.Location!.OriginalString);

        var settings = await SettingsAsync();
        Assert.Equal(("Lumen Studio Nord", "CHF", 15, true), (settings.Name, settings.Currency, settings.SlotStepMinutes, settings.AutoConfirm));
        await using var db = app.NewDb();
        Assert.Contains(db.BusinessHours, h => h.Weekday == DayOfWeek.Sunday && h.Opens == new TimeOnly(11, 0) && h.Closes == new TimeOnly(15, 0));
        Assert.Contains(db.AuditEntries, e => e.EntityType == "StudioSettings" && e.Action == "updated" && e.Changes!.Contains("Lumen Studio Nord"));
        Assert.Contains(db.AuditEntries, e => e.EntityType == "BusinessHours" && e.Action == "created" && e.ActorName == Admin);

        var page = await client.GetDocumentAsync("/admin/settings");
        Assert.Contains("Settings saved.", page.Single("#flash").TextContent);
        Assert.Equal("Lumen Studio Nord", page.QuerySelector<IHtmlInputElement>("#Name")!.Value);
        Assert.Equal("11:00", page.QuerySelector<IHtmlInputElement>("#Days-6")!.Value);
    }

    [Theory]
    [InlineData("TimeZone", "Mars/Olympus_Mons", "TimeZone", "time zone from the list")]
    [InlineData("Currency", "euro", "Currency", "three-letter currency code")]
    [InlineData("SlotStepMinutes", "7", "SlotStepMinutes", "divide a day evenly")]
    [InlineData("SlotStepMinutes", "300", "SlotStepMinutes", "between 5 and 240")]
    [InlineData("Email", "not-an-email", "Email", "valid email")]
    [InlineData("Name", "", "Name", "Enter the studio's name.")]
    [InlineData("Days[0].Opens[1]", "12:00", "Days-0", "must not overlap")]
    [InlineData("Days[1].Opens[0]", "20:00", "Days-1", "open before it closes")]
    [InlineData("Days[2].Closes[0]", "00:00", "Days-2", "open before it closes")]
    [InlineData("Days[3].Opens[1]", "21:00", "Days-3", "both an opening and a closing time")]
    [InlineData("SenderEmail", "not-an-email", "SenderEmail", "valid email")]
    [InlineData("SenderEmail", "a@b@c.example", "SenderEmail", "valid email")]
    [InlineData("StaffRecipients", "desk@lumen.example\nnot an address", "StaffRecipients", "“not an address” is not a valid email address.")]
    [InlineData("StaffRecipients", TwentyOneRecipients, "StaffRecipients", "at most 20 addresses")]
    [InlineData("ReminderOffsets", "24h, soon", "ReminderOffsets", "for example 24h, 2h or 30m")]
    [InlineData("ReminderOffsets", "10m", "ReminderOffsets", "between 15 minutes and 14 days")]
    [InlineData("ReminderOffsets", "15d", "ReminderOffsets", "between 15 minutes and 14 days")]
    [InlineData("ReminderOffsets", "99999999999h", "ReminderOffsets", "for example 24h, 2h or 30m")]
    [InlineData("ReminderOffsets", "1h, 2h, 3h, 4h, 5h, 6h", "ReminderOffsets", "at most 5 reminders")]
    [InlineData("ExpirePendingAfterHours", "8761", "ExpirePendingAfterHours", "between 0 and 8760 hours")]
    [InlineData("ExpirePendingAfterHours", "-1", "ExpirePendingAfterHours", "between 0 and 8760 hours")]
    [InlineData("MaxSendAttempts", "0", "MaxSendAttempts", "between 1 and 50 attempts")]
    [InlineData("MaxSendAttempts", "51", "MaxSendAttempts", "between 1 and 50 attempts")]
    public async Task A_wrong_value_is_refused_next_to_its_field_with_the_input_kept_and_nothing_saved(
        string field, string value, string id, string message)
    {
        var before = await SettingsAsync();
        var (client, form) = await SettingsFormAsync();
        var values = new Dictionary<string, string> { ["Address"] = "Typed and kept 1", [field] = value };
        if (field == "Days[0].Opens[1]") values["Days[0].Closes[1]"] = "14:00"; // 12–14 inside 9–20

        var response = await client.SubmitAsync(form, values);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains(message, page.Single($"#{id}-error").TextContent);
        var input = page.Single($"#{id}");
        Assert.Contains("is-invalid", input.ClassName);
        Assert.Contains($"{id}-error", input.GetAttribute("aria-describedby"));
        Assert.Contains(message, page.Single("#settings-form [role=alert]").TextContent);
        Assert.Equal($"#{id}", page.QuerySelector("#settings-form [role=alert] a")!.GetAttribute("href"));
        Assert.Equal("Typed and kept 1", page.QuerySelector<IHtmlInputElement>("#Address")!.Value);
        var kept = page.QuerySelector($"[name='{field}']")!;
        Assert.Equal(value, kept switch
        {
            IHtmlSelectElement select => select.Value,
            IHtmlTextAreaElement area => area.Value.Replace("\r\n", "\n"),
            _ => ((IHtmlInputElement)kept).Value,
        });

        var after = await SettingsAsync();
        Assert.Equal((before.Version, before.Address), (after.Version, after.Address));
    }

    [Fact]
    public async Task A_missing_time_zone_is_a_field_error_not_a_crash()
    {
        var (client, form) = await SettingsFormAsync();

        var response = await client.SubmitAsync(form, new Dictionary<string, string> { ["TimeZone"] = "" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains("Choose a time zone.", page.Single("#TimeZone-error").TextContent);
    }

    [Fact]
    public async Task Under_htmx_an_invalid_form_answers_422_with_the_form_fragment()
    {
        var (client, form) = await SettingsFormAsync();
        var response = await client.SubmitAsync(form, new Dictionary<string, string> { ["Currency"] = "eu" }, htmx: true);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        var fragment = await response.ReadDocumentAsync();
        Assert.NotNull(fragment.QuerySelector("form#settings-form"));
        Assert.Contains("three-letter", fragment.Single("#Currency-error").TextContent);
    }

    [Fact]
    public async Task A_stale_save_gets_409_with_the_current_values_and_overwrites_nothing()
    {
        var (client, form) = await SettingsFormAsync();
        // Someone else saves in between, through the page too.
        var (other, otherForm) = await SettingsFormAsync();
        Assert.Equal(HttpStatusCode.SeeOther, (await other.SubmitAsync(otherForm, new Dictionary<string, string> { ["Phone"] = "+49 30 111 222" })).StatusCode);

        var response = await client.SubmitAsync(form, new Dictionary<string, string> { ["Phone"] = "+49 30 999 999", ["Name"] = "Mine" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains("Someone else saved the settings", page.Single("#settings-form [role=alert]").TextContent);
        Assert.Equal("+49 30 111 222", page.QuerySelector<IHtmlInputElement>("#Phone")!.Value);
        var settings = await SettingsAsync();
        Assert.Equal("+49 30 111 222", settings.Phone);
        Assert.NotEqual("Mine", settings.Name);
        // The page now carries the current version: saving again works.
        var again = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#settings-form")!,
            new Dictionary<string, string> { ["Phone"] = "+49 30 999 999" });
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
    }

    [Fact]
    public async Task A_closure_on_a_day_with_free_times_takes_them_off_the_booking_pages_at_once_and_can_be_removed()
    {
        var (visitor, start) = await WizardTests.ChooseATimeAsync(app);
        var day = start[..10];
        Assert.NotEmpty((await visitor.GetDocumentAsync("/book/when?day=" + day)).QuerySelectorAll("#slots-form button.slot"));

        var (admin, form) = await SettingsFormAsync("#closure-form");
        var response = await admin.SubmitAsync(form, new Dictionary<string, string> { ["FirstDay"] = day, ["LastDay"] = day, ["Reason"] = "Roof repair" });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        Assert.Empty((await visitor.GetDocumentAsync("/book/when?day=" + day)).QuerySelectorAll("#slots-form button.slot"));
        await using var db = app.NewDb();
        var closure = await db.Closures.SingleAsync(c => c.Reason == "Roof repair");
        Assert.Contains(db.AuditEntries, e => e.EntityType == "Closure" && e.EntityId == closure.Id.ToString() && e.Action == "created");

        var page = await admin.GetDocumentAsync("/admin/settings");
        Assert.Contains("Roof repair", page.Single("#closure-list").TextContent);
        var remove = page.QuerySelector<IHtmlFormElement>($"form[action='/admin/settings/closures/{closure.Id}/delete']")!;
        Assert.Equal(HttpStatusCode.SeeOther, (await admin.SubmitAsync(remove)).StatusCode);
        Assert.NotEmpty((await visitor.GetDocumentAsync("/book/when?day=" + day)).QuerySelectorAll("#slots-form button.slot"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SubmitAsync(remove)).StatusCode);
    }

    [Fact]
    public async Task Shorter_business_hours_change_the_free_times_at_once()
    {
        var (visitor, _) = await WizardTests.ChooseATimeAsync(app);
        // A day whose offer has a start between 16:00 and 16:30 and one outside 16:00-18:00. Which day that is depends
        // on the hour the suite runs (today's times inside the minimum notice are not offered), so it is looked for:
        // narrowing the hours to 16:00-18:00 must keep the one and drop the other.
        var (day, _) = await DayOfferingAsync(visitor, times =>
            times.Any(t => t >= new TimeOnly(16, 0) && t <= new TimeOnly(16, 30)) && times.Any(t => t < new TimeOnly(16, 0) || t >= new TimeOnly(18, 0)));
        var index = ((int)day.DayOfWeek + 6) % 7; // Monday first
        var (admin, form) = await SettingsFormAsync();
        var response = await admin.SubmitAsync(form, new Dictionary<string, string>
        {
            [$"Days[{index}].Opens[0]"] = "16:00", [$"Days[{index}].Closes[0]"] = "18:00",
        });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        var page = await visitor.GetDocumentAsync("/book/when?day=" + day.ToString("yyyy-MM-dd"));
        var slots = SlotTimes(page);
        Assert.True(slots.Count > 0, $"no times on {day} after the change:\n{page.QuerySelector("#when")?.TextContent}");
        Assert.All(slots, s => Assert.InRange(s, new TimeOnly(16, 0), new TimeOnly(17, 59)));
    }

    private static List<TimeOnly> SlotTimes(IHtmlDocument page) =>
        [.. page.QuerySelectorAll<IHtmlButtonElement>("#slots-form button.slot").Select(b => TimeOnly.Parse(b.TextContent.Trim()))];

    /// <summary>The first free day of this month or the next whose offered times (studio time) satisfy <paramref name="wanted"/>.</summary>
    private static async Task<(DateOnly Day, List<TimeOnly> Times)> DayOfferingAsync(HttpClient visitor, Func<List<TimeOnly>, bool> wanted)
    {
        var month = await visitor.GetDocumentAsync("/book/when");
        for (var m = 0; m < 2; m++)
        {
            foreach (var link in month.QuerySelectorAll("a.day-free").Select(a => a.GetAttribute("href")!))
            {
                var times = SlotTimes(await visitor.GetDocumentAsync(link));
                if (wanted(times)) return (DateOnly.ParseExact(link[^10..], "yyyy-MM-dd", CultureInfo.InvariantCulture), times);
            }
            var next = month.QuerySelectorAll("#when > div:first-child > a").LastOrDefault();
            if (next is null) break;
            month = await visitor.GetDocumentAsync(next.GetAttribute("href")!);
        }
        throw new Xunit.Sdk.XunitException("no day this month or the next offers the times the test needs");
    }

    [Fact]
    public async Task A_closure_ending_before_it_starts_is_refused_next_to_its_field_and_nothing_is_added()
    {
        await using var db = app.NewDb();
        var count = await db.Closures.CountAsync();
        var (client, form) = await SettingsFormAsync("#closure-form");
        var response = await client.SubmitAsync(form, new Dictionary<string, string>
        {
            ["FirstDay"] = "2031-03-10", ["LastDay"] = "2031-03-05", ["Reason"] = "Kept reason",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains("cannot be before the first day", page.Single("#LastDay-error").TextContent);
        Assert.Contains("is-invalid", page.Single("#LastDay").ClassName);
        Assert.Equal("2031-03-10", page.QuerySelector<IHtmlInputElement>("#FirstDay")!.Value);
        Assert.Equal("Kept reason", page.QuerySelector<IHtmlInputElement>("#Reason")!.Value);
        Assert.Null(page.QuerySelector("#settings-form [role=alert]"));
        Assert.Equal(count, await db.Closures.CountAsync());
    }

    [Fact]
    public async Task The_two_factor_roles_are_shown_with_a_link_to_the_roles_page()
    {
        var client = await app.SignedInClientAsync(Admin);
        var page = await client.GetDocumentAsync("/admin/settings");
        Assert.Contains("Admin: required", page.Single("#two-factor-roles").TextContent);
        Assert.NotNull(page.QuerySelector("a[href='/admin/roles']"));
    }

    [Theory]
    [InlineData("manager@demo.studio")]
    [InlineData("reception@demo.studio")]
    public async Task Staff_without_settings_manage_may_not_open_the_page(string email)
    {
        var client = await app.SignedInClientAsync(email);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/settings")).StatusCode);
    }
}
