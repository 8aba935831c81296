using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

/// <summary>
/// Business hours, working hours and the database agree on one rule: an interval closes on the day it opens, so
/// 00:00 cannot close it. Both forms refuse it next to the field (422), never with the database's 500.
/// </summary>
public class MidnightClosingTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string Admin = "admin@demo.studio";

    [Fact]
    public async Task Business_hours_closing_at_00_00_are_refused_next_to_the_day_and_nothing_is_saved()
    {
        var client = await app.SignedInClientAsync(Admin);
        var form = (await client.GetDocumentAsync("/admin/settings")).QuerySelector<IHtmlFormElement>("#settings-form")!;

        var response = await client.SubmitAsync(form, new Dictionary<string, string> { ["Days[2].Opens[0]"] = "18:00", ["Days[2].Closes[0]"] = "00:00" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("use 23:59", (await response.ReadDocumentAsync()).Single("#Days-2-error").TextContent);
        await using var db = app.NewDb();
        Assert.DoesNotContain(db.BusinessHours, h => h.Weekday == DayOfWeek.Wednesday && h.Opens == new TimeOnly(18, 0));
    }

    [Fact]
    public async Task Working_hours_ending_at_00_00_are_refused_next_to_the_row_and_nothing_is_saved()
    {
        await using var db = app.NewDb();
        var anna = await db.Employees.Where(e => e.User!.Email == "anna@demo.studio").Select(e => e.Id).SingleAsync();
        async Task<List<(DayOfWeek, TimeOnly, TimeOnly)>> HoursAsync() =>
            (await db.WorkingHours.AsNoTracking().Where(h => h.EmployeeId == anna).Select(h => new { h.Weekday, h.Starts, h.Ends }).ToListAsync())
                .Select(h => (h.Weekday, h.Starts, h.Ends)).Order().ToList();
        var before = await HoursAsync();
        var client = await app.SignedInClientAsync(Admin);
        var form = (IHtmlFormElement)(await client.GetDocumentAsync($"/admin/employees/{anna}/hours")).Single("#hours-form");

        // Monday's first row: 18:00 until midnight.
        var response = await client.SubmitAsync(form, new Dictionary<string, string> { ["rows[0].Starts"] = "18:00", ["rows[0].Ends"] = "00:00" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains("use 23:59", page.Single("#rows-0-error").TextContent);
        Assert.Equal("00:00", page.Single("#rows-0-ends").GetAttribute("value"));
        Assert.Equal(before, await HoursAsync());
    }

    [Fact]
    public async Task Both_forms_take_23_59_as_the_latest_closing_time()
    {
        var client = await app.SignedInClientAsync(Admin);
        var settings = (await client.GetDocumentAsync("/admin/settings")).QuerySelector<IHtmlFormElement>("#settings-form")!;
        var saved = await client.SubmitAsync(settings, new Dictionary<string, string> { ["Days[6].Opens[0]"] = "18:00", ["Days[6].Closes[0]"] = "23:59" });
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);

        await using var db = app.NewDb();
        var ivan = await db.Employees.Where(e => e.User!.Email == "ivan@demo.studio").Select(e => e.Id).SingleAsync();
        var hours = (IHtmlFormElement)(await client.GetDocumentAsync($"/admin/employees/{ivan}/hours")).Single("#hours-form");
        // Ivan does not work Mondays: the first row is Monday's blank one.
        var worked = await client.SubmitAsync(hours, new Dictionary<string, string> { ["rows[0].Starts"] = "18:00", ["rows[0].Ends"] = "23:59" });
        Assert.Equal(HttpStatusCode.SeeOther, worked.StatusCode);

        Assert.Contains(db.BusinessHours, h => h.Weekday == DayOfWeek.Sunday && h.Closes == new TimeOnly(23, 59));
        Assert.Contains(db.WorkingHours, h => h.EmployeeId == ivan && h.Weekday == DayOfWeek.Monday && h.Ends == new TimeOnly(23, 59));
    }
}
