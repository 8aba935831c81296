using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

public class RoomsTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static Dictionary<string, string> Valid(string name) => new()
    {
        ["Form.Name"] = name, ["Form.Description"] = "Bright and quiet.", ["Form.Capacity"] = "6", ["Form.HourlyRate"] = "55.50",
        ["Form.BufferBeforeMinutes"] = "10", ["Form.BufferAfterMinutes"] = "20", ["Form.Color"] = "#AABBCC",
    };

    private static async Task<IHtmlFormElement> FormAsync(HttpClient client, string url) =>
        (await client.GetDocumentAsync(url)).QuerySelector<IHtmlFormElement>("#room-form")!;

    private async Task<int> RoomIdAsync(string name)
    {
        await using var db = app.NewDb();
        return await db.Rooms.Where(r => r.Name == name).Select(r => r.Id).SingleAsync();
    }

    [Fact]
    public async Task A_new_room_is_saved_and_the_list_says_so()
    {
        var client = await app.SignedInClientAsync("admin@demo.studio");
        var response = await client.SubmitAsync(await FormAsync(client, "/admin/rooms/new"), Valid("Garden Studio"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/admin/rooms", response.Headers.Location!.OriginalString);
        var list = await client.GetDocumentAsync("/admin/rooms?q=Garden");
        Assert.Contains("Garden Studio", list.Single("#flash .alert").TextContent);
        Assert.Contains("Garden Studio", list.Single("#rooms-table tbody").TextContent);

        await using var db = app.NewDb();
        var room = await db.Rooms.SingleAsync(r => r.Name == "Garden Studio");
        Assert.Equal((6, 55.50m, 10, 20, "#aabbcc", true), (room.Capacity, room.HourlyRate, room.BufferBeforeMinutes, room.BufferAfterMinutes, room.Color, room.IsActive));
    }

    [Theory]
    [InlineData("Form.Name", "", "Enter a name.")]
    [InlineData("Form.Name", "daylight LOFT", "There is already one called")]
    [InlineData("Form.Capacity", "0", "Capacity must be between 1 and 500")]
    [InlineData("Form.HourlyRate", "-1", "The hourly rate must be between 0 and 100000")]
    [InlineData("Form.BufferBeforeMinutes", "-5", "A buffer must be between 0 and 240 minutes")]
    [InlineData("Form.BufferAfterMinutes", "241", "A buffer must be between 0 and 240 minutes")]
    [InlineData("Form.Color", "red", "Choose a colour written as #rrggbb")]
    public async Task Each_invalid_field_is_explained_next_to_it_and_nothing_is_saved(string field, string value, string message)
    {
        var client = await app.SignedInClientAsync("admin@demo.studio");
        await using var before = app.NewDb();
        var count = await before.Rooms.CountAsync();
        var values = Valid("Room with a mistake");
        values[field] = value;

        var response = await client.SubmitAsync(await FormAsync(client, "/admin/rooms/new"), values);

        var page = await FieldErrors.AssertRefusedAsync(response, field, value, message);
        // What else was typed is kept too.
        Assert.Equal("Bright and quiet.", page.QuerySelector<IHtmlTextAreaElement>("#Form_Description")!.Value);
        await using var after = app.NewDb();
        Assert.Equal(count, await after.Rooms.CountAsync());
    }

    [Fact]
    public async Task Under_htmx_an_invalid_form_answers_422_with_the_form_only()
    {
        var client = await app.SignedInClientAsync("manager@demo.studio");
        var values = Valid("");
        var response = await client.SubmitAsync(await FormAsync(client, "/admin/rooms/new"), values, htmx: true);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        var fragment = await response.ReadDocumentAsync();
        Assert.Contains("Enter a name.", fragment.Single("#room-editor #Form_Name-error").TextContent);
    }

    [Fact]
    public async Task A_save_over_someone_elses_answers_409_with_their_values_and_overwrites_nothing()
    {
        var id = await RoomIdAsync("Studio C");
        var first = await app.SignedInClientAsync("admin@demo.studio");
        var second = await app.SignedInClientAsync("manager@demo.studio");
        var firstForm = await FormAsync(first, $"/admin/rooms/{id}");
        var secondForm = await FormAsync(second, $"/admin/rooms/{id}");

        var saved = await first.SubmitAsync(firstForm, new Dictionary<string, string> { ["Form.Capacity"] = "14" });
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        var stale = await second.SubmitAsync(secondForm, new Dictionary<string, string> { ["Form.Capacity"] = "3" }, htmx: true);

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var fragment = await stale.ReadDocumentAsync();
        Assert.Contains("Someone else saved this room meanwhile", fragment.Single("#room-editor [role=alert]").TextContent);
        Assert.Equal("14", fragment.QuerySelector<IHtmlInputElement>("#Form_Capacity")!.Value);
        await using var db = app.NewDb();
        var room = await db.Rooms.SingleAsync(r => r.Id == id);
        Assert.Equal(14, room.Capacity);
        // The form now carries the current version: saving it again works.
        var again = await second.SubmitAsync(fragment.QuerySelector<IHtmlFormElement>("#room-form")!,
            new Dictionary<string, string> { ["Form.Capacity"] = "3" });
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
    }

    [Fact]
    public async Task An_edit_is_audited_with_old_and_new_values()
    {
        var id = await RoomIdAsync("Black Box");
        var client = await app.SignedInClientAsync("admin@demo.studio");
        var response = await client.SubmitAsync(await FormAsync(client, $"/admin/rooms/{id}"),
            new Dictionary<string, string> { ["Form.HourlyRate"] = "47.00" });
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        await using var db = app.NewDb();
        var entry = await db.AuditEntries.Where(e => e.EntityType == "Room" && e.EntityId == id.ToString() && e.Action == "updated")
            .OrderByDescending(e => e.Id).FirstAsync();
        Assert.Contains("\"HourlyRate\"", entry.Changes);
        Assert.Contains("45", entry.Changes);
        Assert.Contains("47", entry.Changes);
        Assert.Equal("admin@demo.studio", entry.ActorName);
    }

    [Fact]
    public async Task A_room_with_bookings_cannot_be_deleted_but_can_be_deactivated()
    {
        var id = await RoomIdAsync("Daylight Loft");
        var client = await app.SignedInClientAsync("admin@demo.studio");
        var page = await client.GetDocumentAsync($"/admin/rooms/{id}");
        Assert.Contains("cannot be deleted", page.Single("#delete-help").TextContent);
        Assert.Empty(page.QuerySelectorAll($"form[action='/admin/rooms/{id}/delete']"));
        var version = page.QuerySelector<IHtmlInputElement>("#Form_Version")!.Value;

        var delete = await client.HtmxAsync(HttpMethod.Post, $"/admin/rooms/{id}/delete", new Dictionary<string, string> { ["version"] = version });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, delete.StatusCode);
        Assert.Contains("cannot be deleted", (await delete.ReadDocumentAsync()).Single("#room-editor [role=alert]").TextContent);

        var deactivate = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>($"form[action='/admin/rooms/{id}/deactivate']")!);
        Assert.Equal(HttpStatusCode.SeeOther, deactivate.StatusCode);
        await using var db = app.NewDb();
        var room = await db.Rooms.SingleAsync(r => r.Id == id);
        Assert.False(room.IsActive);

        var reactivate = await client.SubmitAsync((await client.GetDocumentAsync($"/admin/rooms/{id}"))
            .QuerySelector<IHtmlFormElement>($"form[action='/admin/rooms/{id}/activate']")!);
        Assert.Equal(HttpStatusCode.SeeOther, reactivate.StatusCode);
        await using var again = app.NewDb();
        Assert.True((await again.Rooms.SingleAsync(r => r.Id == id)).IsActive);
    }

    [Fact]
    public async Task A_room_no_booking_uses_can_be_deleted()
    {
        var client = await app.SignedInClientAsync("admin@demo.studio");
        await client.SubmitAsync(await FormAsync(client, "/admin/rooms/new"), Valid("Temporary Room"));
        var id = await RoomIdAsync("Temporary Room");
        var page = await client.GetDocumentAsync($"/admin/rooms/{id}");

        var response = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>($"form[action='/admin/rooms/{id}/delete']")!);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        await using var db = app.NewDb();
        Assert.False(await db.Rooms.AnyAsync(r => r.Id == id));
    }

    [Fact]
    public async Task The_table_searches_filters_sorts_and_pages_from_its_address()
    {
        await using (var db = app.NewDb())
        {
            for (var i = 1; i <= 23; i++)
                db.Rooms.Add(new Room { Name = $"Pager Room {i:00}", Capacity = i, HourlyRate = 10 + i, IsActive = i % 5 != 0 });
            await db.SaveChangesAsync();
        }
        var client = await app.SignedInClientAsync("admin@demo.studio");
        static string[] Names(AngleSharp.Dom.IParentNode page) =>
            page.QuerySelectorAll("#rooms-table tbody td:first-child a").Select(a => a.TextContent.Trim()).ToArray();

        var search = await client.GetDocumentAsync("/admin/rooms?q=loft");
        Assert.Equal(["Daylight Loft"], Names(search));
        Assert.Equal("loft", search.QuerySelector<IHtmlInputElement>("#filter-q")!.Value);

        var inactive = await client.GetDocumentAsync("/admin/rooms?q=pager&active=inactive");
        Assert.Equal(["Pager Room 05", "Pager Room 10", "Pager Room 15", "Pager Room 20"], Names(inactive));

        var byCapacity = await client.GetDocumentAsync("/admin/rooms?q=pager&sort=capacity&dir=desc");
        Assert.Equal("Pager Room 23", Names(byCapacity)[0]);
        Assert.Equal("descending", byCapacity.Single("#rooms-table th[aria-sort]").GetAttribute("aria-sort"));
        Assert.Contains("Capacity", byCapacity.Single("#rooms-table th[aria-sort]").TextContent);
        var ascending = await client.GetDocumentAsync("/admin/rooms?q=pager&sort=capacity");
        Assert.Equal("Pager Room 01", Names(ascending)[0]);
        Assert.Equal("ascending", ascending.Single("#rooms-table th[aria-sort]").GetAttribute("aria-sort"));

        var first = await client.GetDocumentAsync("/admin/rooms?q=pager");
        Assert.Equal(20, Names(first).Length);
        var next = first.QuerySelectorAll("#rooms-table .pagination a").Single(a => a.TextContent.Contains("Next")).GetAttribute("href")!;
        Assert.Contains("page=2", next);
        Assert.Contains("q=pager", next);
        var second = await client.GetDocumentAsync(next);
        Assert.Equal(["Pager Room 21", "Pager Room 22", "Pager Room 23"], Names(second));

        var fragment = await client.HtmxAsync(HttpMethod.Get, "/admin/rooms?q=pager&page=2");
        Assert.Equal(HttpStatusCode.OK, fragment.StatusCode);
        Assert.Contains("HX-Request", fragment.Headers.Vary);
        var html = await fragment.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<html", html);
        Assert.StartsWith("<div id=\"rooms-table\"", html.Trim());

        foreach (var nonsense in new[] { "?sort=drop%20table&dir=sideways", "?page=-3", "?page=99999", "?active=maybe&q=%25_%5C" })
        {
            var response = await client.GetAsync("/admin/rooms" + nonsense);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_receptionist_may_not_manage_rooms_and_an_unknown_room_is_not_found()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        Assert.Equal(HttpStatusCode.Forbidden, (await reception.GetAsync("/admin/rooms")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reception.GetAsync("/admin/rooms/new")).StatusCode);

        var manager = await app.SignedInClientAsync("manager@demo.studio");
        Assert.Equal(HttpStatusCode.NotFound, (await manager.GetAsync("/admin/rooms/999999")).StatusCode);
        var nav = await manager.GetDocumentAsync("/admin/rooms");
        Assert.NotNull(nav.QuerySelector("nav a[href='/admin/rooms'][aria-current=page]"));
    }
}
