using System.Threading.Channels;
using PhotoStudio.Data;

namespace PhotoStudio.Infrastructure.Events;

/// <summary>
/// One booking change as the board hears of it: ids and a status, never personal data. The photographer ids
/// (the booking's now, and the one a reassignment took it from) decide which streams may hear of it; they are not sent.
/// </summary>
public sealed record BoardChange(long EventId, int BookingId, string Kind, BookingStatus Status,
    int? PhotographerId, int? PreviousPhotographerId);

/// <summary>Fans this instance's board events out to its open SSE streams.</summary>
public sealed class BoardEventHub
{
    // A slow browser must not hold up the others; past this many unsent events its stream ends and it re-syncs.
    private const int Backlog = 256;

    private readonly Lock gate = new();
    private readonly HashSet<Channel<BoardChange>> subscribers = [];
    private long lastEventId;
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The newest event id this instance has published; a new stream starts from here.</summary>
    public long LastEventId => Interlocked.Read(ref lastEventId);

    public int Subscribers { get { lock (gate) return subscribers.Count; } }

    /// <summary>Completes once the listener is connected and listening (for readiness checks and tests).</summary>
    public Task Listening => listening.Task;

    /// <summary>Set by the listener when it is listening and has read the newest event id at start-up.</summary>
    public void Start(long eventId)
    {
        Interlocked.Exchange(ref lastEventId, eventId);
        listening.TrySetResult();
    }

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<BoardChange>(new BoundedChannelOptions(Backlog)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        lock (gate) subscribers.Add(channel);
        return new Subscription(this, channel);
    }

    public void Publish(BoardChange change)
    {
        Interlocked.Exchange(ref lastEventId, Math.Max(LastEventId, change.EventId));
        lock (gate)
            foreach (var channel in subscribers)
                if (!channel.Writer.TryWrite(change))
                    channel.Writer.TryComplete(new ChannelFullException());
    }

    /// <summary>Ends every open stream; browsers reconnect and re-sync. Used at shutdown, and by tests.</summary>
    public void DisconnectAll()
    {
        lock (gate)
        {
            foreach (var channel in subscribers)
                channel.Writer.TryComplete();
            // Gone at once, not when each stream's request has wound down: nothing is published to them any more.
            subscribers.Clear();
        }
    }

    private void Remove(Channel<BoardChange> channel)
    {
        lock (gate) subscribers.Remove(channel);
    }

    public sealed class Subscription(BoardEventHub hub, Channel<BoardChange> channel) : IDisposable
    {
        public ChannelReader<BoardChange> Reader => channel.Reader;

        public void Dispose() => hub.Remove(channel);
    }

    public sealed class ChannelFullException() : Exception("The stream fell too far behind.");
}
