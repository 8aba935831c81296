using System.Text;
using System.Threading.Channels;
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
/// </summary>
[Authorize(Policy = Permissions.BookingsViewOwn)]
public class BoardEventsController(BoardEventHub hub, StudioDb db, IHostApplicationLifetime lifetime, IConfiguration configuration) : Controller
{
    /// <summary>A reconnecting browser gets at most this many missed events replayed; beyond that it re-syncs.</summary>
    private const int Replay = 200;

    /// <summary>A comment line this often keeps proxies from closing a quiet stream (<c>Board:HeartbeatSeconds</c>).</summary>
    private TimeSpan Heartbeat => TimeSpan.FromSeconds(configuration.GetValue("Board:HeartbeatSeconds", 20));

    [HttpGet("board/events")]
    public async Task Events([FromHeader(Name = "Last-Event-ID")] string? lastEventId, CancellationToken ct)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        ct = stopping.Token;
        Response.ContentType = "text/event-stream";
        Response.Headers.CacheControl = "no-cache, no-transform";
        Response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once

        // Subscribe before reading the backlog, so nothing falls between the two (a duplicate is harmless).
        using var subscription = hub.Subscribe();
        await WriteAsync("retry: 2000\n\n", ct);
        if (long.TryParse(lastEventId, out var since) && since >= 0 && since < hub.LastEventId)
        {
            var missed = await db.BoardEvents.AsNoTracking().Where(e => e.Id > since).OrderBy(e => e.Id).Take(Replay + 1)
                .Select(e => new BoardChange(e.Id, e.BookingId, e.Kind, db.Bookings.Where(b => b.Id == e.BookingId).Select(b => b.Status).First()))
                .ToListAsync(ct);
            if (missed.Count > Replay)
                await WriteAsync($"id: {hub.LastEventId}\nevent: resync\ndata: {hub.LastEventId}\n\n", ct);
            else
                foreach (var change in missed) await WriteAsync(Frame(change), ct);
        }
        else
            await WriteAsync($"id: {hub.LastEventId}\nevent: hello\ndata: {hub.LastEventId}\n\n", ct);

        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                beat.CancelAfter(Heartbeat);
                try
                {
                    if (!await subscription.Reader.WaitToReadAsync(beat.Token)) return; // the hub closed this stream
                    while (subscription.Reader.TryRead(out var change)) await WriteAsync(Frame(change), ct);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await WriteAsync(": heartbeat\n\n", ct);
                }
            }
        }
        catch (OperationCanceledException) { } // the browser went away, or the app is stopping
        catch (BoardEventHub.ChannelFullException) { } // too slow: the browser reconnects and catches up
        catch (ChannelClosedException) { }
    }

    private static string Frame(BoardChange change) =>
        $"id: {change.EventId}\nevent: booking-changed\ndata: {{\"booking\":{change.BookingId},\"status\":\"{change.Status}\",\"kind\":\"{change.Kind}\"}}\n\n";

    private async Task WriteAsync(string text, CancellationToken ct)
    {
        await Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await Response.Body.FlushAsync(ct);
    }
}
