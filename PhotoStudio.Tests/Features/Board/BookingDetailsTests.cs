using System.Net;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Board;

public class BookingDetailsTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, Dictionary<string, string> form) =>
        client.HtmxAsync(HttpMethod.Post, url, form, tokenFromPage: "/board");

    [Fact]
    public async Task The_panel_shows_the_booking_with_its_history_as_a_page_or_an_htmx_fragment()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending, client: "Panel Client");
        var reception = await app.SignedInClientAsync("reception@demo.studio");

        var page = await reception.GetDocumentAsync($"/board/bookings/{booking.Id}");
        Assert.NotNull(page.QuerySelector("html nav"));
        Assert.Contains("Panel Client", page.Single("#details-title").TextContent);
        Assert.Contains("Portrait session", page.Single(".booking-details dl").TextContent);
        Assert.Single(page.QuerySelectorAll(".booking-history li"));

        var fragment = await reception.HtmxAsync(HttpMethod.Get, $"/board/bookings/{booking.Id}");
        var html = await fragment.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<nav", html);
        Assert.Contains("booking-details", html);
    }

    [Fact]
    public async Task A_photographer_cannot_open_someone_elses_booking()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending, "maria@demo.studio");
        var anna = await app.SignedInClientAsync("anna@demo.studio");
        Assert.Equal(HttpStatusCode.NotFound, (await anna.GetAsync($"/board/bookings/{booking.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(anna, $"/board/bookings/{booking.Id}/notes",
            new() { ["text"] = "peek" })).StatusCode);
    }

    [Fact]
    public async Task Staff_add_notes_which_are_kept_with_author_and_audited()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var anna = await app.SignedInClientAsync("anna@demo.studio");

        var empty = await PostAsync(anna, $"/board/bookings/{booking.Id}/notes", new() { ["text"] = "   " });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("Please write a note", (await empty.ReadDocumentAsync()).Single(".booking-details .alert").TextContent);

        var added = await PostAsync(anna, $"/board/bookings/{booking.Id}/notes", new() { ["text"] = "Bring the white backdrop" });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var panel = await added.ReadDocumentAsync();
        var note = panel.Single(".booking-notes li").TextContent;
        Assert.Contains("Anna Lehmann", note);
        Assert.Contains("Bring the white backdrop", note);

        await using var db = app.NewDb();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.EntityType == "BookingNote" && a.Action == "created"));
        Assert.True(await db.BoardEvents.AnyAsync(e => e.BookingId == booking.Id && e.Kind == "note"));
    }

    [Fact]
    public async Task Cancelling_from_the_panel_needs_a_reason_and_frees_the_slot()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var url = $"/board/bookings/{booking.Id}/move";

        var refused = await PostAsync(reception, url, new() { ["to"] = "Cancelled", ["version"] = booking.Version.ToString(), ["panel"] = "true" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("Please give a reason", (await refused.ReadDocumentAsync()).Single(".booking-details .alert").TextContent);

        var done = await PostAsync(reception, url, new()
        {
            ["to"] = "Cancelled", ["version"] = booking.Version.ToString(), ["panel"] = "true", ["reason"] = "Client is ill",
        });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var panel = await done.ReadDocumentAsync();
        Assert.Contains("Cancelled", panel.Single(".booking-details .badge").TextContent);
        Assert.Contains("Client is ill", panel.Single(".booking-history").TextContent);

        // The room and the photographer are free again at that time.
        var again = await app.AddBookingAsync(BookingStatus.Pending, startsAt: booking.StartsAt);
        Assert.Equal(booking.StartsAt, again.StartsAt);
    }

    [Fact]
    public async Task Reassigning_checks_the_time_against_hours_and_other_bookings_and_keeps_input_on_refusal()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed);
        var blocker = await app.AddBookingAsync(BookingStatus.Confirmed, "maria@demo.studio", booking.StartsAt.AddHours(2), room: "Black Box");
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        await using var db = app.NewDb();
        var blackBox = await db.Rooms.Where(r => r.Name == "Black Box").Select(r => r.Id).SingleAsync();
        var maria = await db.Employees.Where(e => e.User!.Email == "maria@demo.studio").Select(e => e.Id).SingleAsync();
        var anna = await db.Employees.Where(e => e.User!.Email == "anna@demo.studio").Select(e => e.Id).SingleAsync();
        var url = $"/board/bookings/{booking.Id}/reassign";
        Dictionary<string, string> Form(int room, int photographer, string time, uint? version = null) => new()
        {
            ["version"] = (version ?? booking.Version).ToString(), ["room"] = room.ToString(), ["photographer"] = photographer.ToString(),
            ["date"] = booking.StartsAt.ToString("yyyy-MM-dd"), ["time"] = time,
        };

        // 12:00 Berlin: Maria is already shooting in the Black Box.
        var taken = await PostAsync(reception, url, Form(blackBox, maria, "12:00"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, taken.StatusCode);
        Assert.Contains("not free", (await taken.ReadDocumentAsync()).Single(".booking-details .alert").TextContent);
        // 18:00 Berlin: Anna's day ends at 17:00.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(reception, url, Form(blackBox, anna, "18:00"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(reception, url, Form(blackBox, anna, "25:99"))).StatusCode);

        var moved = await PostAsync(reception, url, Form(blackBox, maria, "14:00"));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var after = await app.ReloadAsync(booking.Id);
        Assert.Equal((blackBox, maria, booking.StartsAt.AddHours(4)), (after.RoomId, after.PhotographerId, after.StartsAt));
        Assert.Equal(after.StartsAt.AddMinutes(-10), after.Blocked.LowerBound); // the Black Box's 10-minute buffers

        var stale = await PostAsync(reception, url, Form(blackBox, maria, "15:00"));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("Someone else changed this booking", (await stale.ReadDocumentAsync()).Single(".booking-details .alert").TextContent);
        Assert.NotEqual(blocker.Id, booking.Id);
    }

    [Fact]
    public async Task Two_reassignments_racing_for_one_time_leave_one_booking_there_and_a_clear_answer_for_the_other()
    {
        var day = TestBookings.NextMonday();
        var first = await app.AddBookingAsync(BookingStatus.Confirmed, "anna@demo.studio", day);
        var second = await app.AddBookingAsync(BookingStatus.Confirmed, "maria@demo.studio", day, room: "Black Box");
        await using var db = app.NewDb();
        var blackBox = await db.Rooms.Where(r => r.Name == "Black Box").Select(r => r.Id).SingleAsync();
        var clients = new[] { await app.SignedInClientAsync("reception@demo.studio"), await app.SignedInClientAsync("admin@demo.studio") };

        // Both want the Black Box at 14:00 with their own photographer: the room can hold only one.
        var responses = await Task.WhenAll(new[] { first, second }.Select((b, i) => PostAsync(clients[i], $"/board/bookings/{b.Id}/reassign", new()
        {
            ["version"] = b.Version.ToString(), ["room"] = blackBox.ToString(), ["photographer"] = b.PhotographerId!.Value.ToString(),
            ["date"] = day.ToString("yyyy-MM-dd"), ["time"] = "14:00",
        })));

        var answers = string.Join(" | ", await Task.WhenAll(responses.Select(async r =>
            $"{(int)r.StatusCode} {(await r.ReadDocumentAsync()).QuerySelector(".booking-details .alert")?.TextContent}")));
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.OK) == 1, answers);
        Assert.Contains(responses, r => r.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity);
        var inTheRoom = await db.Bookings.Where(b => b.Id == first.Id || b.Id == second.Id)
            .CountAsync(b => b.RoomId == blackBox && b.StartsAt == day.AddHours(4));
        Assert.True(inTheRoom == 1, string.Join("; ", await db.Bookings.Where(b => b.Id == first.Id || b.Id == second.Id)
            .Select(b => $"{b.Id} room {b.RoomId} at {b.StartsAt:u}").ToListAsync()) + " | " + string.Join(",", responses.Select(r => (int)r.StatusCode)));
    }
}
