using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Admin;

public class ServicesTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static async Task<IHtmlFormElement> FormAsync(HttpClient client, string url) =>
        (await client.GetDocumentAsync(url)).QuerySelector<IHtmlFormElement>("#service-form")!;

    /// <summary>The form with fields set and the given rooms and photographers ticked (checkboxes repeat their name).</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, IHtmlFormElement form, Dictionary<string, string> values,
        int[] rooms, int[] employees, bool htmx = false)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]").Where(i => i.Type is not "checkbox"))
            if (!values.ContainsKey(input.Name!)) fields.Add(new(input.Name!, input.Value));
        foreach (var area in form.QuerySelectorAll<IHtmlTextAreaElement>("textarea[name]"))
            if (!values.ContainsKey(area.Name!)) fields.Add(new(area.Name!, area.Value));
        fields.AddRange(values);
        fields.AddRange(rooms.Select(r => new KeyValuePair<string, string>("Form.RoomIds", r.ToString())));
        fields.AddRange(employees.Select(e => new KeyValuePair<string, string>("Form.EmployeeIds", e.ToString())));
        var request = new HttpRequestMessage(HttpMethod.Post, form.GetAttribute("action")) { Content = new FormUrlEncodedContent(fields) };
        if (htmx) request.Headers.Add("HX-Request", "true");
        return await client.SendAsync(request);
    }

    private static Dictionary<string, string> Valid(string name) => new()
    {
        ["Form.Name"] = name, ["Form.Description"] = "Pictures for your CV.", ["Form.DurationMinutes"] = "30",
        ["Form.Price"] = "59.00", ["Form.NeedsPhotographer"] = "true",
    };

    private async Task<(int[] Rooms, int[] Employees)> ChoicesAsync()
    {
        await using var db = app.NewDb();
        var rooms = await db.Rooms.Where(r => r.Name == "Black Box" || r.Name == "Studio C").OrderBy(r => r.Name).Select(r => r.Id).ToArrayAsync();
        var anna = await db.Employees.Where(e => e.FullName == "Anna Lehmann").Select(e => e.Id).ToArrayAsync();
        return (rooms, anna);
    }

    private async Task<int> ServiceIdAsync(string name)
    {
        await using var db = app.NewDb();
        return await db.Services.Where(s => s.Name == name).Select(s => s.Id).SingleAsync();
    }

    [Fact]
    public async Task A_new_service_is_saved_with_its_rooms_and_photographers()
    {
        var (rooms, employees) = await ChoicesAsync();
        var client = await app.SignedInClientAsync("admin@demo.studio");
        var response = await PostAsync(client, await FormAsync(client, "/admin/services/new"), Valid("Headshot"), rooms, employees);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/admin/services", response.Headers.Location!.OriginalString);
        Assert.Contains("Headshot", (await client.GetDocumentAsync("/admin/services")).Single("#flash .alert").TextContent);
        await using var db = app.NewDb();
        var service = await db.Services.Include(s => s.Rooms).Include(s => s.Employees).SingleAsync(s => s.Name == "Headshot");
        Assert.Equal((30, 59m, true), (service.DurationMinutes, service.Price, service.NeedsPhotographer));
        Assert.Equal(rooms, service.Rooms.Select(r => r.RoomId).Order().ToArray());
        Assert.Equal(employees, service.Employees.Select(e => e.EmployeeId).ToArray());
    }

    [Theory]
    [InlineData("Form.Name", "", "Enter a name.")]
    [InlineData("Form.Name", "PORTRAIT session", "There is already one called")]
    [InlineData("Form.DurationMinutes", "0", "The duration must be between 1 minute and 12 hours")]
    [InlineData("Form.DurationMinutes", "750", "The duration must be between 1 minute and 12 hours")]
    [InlineData("Form.DurationMinutes", "45", "a multiple of the studio's slot step (30 minutes)")]
    [InlineData("Form.Price", "-3", "The price must be between 0 and 1000000")]
    public async Task Each_invalid_field_is_explained_next_to_it_and_nothing_is_saved(string field, string value, string message)
    {
        var (rooms, employees) = await ChoicesAsync();
        var client = await app.SignedInClientAsync("admin@demo.studio");
        await using var before = app.NewDb();
        var count = await before.Services.CountAsync();
        var values = Valid("Service with a mistake");
        values[field] = value;

        var response = await PostAsync(client, await FormAsync(client, "/admin/services/new"), values, rooms, employees);

        var page = await FieldErrors.AssertRefusedAsync(response, field, value, message);
        // The ticked rooms and photographers are kept as well.
        Assert.All(rooms, r => Assert.True(page.QuerySelector<IHtmlInputElement>($"#RoomIds-{r}")!.IsChecked));
        Assert.All(employees, e => Assert.True(page.QuerySelector<IHtmlInputElement>($"#EmployeeIds-{e}")!.IsChecked));
        await using var after = app.NewDb();
        Assert.Equal(count, await after.Services.CountAsync());
    }

    [Theory]
    [InlineData("/admin/services/new")]
    [InlineData("/admin/services/{id}")]
    public async Task A_checkbox_sent_a_value_that_is_no_boolean_is_refused_with_the_form_shown_again(string url)
    {
        var (rooms, employees) = await ChoicesAsync();
        var client = await app.SignedInClientAsync("admin@demo.studio");
        await using var db = app.NewDb();
        var id = await db.Services.Where(s => s.Name == "Portrait session").Select(s => s.Id).SingleAsync();
        var values = Valid("Service with a forged checkbox");
        values["Form.NeedsPhotographer"] = "NaN";

        var response = await PostAsync(client, await FormAsync(client, url.Replace("{id}", id.ToString())), values, rooms, employees);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Equal("Service with a forged checkbox", page.QuerySelector<IHtmlInputElement>("input[name='Form.Name']")!.Value);
        Assert.NotNull(page.QuerySelector<IHtmlInputElement>("input[type=checkbox][name='Form.NeedsPhotographer']"));
        Assert.NotEmpty(page.Single("#Form_NeedsPhotographer-error").TextContent.Trim());
    }

    [Fact]
    public async Task A_service_needs_an_active_room()
    {
        var (_, employees) = await ChoicesAsync();
        var client = await app.SignedInClientAsync("admin@demo.studio");
        var response = await PostAsync(client, await FormAsync(client, "/admin/services/new"), Valid("Roomless"), [], employees, htmx: true);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var fragment = await response.ReadDocumentAsync();
        Assert.Contains("Choose at least one active room.", fragment.Single("#service-editor #Form_RoomIds-error").TextContent);
        Assert.Equal("Roomless", fragment.QuerySelector<IHtmlInputElement>("#Form_Name")!.Value);
        await using var db = app.NewDb();
        Assert.False(await db.Services.AnyAsync(s => s.Name == "Roomless"));
    }

    [Fact]
    public async Task A_service_with_a_photographer_needs_one_and_one_without_keeps_none()
    {
        var (rooms, employees) = await ChoicesAsync();
        var client = await app.SignedInClientAsync("admin@demo.studio");
        var form = await FormAsync(client, "/admin/services/new");

        var refused = await PostAsync(client, form, Valid("Nobody shoots"), rooms, []);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("Choose at least one active photographer", (await refused.ReadDocumentAsync()).Single("#Form_EmployeeIds-error").TextContent);

        var values = Valid("Self service");
        values["Form.NeedsPhotographer"] = "false";
        var saved = await PostAsync(client, form, values, rooms, employees);
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        await using var db = app.NewDb();
        var service = await db.Services.Include(s => s.Employees).SingleAsync(s => s.Name == "Self service");
        Assert.False(service.NeedsPhotographer);
        Assert.Empty(service.Employees);
    }

    [Fact]
    public async Task A_save_over_someone_elses_answers_409_with_their_values_even_when_only_rooms_changed()
    {
        var id = await ServiceIdAsync("Family session");
        var (rooms, employees) = await ChoicesAsync();
        var first = await app.SignedInClientAsync("admin@demo.studio");
        var second = await app.SignedInClientAsync("manager@demo.studio");
        var firstForm = await FormAsync(first, $"/admin/services/{id}");
        var secondForm = await FormAsync(second, $"/admin/services/{id}");

        // Only the rooms change: the service row itself must still get a new version.
        var saved = await PostAsync(first, firstForm, [], [rooms[1]], employees);
        Assert.Equal(HttpStatusCode.SeeOther, saved.StatusCode);
        var stale = await PostAsync(second, secondForm, new() { ["Form.Price"] = "1.00" }, rooms, employees);

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var page = await stale.ReadDocumentAsync();
        Assert.Contains("Someone else saved this service meanwhile", page.Single("#service-editor [role=alert]").TextContent);
        Assert.True(page.QuerySelector<IHtmlInputElement>($"#RoomIds-{rooms[1]}")!.IsChecked);
        Assert.False(page.QuerySelector<IHtmlInputElement>($"#RoomIds-{rooms[0]}")!.IsChecked);
        Assert.Equal("249.00", page.QuerySelector<IHtmlInputElement>("#Form_Price")!.Value);
        await using var db = app.NewDb();
        var service = await db.Services.Include(s => s.Rooms).SingleAsync(s => s.Id == id);
        Assert.Equal(249m, service.Price);
        Assert.Equal([rooms[1]], service.Rooms.Select(r => r.RoomId).ToArray());
    }

    [Fact]
    public async Task A_deactivated_service_disappears_from_the_booking_wizard_and_a_booked_one_cannot_be_deleted()
    {
        var id = await ServiceIdAsync("Newborn session");
        var visitor = app.NewClient();
        Assert.Contains("Newborn session", (await visitor.GetDocumentAsync("/book")).Body!.TextContent);

        var client = await app.SignedInClientAsync("admin@demo.studio");
        var page = await client.GetDocumentAsync($"/admin/services/{id}");
        Assert.Contains("cannot be deleted", page.Single("#delete-help").TextContent);
        var version = page.QuerySelector<IHtmlInputElement>("#Form_Version")!.Value;
        var delete = await client.HtmxAsync(HttpMethod.Post, $"/admin/services/{id}/delete", new Dictionary<string, string> { ["version"] = version });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, delete.StatusCode);

        var response = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>($"form[action='/admin/services/{id}/deactivate']")!);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.DoesNotContain("Newborn session", (await visitor.GetDocumentAsync("/book")).Body!.TextContent);

        // A second click from the same (now stale) page changes nothing and says why.
        var stale = await client.SubmitAsync(page.QuerySelector<IHtmlFormElement>($"form[action='/admin/services/{id}/deactivate']")!);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    [Fact]
    public async Task The_table_filters_sorts_both_ways_and_answers_htmx_with_the_fragment()
    {
        var client = await app.SignedInClientAsync("manager@demo.studio");
        static string[] Names(IParentNode page) =>
            page.QuerySelectorAll("#services-table tbody td:first-child a").Select(a => a.TextContent.Trim()).ToArray();

        var byPrice = await client.GetDocumentAsync("/admin/services?q=session&sort=price");
        Assert.Equal("Portrait session", Names(byPrice)[0]);
        var link = byPrice.Single("#services-table th[aria-sort=ascending] a").GetAttribute("href")!;
        Assert.Contains("dir=desc", link);
        var descending = await client.GetDocumentAsync(link);
        Assert.Equal("Newborn session", Names(descending)[0]);
        Assert.Equal("descending", descending.Single("#services-table th[aria-sort]").GetAttribute("aria-sort"));

        var search = await client.GetDocumentAsync("/admin/services?q=SESSION&active=active");
        Assert.Subset(Names(search).ToHashSet(), new HashSet<string> { "Family session", "Portrait session" });
        Assert.All(Names(search), n => Assert.Contains("session", n));
        Assert.Empty(Names(await client.GetDocumentAsync("/admin/services?active=inactive&q=portrait%20session")));

        var fragment = await client.HtmxAsync(HttpMethod.Get, "/admin/services?sort=duration&dir=desc");
        Assert.Contains("HX-Request", fragment.Headers.Vary);
        var html = await fragment.Content.ReadAsStringAsync();
        Assert.StartsWith("<div id=\"services-table\"", html.Trim());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/services?sort=%27&dir=%00&page=abc&active=1")).StatusCode);
    }

    [Fact]
    public async Task A_receptionist_may_not_manage_services()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        Assert.Equal(HttpStatusCode.Forbidden, (await reception.GetAsync("/admin/services")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reception.GetAsync($"/admin/services/{await ServiceIdAsync("Family session")}")).StatusCode);
    }
}
