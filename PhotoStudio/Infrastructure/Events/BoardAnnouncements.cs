using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;

namespace PhotoStudio.Infrastructure.Events;

/// <summary>Writes a board event with the change that caused it, and wakes every app instance's listener.</summary>
public static class BoardAnnouncements
{
    /// <summary>
    /// Saves pending changes plus a <see cref="BoardEvent"/> and calls <c>pg_notify</c>, all inside the caller's
    /// transaction: PostgreSQL delivers the notification at commit, so nobody hears of a change that rolled back.
    /// </summary>
    public static async Task SaveAndAnnounceAsync(this StudioDb db, int bookingId, string kind, DateTime at, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Announce a board change inside the transaction that makes it.");
        db.BoardEvents.Add(new BoardEvent { BookingId = bookingId, Kind = kind, At = at, PreviousPhotographerId = PhotographerTakenAway(db, bookingId) });
        await db.SaveChangesAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({BoardEventListener.Channel}, {bookingId.ToString()})", ct);
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
