using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
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
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private sealed record Frame(string? Id, string? Event, string? Data, bool Comment);

    /// <summary>An open /board/events stream, read frame by frame.</summary>
    private sealed class Stream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public HttpResponseMessage Response => response;

        public async Task<Frame> NextAsync()
        {
            using var timeout = new CancellationTokenSource(Patience);
            string? id = null, name = null, data = null;
            var comment = false;
            while (true)
            {
                var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException();
                if (line.Length == 0)
                {
                    if ((id ?? name ?? data) is not null || comment) return new Frame(id, name, data, comment);
                    continue;
                }
                if (line.StartsWith(':')) comment = true;
                else if (line.StartsWith("id: ")) id = line[4..];
                else if (line.StartsWith("event: ")) name = line[7..];
                else if (line.StartsWith("data: ")) data = line[6..];
            }
        }

        public async Task<Frame> NextEventAsync(string name)
        {
            while (true)
                if (await NextAsync() is { Event: var e } frame && e == name) return frame;
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    private static async Task<Stream> OpenAsync(HttpClient client, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/board/events");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new Stream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    private BoardEventHub Hub => app.Services.GetRequiredService<BoardEventHub>();

    private static Task<HttpResponseMessage> MoveAsync(HttpClient client, BookingRow booking, BookingStatus to, uint version) =>
        client.HtmxAsync(HttpMethod.Post, $"/board/bookings/{booking.Id}/move",
            new Dictionary<string, string> { ["to"] = to.ToString(), ["version"] = version.ToString() }, tokenFromPage: "/board");

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
        await Assert.ThrowsAsync<EndOfStreamException>(async () => { while (true) await stream.NextAsync(); });
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
}
