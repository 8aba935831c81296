using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Board;
using BookingRow = PhotoStudio.Data.Booking;
using PhotoStudio.Infrastructure.Events;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Board;

/// <summary>The app with a one-second SSE heartbeat, so a test can see it.</summary>
public class QuickHeartbeatApp : StudioApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Board:HeartbeatSeconds", "1");
    }
}

public class BoardEventsTests(QuickHeartbeatApp app) : IClassFixture<QuickHeartbeatApp>
{
    private static readonly TimeSpan Patience = EventStream.Patience;

    private static Task<EventStream> OpenAsync(HttpClient client, string? lastEventId = null) => EventStream.OpenAsync(client, lastEventId);

    private BoardEventHub Hub => app.Services.GetRequiredService<BoardEventHub>();

    private static Task<HttpResponseMessage> MoveAsync(HttpClient client, BookingRow booking, BookingStatus to, uint version) =>
        client.HtmxAsync(HttpMethod.Post, $"/board/bookings/{booking.Id}/move",
            new Dictionary<string, string> { ["to"] = to.ToString(), ["version"] = version.ToString() }, tokenFromPage: "/board");

    /// <summary>Gives the booking to another photographer, same room and time (10:00 in the studio, when the demo photographers work).</summary>
    private static Task<HttpResponseMessage> ReassignAsync(HttpClient client, BookingRow booking, int photographerId, uint version) =>
        client.HtmxAsync(HttpMethod.Post, $"/board/bookings/{booking.Id}/reassign", new Dictionary<string, string>
        {
            ["version"] = version.ToString(), ["room"] = booking.RoomId.ToString(), ["photographer"] = photographerId.ToString(),
            ["date"] = booking.StartsAt.ToString("yyyy-MM-dd"), ["time"] = "10:00",
        }, tokenFromPage: "/board");

    private async Task<int> EmployeeIdAsync(string email)
    {
        await using var db = app.NewDb();
        return await db.Employees.Where(e => e.User!.Email == email).Select(e => e.Id).SingleAsync();
    }

    /// <summary>Reads this app's published changes until the given event has gone by (or fails after the patience).</summary>
    private static async Task WaitForEventAsync(BoardEventHub.Subscription subscription, long eventId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while ((await subscription.Reader.ReadAsync(timeout.Token)).EventId < eventId) { }
    }

    private async Task<long> NewestEventAsync(int bookingId)
    {
        await using var db = app.NewDb();
        return await db.BoardEvents.Where(e => e.BookingId == bookingId).MaxAsync(e => e.Id);
    }

    [Fact]
    public async Task A_change_reaches_an_open_stream_as_an_event_with_ids_only_and_quiet_streams_get_heartbeats()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var booking = await app.AddBookingAsync(BookingStatus.Pending, client: "Secret Person");
        using var stream = await OpenAsync(reception);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("no-cache", stream.Response.Headers.CacheControl!.ToString());
        await stream.NextEventAsync("hello");
        Assert.True((await stream.NextAsync()).Comment, "a heartbeat comment while nothing happens");

        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, booking, BookingStatus.Confirmed, booking.Version)).StatusCode);

        var frame = await stream.NextEventAsync("booking-changed");
        Assert.Equal((await NewestEventAsync(booking.Id)).ToString(), frame.Id);
        var data = JsonDocument.Parse(frame.Data!).RootElement;
        Assert.Equal(booking.Id, data.GetProperty("booking").GetInt32());
        Assert.Equal("Confirmed", data.GetProperty("status").GetString());
        Assert.Equal(["booking", "status", "kind"], data.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain("Secret", frame.Data);
    }

    [Fact]
    public async Task A_stream_reopened_with_Last_Event_ID_replays_what_it_missed_in_order()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        string seen;
        using (var first = await OpenAsync(reception))
            seen = (await first.NextEventAsync("hello")).Id!;
        using var published = Hub.Subscribe();

        await MoveAsync(reception, booking, BookingStatus.Confirmed, booking.Version);
        var version = (await app.ReloadAsync(booking.Id)).Version;
        await MoveAsync(reception, booking, BookingStatus.Shooting, version);
        var newest = await NewestEventAsync(booking.Id);
        await WaitForEventAsync(published, newest);

        using var again = await OpenAsync(reception, seen);
        var one = await again.NextEventAsync("booking-changed");
        var two = await again.NextEventAsync("booking-changed");
        Assert.Equal(newest, long.Parse(two.Id!));
        Assert.True(long.Parse(one.Id!) < long.Parse(two.Id!));
        Assert.Contains("Shooting", two.Data);
    }

    [Fact]
    public async Task The_listener_listens_again_after_its_connection_is_killed_and_catches_up_on_what_happened_meanwhile()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        using var subscription = Hub.Subscribe();
        await using var db = app.NewDb();
        // Once the listener is connected, cut it off.
        await Hub.Listening.WaitAsync(Patience);
        var killed = await db.Database.SqlQueryRaw<int>(
            "SELECT count(pg_terminate_backend(pid))::int AS \"Value\" FROM pg_stat_activity WHERE application_name = {0} AND datname = current_database()",
            BoardEventListener.ApplicationName).SingleAsync();
        Assert.Equal(1, killed);

        // A change while nobody listens: its notification is lost, the row is not.
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, booking, BookingStatus.Confirmed, booking.Version)).StatusCode);

        using var timeout = new CancellationTokenSource(Patience);
        BoardChange change;
        do change = await subscription.Reader.ReadAsync(timeout.Token);
        while (change.BookingId != booking.Id);
        Assert.Equal(BookingStatus.Confirmed, change.Status);
    }

    [Fact]
    public async Task A_dropped_stream_ends_so_the_browser_reconnects()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        using var stream = await OpenAsync(reception);
        await stream.NextEventAsync("hello");
        Hub.DisconnectAll();
        await stream.EndsAsync();
    }

    [Fact]
    public async Task A_stopping_instance_ends_its_streams_with_a_reconnection_delay_drawn_for_each()
    {
        await using var instance = AppProcess.Start(app.ConnectionString);
        await instance.WaitUntilReadyAsync();
        using var reception = instance.NewClient();
        await reception.SignInAsync("reception@demo.studio");
        using var stream = await EventStream.ListeningAsync(reception);

        instance.Terminate();
        var last = await stream.EndsAsync();
        Assert.InRange(last?.Retry ?? 0, BoardEventsController.StoppingRetryMinMs, BoardEventsController.StoppingRetryMaxMs);
        Assert.Equal(0, await instance.ExitedAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_photographer_may_listen_and_an_anonymous_visitor_may_not()
    {
        var anna = app.NewClient();
        await anna.SignInAsync("anna@demo.studio");
        using (var stream = await OpenAsync(anna)) await stream.NextEventAsync("hello");
        var anonymous = await app.NewClient().GetAsync("/board/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
    }

    [Fact]
    public async Task An_open_stream_checks_its_user_with_one_query_per_heartbeat()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        using var stream = await EventStream.ListeningAsync(reception);
        // Catch up with the stream first: on a busy machine heartbeats (and the checks before them) may already wait
        // in the buffer, and those checks ran before the counter. A heartbeat that took a while to come was live.
        for (var (waited, beats) = (TimeSpan.Zero, 0); waited < TimeSpan.FromMilliseconds(500) && beats < 20; beats++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.True((await stream.NextAsync()).Comment);
            waited = clock.Elapsed;
        }

        using var counter = new CommandCounter(database);
        for (var beat = 0; beat < 3; beat++) Assert.True((await stream.NextAsync()).Comment);

        // Three checks, one before each heartbeat read; a fourth may have begun if this test was slow to read.
        Assert.InRange(counter.Count, 3, 4);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData(" 5")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999999")]
    [InlineData("9223372036854775807")]
    public async Task A_Last_Event_ID_that_is_no_event_id_before_now_gets_a_hello(string lastEventId)
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        using var stream = await OpenAsync(reception, lastEventId);
        Assert.Equal(Hub.LastEventId.ToString(), (await stream.NextEventAsync("hello")).Id);
    }

    [Fact]
    public async Task A_photographer_hears_of_changes_to_their_own_bookings_and_not_of_anyone_elses()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var ivans = await app.AddBookingAsync(BookingStatus.Pending, "ivan@demo.studio");
        var annas = await app.AddBookingAsync(BookingStatus.Pending);
        using var anna = await EventStream.ListeningAsync(await app.SignedInClientAsync("anna@demo.studio"));

        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, ivans, BookingStatus.Confirmed, ivans.Version)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, annas, BookingStatus.Confirmed, annas.Version)).StatusCode);

        // Ivan's change came first; Anna's stream goes straight to hers.
        Assert.Equal((annas.Id, "moved"), await anna.NextChangeAsync());
    }

    [Fact]
    public async Task A_photographer_hears_that_a_booking_was_reassigned_away_from_them_and_nothing_of_it_after()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var taken = await app.AddBookingAsync(BookingStatus.Confirmed);
        var kept = await app.AddBookingAsync(BookingStatus.Pending);
        using var anna = await EventStream.ListeningAsync(await app.SignedInClientAsync("anna@demo.studio"));

        Assert.Equal(HttpStatusCode.OK, (await ReassignAsync(reception, taken, await EmployeeIdAsync("maria@demo.studio"), taken.Version)).StatusCode);
        Assert.Equal((taken.Id, "reassigned"), await anna.NextChangeAsync());

        // Maria's booking now: Anna hears no more of it.
        var version = (await app.ReloadAsync(taken.Id)).Version;
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, taken, BookingStatus.Shooting, version)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, kept, BookingStatus.Confirmed, kept.Version)).StatusCode);
        Assert.Equal((kept.Id, "moved"), await anna.NextChangeAsync());
    }

    [Fact]
    public async Task A_reconnecting_photographer_is_replayed_only_their_own_changes_and_the_reassignment_away()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var annaClient = await app.SignedInClientAsync("anna@demo.studio");
        var ivans = await app.AddBookingAsync(BookingStatus.Pending, "ivan@demo.studio");
        var taken = await app.AddBookingAsync(BookingStatus.Confirmed);
        var kept = await app.AddBookingAsync(BookingStatus.Pending);
        string seen;
        using (var first = await OpenAsync(annaClient))
            seen = (await first.NextEventAsync("hello")).Id!;
        using var published = Hub.Subscribe();

        await MoveAsync(reception, ivans, BookingStatus.Confirmed, ivans.Version);
        Assert.Equal(HttpStatusCode.OK, (await ReassignAsync(reception, taken, await EmployeeIdAsync("maria@demo.studio"), taken.Version)).StatusCode);
        await MoveAsync(reception, ivans, BookingStatus.Shooting, (await app.ReloadAsync(ivans.Id)).Version);
        await MoveAsync(reception, kept, BookingStatus.Confirmed, kept.Version);
        await WaitForEventAsync(published, await NewestEventAsync(kept.Id));

        using var again = await OpenAsync(annaClient, seen);
        Assert.Equal((taken.Id, "reassigned"), await again.NextChangeAsync());
        Assert.Equal((kept.Id, "moved"), await again.NextChangeAsync());
    }

    [Fact]
    public async Task A_stream_ends_when_its_employee_is_deactivated_and_may_not_reopen()
    {
        var (email, _, employeeId) = await app.NewStaffAsync(Permissions.BookingsViewOwn);
        var client = await app.SignedInClientAsync(email);
        using var stream = await EventStream.ListeningAsync(client);

        // Straight in the database, security stamp untouched: the stream must notice the flag itself.
        await using (var db = app.NewDb())
            await db.Employees.Where(e => e.Id == employeeId).ExecuteUpdateAsync(s => s.SetProperty(e => e.IsActive, false));

        await stream.EndsAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await EventStream.RequestAsync(client)).StatusCode);
    }

    [Fact]
    public async Task A_stream_ends_when_its_user_signs_out_everywhere()
    {
        var (email, _, _) = await app.NewStaffAsync(Permissions.BookingsViewOwn);
        var here = await app.SignedInClientAsync(email);
        var elsewhere = await app.SignedInClientAsync(email);
        using var stream = await EventStream.ListeningAsync(here);

        var response = await elsewhere.SubmitAsync("/account/security", "form[action='/account/security/sign-out-everywhere']");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);

        await stream.EndsAsync();
        Assert.NotEqual(HttpStatusCode.OK, (await EventStream.RequestAsync(here)).StatusCode);
    }

    [Fact]
    public async Task A_stream_ends_when_the_role_loses_the_permission_to_see_bookings()
    {
        var (email, role, _) = await app.NewStaffAsync(Permissions.BookingsViewOwn);
        var client = await app.SignedInClientAsync(email);
        using var stream = await EventStream.ListeningAsync(client);

        await app.RevokeAsync(role, Permissions.BookingsViewOwn);

        await stream.EndsAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await EventStream.RequestAsync(client)).StatusCode);
    }

    [Fact]
    public async Task A_stream_that_loses_view_all_ends_and_reopens_hearing_only_of_its_own_bookings()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var (email, role, employeeId) = await app.NewStaffAsync(Permissions.BookingsViewAll, Permissions.BookingsViewOwn);
        var client = await app.SignedInClientAsync(email);
        var annas = await app.AddBookingAsync(BookingStatus.Pending);
        var mine = await app.AddBookingAsync(BookingStatus.Pending);
        await using (var db = app.NewDb())
            await db.Bookings.Where(b => b.Id == mine.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.PhotographerId, employeeId));
        using (var stream = await EventStream.ListeningAsync(client))
        {
            await app.RevokeAsync(role, Permissions.BookingsViewAll);
            await stream.EndsAsync();
        }

        using var again = await EventStream.ListeningAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, annas, BookingStatus.Confirmed, annas.Version)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, mine, BookingStatus.Confirmed, (await app.ReloadAsync(mine.Id)).Version)).StatusCode);
        Assert.Equal((mine.Id, "moved"), await again.NextChangeAsync());
    }
}
