using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Booking;

/// <summary>
/// A fresh manage link for a client who lost theirs: asked for with the booking's email and code, sent only to the
/// address on file. The caller answers the same whatever happens here, so the page tells nobody which details match;
/// a miss also makes the round trips a match makes (on no row), so it is not quicker by skipping them. The message
/// itself goes out later, with the outbox: no mail server's time shows in the answer.
/// </summary>
public sealed class LostLinks(StudioDb db, StudioDay studioDay, StudioWrites writes, Outbox outbox, ManageLinks links,
    TimeProvider clock, ILogger<LostLinks> log)
{
    /// <summary>How a typed code and email are compared: codes are upper case, stored emails trimmed lower case.</summary>
    public static string NormalizeCode(string code) => code.Trim().ToUpperInvariant();

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>
    /// When the code exists and the email is its client's (who is not erased), replaces the manage token (the old link
    /// stops working at once) and queues the new link to the client, in one write.
    /// </summary>
    public async Task RequestAsync(string email, string code, CancellationToken ct)
    {
        var token = ManageToken.New();
        var hash = ManageToken.Hash(token);
        var sealedToken = links.Seal(token);
        var typed = Digest(NormalizeEmail(email));
        code = NormalizeCode(code);
        await studioDay.ClockAsync(ct); // the settings the outbox reads for a match, read either way

        var outcome = await writes.RunAsync(async _ =>
        {
            var booking = await db.Bookings.Include(b => b.Client).FirstOrDefaultAsync(b => b.Code == code, ct);
            var onFile = Digest(booking?.Client is { ErasedAt: null } client ? NormalizeEmail(client.Email) : "");
            var matches = CryptographicOperations.FixedTimeEquals(typed, onFile) && booking is not null;
            // Each request is a message of its own: the outbox key counts manage links by their revision.
            var last = await db.Notifications
                .Where(n => n.BookingId == (matches ? booking!.Id : 0) && n.Kind == NotificationKind.ManageLink)
                .MaxAsync(n => (int?)n.Revision, ct);
            if (!matches)
            {
                // The outbox's duplicate check and the booking's update, as a match makes them.
                await db.Notifications.AnyAsync(n => n.BookingId == 0 && n.Kind == NotificationKind.ManageLink, ct);
                await db.Bookings.Where(b => b.Id == 0).ExecuteUpdateAsync(u => u.SetProperty(b => b.ManageTokenSealed, sealedToken), ct);
                return Outcome.Missing;
            }

            booking!.ManageTokenHash = hash;
            booking.ManageTokenSealed = sealedToken;
            booking.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            await outbox.ToClientAsync(booking, NotificationKind.ManageLink, ct, revision: (last ?? 0) + 1);
            return Outcome.With(booking.Id);
        }, ct);
        if (outcome is Outcome.Done<int> done) log.LogInformation("A fresh manage link was queued for booking {BookingId}", done.Value);
    }

    private static byte[] Digest(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
