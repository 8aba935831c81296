using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;

namespace PhotoStudio.Infrastructure.Events;

/// <summary>Writes a board event with the change that caused it, and wakes every app instance's listener.</summary>
public static class BoardAnnouncements
{
    /// <summary>
    /// Adds a <see cref="BoardEvent"/> to the pending changes, to be saved with them. Call it before the change is
    /// saved: a moved booking's original photographer is read from the change tracker.
    /// </summary>
    public static int AddBoardEvent(this StudioDb db, int bookingId, string kind, DateTime at)
    {
        db.BoardEvents.Add(new BoardEvent { BookingId = bookingId, Kind = kind, At = at, PreviousPhotographerId = PhotographerTakenAway(db, bookingId) });
        return bookingId;
    }

    /// <summary>
    /// Calls <c>pg_notify</c> once for each booking announced, in one statement inside the caller's transaction:
    /// PostgreSQL delivers the notifications at commit, so nobody hears of a change that rolled back.
    /// </summary>
    public static async Task NotifyBoardAsync(this StudioDb db, IReadOnlyCollection<int> bookingIds, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Announce a board change inside the transaction that makes it.");
        var payloads = bookingIds.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({BoardEventListener.Channel}, payload) FROM unnest({payloads}) AS payload", ct);
    }

    // Read from the change about to be saved, whoever makes it: a photographer's stream hears only of their own
    // bookings, and the one a booking is taken from must still hear of it to drop the card.
    private static int? PhotographerTakenAway(StudioDb db, int bookingId) =>
        db.ChangeTracker.Entries<Booking>()
            .Where(e => e.Entity.Id == bookingId && e.State == EntityState.Modified)
            .Select(e => e.Property(b => b.PhotographerId))
            .Where(p => p.IsModified && p.OriginalValue is not null && p.OriginalValue != p.CurrentValue)
            .Select(p => p.OriginalValue)
            .FirstOrDefault();
}
