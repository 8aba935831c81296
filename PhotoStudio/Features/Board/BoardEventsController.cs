using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure.Events;

namespace PhotoStudio.Features.Board;

/// <summary>
/// <c>/board/events</c>: Server-Sent Events telling open boards and calendars which booking changed. A doorbell
/// only: ids and a status, never personal data; pages fetch what they show through ordinary, authorised GETs.
/// Each stream hears only of the bookings its user may see, and ends when the user no longer may.
/// </summary>
[Authorize(Policy = Permissions.BookingsViewOwn)]
public class BoardEventsController(
    BoardEventHub hub, BoardStreamSlots slots, BoardStreamAccess access, IServiceScopeFactory scopes,
    IHostApplicationLifetime lifetime) : Controller
{
    /// <summary>A reconnecting browser gets at most this many missed events replayed; beyond that it re-syncs.</summary>
    private const int Replay = 200;

    /// <summary>
    /// A replay looks at most this many event ids back: finding one photographer's few events further back would
    /// read the whole table on every reconnect, and a board that missed that much re-syncs anyway.
    /// </summary>
    private const long ReplayWindow = 5000;

    /// <summary>How long a browser refused for too many streams waits before trying again.</summary>
    private const int RetryAfterSeconds = 30;

    /// <summary>
    /// The reconnection delay a stream ends with when this instance stops (a deploy, a scale-in), in milliseconds: drawn
    /// from this range for each stream, so its browsers come back to the instances that stay spread over a few seconds
    /// instead of all at once.
    /// </summary>
    public const int StoppingRetryMinMs = 1000, StoppingRetryMaxMs = 5000;

    [HttpGet("board/events")]
    public async Task<IActionResult> Events([FromHeader(Name = "Last-Event-ID")] string? lastEventId, CancellationToken ct)
    {
        var session = (await HttpContext.AuthenticateAsync()).Properties;
        if (await access.CheckAsync(User, session, opening: true, ct) is not { } viewer) return Forbid();
        using var slot = slots.TryTake(viewer.UserId);
        if (slot is null)
        {
            Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return StatusCode(StatusCodes.Status429TooManyRequests);
        }

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        ct = stopping.Token;
        Response.ContentType = "text/event-stream";
        Response.Headers.CacheControl = "no-cache, no-transform";
        Response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once

        try
        {
            // Subscribe before reading the backlog, so nothing falls between the two (a duplicate is harmless).
            using var subscription = hub.Subscribe();
            await WriteAsync("retry: 2000\n\n", ct);
            if (long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var since) && since < hub.LastEventId)
                await ReplayAsync(since, viewer, ct);
            else
                await WriteAsync($"id: {hub.LastEventId}\nevent: hello\ndata: {hub.LastEventId}\n\n", ct);

            var heartbeat = access.Heartbeat;
            while (!ct.IsCancellationRequested)
            {
                // One timer per heartbeat, not one per change: a change wakes every stream at once, and all each one
                // should do then is write (the sends go out only once every stream has had its turn).
                using (var beat = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    beat.CancelAfter(heartbeat);
                    try
                    {
                        while (await subscription.Reader.WaitToReadAsync(beat.Token))
                            while (subscription.Reader.TryRead(out var change))
                                if (viewer.May(change)) await WriteAsync(Frame(change), ct);
                        break; // the hub closed this stream
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
                }
                // Rights that changed either way end the stream: the browser reconnects, is let in (or not) with the
                // rights it has now, and re-syncs its board.
                if (await access.CheckAsync(User, session, opening: false, ct) != viewer) break;
                await WriteAsync(": heartbeat\n\n", ct);
            }
        }
        catch (OperationCanceledException) { } // the browser went away, or the app is stopping
        catch (BoardEventHub.ChannelFullException) { } // too slow: the browser reconnects and catches up
        catch (ChannelClosedException) { }
        if (lifetime.ApplicationStopping.IsCancellationRequested) await SayReconnectAsync(HttpContext.RequestAborted);
        return new EmptyResult();
    }

    /// <summary>The last frame of a stream this instance ends as it stops: when to reconnect (to another instance).</summary>
    private async Task SayReconnectAsync(CancellationToken ct)
    {
        try
        {
            await WriteAsync($"retry: {Random.Shared.Next(StoppingRetryMinMs, StoppingRetryMaxMs + 1)}\n\n", ct);
        }
        catch (OperationCanceledException) { } // the browser is gone already
        catch (IOException) { }
    }

    /// <summary>What a reconnecting browser missed and may see, in order; a re-sync instead when that is too much.</summary>
    private async Task ReplayAsync(long since, BoardViewer viewer, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
        var newest = hub.LastEventId;
        var me = viewer.EmployeeId ?? 0; // ids start at 1: a user who is no employee photographs nothing
        var missed = newest - since > ReplayWindow ? null : await (
                from e in db.BoardEvents.AsNoTracking()
                join b in db.Bookings on e.BookingId equals b.Id
                where e.Id > since && (viewer.SeesAll || b.PhotographerId == me || e.PreviousPhotographerId == me)
                orderby e.Id
                select new BoardChange(e.Id, e.BookingId, e.Kind, b.Status, b.PhotographerId, e.PreviousPhotographerId))
            .Take(Replay + 1).ToListAsync(ct);
        if (missed is null || missed.Count > Replay)
            await WriteAsync($"id: {newest}\nevent: resync\ndata: {newest}\n\n", ct);
        else
            foreach (var change in missed) await WriteAsync(Frame(change), ct);
    }

    private static string Frame(BoardChange change) =>
        $"id: {change.EventId}\nevent: booking-changed\ndata: {{\"booking\":{change.BookingId},\"status\":\"{change.Status}\",\"kind\":\"{change.Kind}\"}}\n\n";

    private async Task WriteAsync(string text, CancellationToken ct)
    {
        Encoding.UTF8.GetBytes(text, Response.BodyWriter); // straight into the response's buffer, no array per frame
        await Response.BodyWriter.FlushAsync(ct);
    }
}
