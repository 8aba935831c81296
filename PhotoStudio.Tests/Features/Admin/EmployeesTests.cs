using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

public class EmployeesTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string NewPassword = "violet marble kettle horizon";

    private static Dictionary<string, string> Person(string email, string access = "password", string? password = NewPassword) => new()
    {
        ["FullName"] = "Lena Hoffmann", ["Email"] = email, ["Phone"] = "+49 30 1234567", ["Position"] = "Photographer",
        ["Color"] = "#aa3366", ["Roles"] = "Photographer", ["Access"] = access, ["InitialPassword"] = password ?? "",
    };

    private static string Error(IHtmlDocument page, string field) => page.Single($"#{field}-error").TextContent.Trim();

    private async Task<int> EmployeeIdAsync(string email)
    {
        await using var db = app.NewDb();
        return await db.Employees.Where(e => e.User!.Email == email).Select(e => e.Id).SingleAsync();
    }

    [Fact]
    public async Task An_admin_adds_a_photographer_with_an_initial_password_which_must_be_changed_at_first_sign_in()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var response = await admin.SubmitAsync("/admin/employees/new", "#employee-form", Person("lena@demo.studio"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var id = await EmployeeIdAsync("lena@demo.studio");
        Assert.Equal($"/admin/employees/{id}", response.Headers.Location!.OriginalString);
        var page = await admin.GetDocumentAsync($"/admin/employees/{id}");
        Assert.Contains("Lena Hoffmann was added", page.Single("#flash").TextContent);
        Assert.Equal("Photographer", page.Single("#employee-form input[name=Roles][checked]").GetAttribute("value"));

        var lena = app.NewClient();
        await lena.SignInAsync("lena@demo.studio", NewPassword);
        var board = await lena.GetAsync("/board");
        Assert.Equal("/account/password", board.Headers.Location!.OriginalString);

        await using var db = app.NewDb();
        var created = await db.AuditEntries.Where(a => a.EntityType == "Employee" && a.Action == "created").Select(a => a.Changes).ToListAsync();
        Assert.Contains(created, changes => changes!.Contains("Lena Hoffmann"));
    }

    [Fact]
    public async Task A_set_up_link_is_shown_once_and_sets_the_password_once()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var response = await admin.SubmitAsync("/admin/employees/new", "#employee-form", Person("paul@demo.studio", "link", null));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var page = await admin.GetDocumentAsync(response.Headers.Location!.OriginalString);
        var link = new Uri(page.Single("#setup-link").GetAttribute("value")!);
        Assert.Null((await admin.GetDocumentAsync(response.Headers.Location!.OriginalString)).QuerySelector("#setup-link"));

        var paul = app.NewClient();
        var setUrl = link.PathAndQuery;
        var set = await paul.SubmitAsync(setUrl, "#setup-form", new Dictionary<string, string> { ["NewPassword"] = NewPassword, ["ConfirmPassword"] = NewPassword });
        Assert.Equal(HttpStatusCode.SeeOther, set.StatusCode);
        await paul.SignInAsync("paul@demo.studio", NewPassword);
        Assert.Equal(HttpStatusCode.OK, (await paul.GetAsync("/board")).StatusCode);

        var again = await app.NewClient().SubmitAsync(setUrl, "#setup-form", new Dictionary<string, string> { ["NewPassword"] = NewPassword + "x", ["ConfirmPassword"] = NewPassword + "x" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Contains("not valid any more", (await again.ReadDocumentAsync()).Single("#setup-form .alert").TextContent);
    }

    public static TheoryData<string, string, string, string> InvalidForms => new()
    {
        { "FullName", "", "FullName", "Please enter the full name." },
        { "Email", "not-an-email", "Email", "Please enter a valid email address." },
        { "Email", "anna@demo.studio", "Email", "Another account already uses this email address." },
        { "Roles", "", "Roles", "Choose at least one role." },
        { "InitialPassword", "", "InitialPassword", "Please enter an initial password" },
        { "InitialPassword", "short", "InitialPassword", "12" },
        { "Color", "red", "Color", "Please choose a colour." },
    };

    [Theory, MemberData(nameof(InvalidForms))]
    public async Task A_bad_field_is_named_next_to_it_the_input_is_kept_and_nothing_is_saved(string field, string value, string errorOf, string message)
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var form = Person($"bad-{Guid.NewGuid():N}@demo.studio");
        form[field] = value;
        await using var db = app.NewDb();
        var before = await db.Employees.CountAsync();

        var response = await admin.SubmitAsync("/admin/employees/new", "#employee-form", form);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains(message, Error(page, errorOf));
        Assert.Equal("+49 30 1234567", page.Single("#Phone").GetAttribute("value"));
        if (field != "FullName") Assert.Equal("Lena Hoffmann", page.Single("#FullName").GetAttribute("value"));
        Assert.Equal(before, await db.Employees.CountAsync());
    }

    [Fact]
    public async Task Two_admins_editing_at_once_never_overwrite_each_other_silently()
    {
        var id = await EmployeeIdAsync("maria@demo.studio");
        var first = await app.SignedInClientAsync("admin@demo.studio");
        var second = await app.SignedInClientAsync("admin@demo.studio");
        var formA = (IHtmlFormElement)(await first.GetDocumentAsync($"/admin/employees/{id}")).Single("#employee-form");
        var formB = (IHtmlFormElement)(await second.GetDocumentAsync($"/admin/employees/{id}")).Single("#employee-form");

        Assert.Equal(HttpStatusCode.SeeOther, (await first.SubmitAsync(formA, new Dictionary<string, string> { ["Position"] = "Head of retouching" })).StatusCode);
        var stale = await second.SubmitAsync(formB, new Dictionary<string, string> { ["Position"] = "Intern" });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var page = await stale.ReadDocumentAsync();
        Assert.Contains("Someone else saved this employee", page.Single(".alert-danger").TextContent);
        Assert.Equal("Head of retouching", page.Single("#Position").GetAttribute("value"));
        await using var db = app.NewDb();
        Assert.Equal("Head of retouching", await db.Employees.Where(e => e.Id == id).Select(e => e.Position).SingleAsync());
    }

    [Fact]
    public async Task A_deactivated_employee_cannot_sign_in_and_their_bookings_are_listed_for_reassignment()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, "ivan@demo.studio");
        var id = await EmployeeIdAsync("ivan@demo.studio");
        var ivan = app.NewClient();
        await ivan.SignInAsync("ivan@demo.studio");
        var admin = await app.SignedInClientAsync("admin@demo.studio");

        var response = await admin.SubmitAsync($"/admin/employees/{id}", "#active-form");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        var page = await admin.GetDocumentAsync($"/admin/employees/{id}");
        Assert.Contains("Bookings to reassign", page.Single("#upcoming-title").TextContent);
        Assert.NotNull(page.QuerySelector($"a[href='/board/bookings/{booking.Id}']"));
        var login = await app.NewClient().SubmitAsync("/account/login", "#login-form",
            new Dictionary<string, string> { ["Email"] = "ivan@demo.studio", ["Password"] = PhotoStudio.Data.Seeding.DemoSeeder.Password });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, login.StatusCode);
        Assert.Contains("incorrect", (await login.ReadDocumentAsync()).Single("#login-form .alert").TextContent);
        // The session Ivan already had ends at its next security check (stamp changed).
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Redirect, (await ivan.GetAsync("/board")).StatusCode);

        Assert.Equal(HttpStatusCode.SeeOther, (await admin.SubmitAsync($"/admin/employees/{id}", "#active-form")).StatusCode);
        await app.NewClient().SignInAsync("ivan@demo.studio");
    }

    [Fact]
    public async Task An_admin_cannot_deactivate_themselves_and_a_manager_may_look_but_not_change()
    {
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var self = await EmployeeIdAsync("admin@demo.studio");
        var refused = await admin.SubmitAsync($"/admin/employees/{self}", "#active-form");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("your own account", (await refused.ReadDocumentAsync()).Single(".alert-danger").TextContent);

        var manager = await app.SignedInClientAsync("manager@demo.studio");
        var page = await manager.GetDocumentAsync($"/admin/employees/{self}");
        Assert.NotNull(page.QuerySelector("#employee-form fieldset[disabled]"));
        Assert.Null(page.QuerySelector("#active-form"));
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/admin/employees/new")).StatusCode);
    }

    [Fact]
    public async Task Working_hours_take_several_intervals_a_day_and_refuse_overlaps_and_reversed_times()
    {
        var id = await EmployeeIdAsync("anna@demo.studio");
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var page = await admin.GetDocumentAsync($"/admin/employees/{id}/hours");
        var form = (IHtmlFormElement)page.Single("#hours-form");
        // Monday's rows come first: Anna's 09:00–17:00, then a blank one.
        var overlapping = await admin.SubmitAsync(form, new Dictionary<string, string>
        {
            ["rows[0].Starts"] = "09:00", ["rows[0].Ends"] = "13:00", ["rows[1].Starts"] = "12:00", ["rows[1].Ends"] = "18:00",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, overlapping.StatusCode);
        var answer = await overlapping.ReadDocumentAsync();
        Assert.Contains("must not overlap", answer.Single("#rows-1-error").TextContent);
        Assert.Equal("12:00", answer.Single("#rows-1-starts").GetAttribute("value"));

        var reversed = await admin.SubmitAsync(form, new Dictionary<string, string> { ["rows[0].Starts"] = "17:00", ["rows[0].Ends"] = "09:00" });
        Assert.Contains("after the start", (await reversed.ReadDocumentAsync()).Single("#rows-0-error").TextContent);

        var saved = await admin.SubmitAsync(form, new Dictionary<string, string>
        {
            ["rows[0].Starts"] = "08:00", ["rows[0].Ends"] = "12:00", ["rows[1].Starts"] = "13:00", ["rows[1].Ends"] = "19:00",
        });
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        await using var db = app.NewDb();
        var monday = await db.WorkingHours.Where(h => h.EmployeeId == id && h.Weekday == DayOfWeek.Monday).OrderBy(h => h.Starts)
            .Select(h => $"{h.Starts:HH\\:mm}-{h.Ends:HH\\:mm}").ToListAsync();
        Assert.Equal(["08:00-12:00", "13:00-19:00"], monday);

        // The form loaded before that save is stale now.
        var stale = await admin.SubmitAsync(form, new Dictionary<string, string> { ["rows[0].Starts"] = "10:00", ["rows[0].Ends"] = "11:00" });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    [Fact]
    public async Task Time_off_over_bookings_lists_them_before_saving()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, "maria@demo.studio");
        var id = await EmployeeIdAsync("maria@demo.studio");
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var day = booking.StartsAt.ToString("yyyy-MM-dd");
        var values = new Dictionary<string, string> { ["From"] = $"{day}T08:00", ["Until"] = $"{day}T20:00", ["Reason"] = "Dentist" };

        var first = await admin.SubmitAsync($"/admin/employees/{id}/time-off", "#time-off-form", values);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var page = await first.ReadDocumentAsync();
        Assert.NotNull(page.QuerySelector($".alert-warning a[href='/board/bookings/{booking.Id}']"));
        await using var db = app.NewDb();
        Assert.False(await db.TimeOff.AnyAsync(t => t.EmployeeId == id && t.Reason == "Dentist"));

        var confirmed = await admin.SubmitAsync((IHtmlFormElement)page.Single("#time-off-form"));
        Assert.Equal(HttpStatusCode.SeeOther, confirmed.StatusCode);
        Assert.True(await db.TimeOff.AnyAsync(t => t.EmployeeId == id && t.Reason == "Dentist"));

        var reversed = await admin.SubmitAsync($"/admin/employees/{id}/time-off", "#time-off-form",
            new Dictionary<string, string> { ["From"] = $"{day}T18:00", ["Until"] = $"{day}T08:00" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reversed.StatusCode);
        Assert.Contains("after the start", (await reversed.ReadDocumentAsync()).Single("#Until-error").TextContent);
    }

    [Fact]
    public async Task The_list_searches_filters_sorts_and_answers_htmx_with_the_table_only()
    {
        var manager = await app.SignedInClientAsync("manager@demo.studio");
        string[] Names(IHtmlDocument page) => page.QuerySelectorAll("#employees-table tbody td:first-child a").Select(a => a.TextContent).ToArray();

        Assert.Equal(["Anna Lehmann"], Names(await manager.GetDocumentAsync("/admin/employees?q=lehm")));
        var photographers = Names(await manager.GetDocumentAsync("/admin/employees?role=Photographer&sort=name"));
        Assert.Contains("Anna Lehmann", photographers);
        Assert.DoesNotContain("Sophie Wagner", photographers);
        var ascending = Names(await manager.GetDocumentAsync("/admin/employees?sort=name"));
        Assert.Equal(ascending.Order().ToArray(), ascending);
        Assert.Equal(ascending.Reverse().ToArray(), Names(await manager.GetDocumentAsync("/admin/employees?sort=name&dir=desc")));
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync("/admin/employees?sort=nonsense&page=-3&active=maybe")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync("/admin/employees?q=%00&role=%00")).StatusCode);

        var fragment = await manager.HtmxAsync(HttpMethod.Get, "/admin/employees?q=anna");
        Assert.Contains("HX-Request", fragment.Headers.Vary);
        Assert.DoesNotContain("<html", await fragment.Content.ReadAsStringAsync());
    }
}
