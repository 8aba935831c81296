namespace PhotoStudio.Data.Seeding;

/// <summary>How each booking got where it is: its status changes, by whom and when.</summary>
public partial class DemoSeeder
{
    private static readonly string[] ClientCancelReasons =
    [
        "Child is ill, will book again later.", "Client changed plans.", "Booked another date instead.", "Travelling that week.",
    ];
    private static readonly string[] StaffCancelReasons =
    [
        "Duplicate booking.", "Client cancelled by phone.", "Products did not arrive in time.",
    ];
    private static readonly string[] NoShowReasons =
    [
        "Client did not arrive; no answer by phone.", "No-show, deposit retained.", "Did not come, rang back the next day.",
    ];

    /// <summary>
    /// The status changes that led to the booking's status, along the moves StatusFlow allows:
    /// Pending → Confirmed → Shooting → Editing → Delivered, with cancellations, no-shows and the odd step back.
    /// Desk work (taking calls, confirming, cancelling) happens while the desk is staffed, by whoever is on duty;
    /// photographers move their own sessions.
    /// </summary>
    private List<BookingStatusChange> BuildHistory(Draft draft)
    {
        var b = draft.Booking;
        var history = new List<BookingStatusChange>();
        var at = draft.CreatedAt;
        void Move(BookingStatus? from, BookingStatus to, Func<DateTime, string> by, DateTime when, string reason = "")
        {
            // Strictly after the previous change and never later than now.
            at = Second(Min(Max(when, at.AddSeconds(history.Count == 0 ? 0 : 1)), now));
            history.Add(new BookingStatusChange { From = from, To = to, By = by(at), At = at, Reason = reason });
        }
        Func<DateTime, string> client = _ => "client", system = _ => "system";
        Func<DateTime, string> desk = t => (OnDuty(t) ?? staff.Manager).UserId;
        Func<DateTime, string> shooter = t => (draft.Photographer ?? OnDuty(t) ?? staff.Manager).UserId;
        var target = b.Status;

        Move(null, BookingStatus.Pending, b.Source is "web" or "instagram" ? client : desk, draft.CreatedAt);
        var confirmLimit = Min(b.StartsAt.AddMinutes(-30), now);
        var confirmAt = b.Source == "walk-in"
            ? draft.CreatedAt.AddMinutes(rng.Next(1, 5))
            : DeskWindow(draft.CreatedAt.AddMinutes(5), draft.CreatedAt.AddMinutes(rng.Next(10, 30 * 60)), confirmLimit);

        if (target == BookingStatus.Pending) return history;

        if (target == BookingStatus.Cancelled)
        {
            var cancelLimit = Min(b.StartsAt.AddHours(-1), now);
            var byClient = rng.NextDouble() < 0.6;
            // Unconfirmed requests expire: the housekeeping job cancels them as "system".
            if (!byClient && rng.NextDouble() < 0.5 && cancelLimit - draft.CreatedAt > TimeSpan.FromHours(48))
            {
                Move(BookingStatus.Pending, BookingStatus.Cancelled, system,
                    draft.CreatedAt.AddHours(48), "Request expired: not confirmed in time.");
                return history;
            }
            if (confirmAt is { } confirmed && confirmed < cancelLimit && rng.NextDouble() < 0.6)
                Move(BookingStatus.Pending, BookingStatus.Confirmed, desk, confirmed);
            var from = history[^1].To;
            var cancelAt = at + (cancelLimit - at) * rng.NextDouble();
            if (!byClient && DeskWindow(at, cancelAt, cancelLimit) is { } deskCancel)
                Move(from, BookingStatus.Cancelled, desk, deskCancel, Pick(StaffCancelReasons));
            else
                Move(from, BookingStatus.Cancelled, client, cancelAt, Pick(ClientCancelReasons));
            return history;
        }

        if (confirmAt is { } deskConfirm)
            Move(BookingStatus.Pending, BookingStatus.Confirmed, desk, deskConfirm);
        else if (b.StartsAt > now)
        {
            // Booked while the desk was closed and it has not opened since: still waiting for confirmation.
            b.Status = BookingStatus.Pending;
            return history;
        }
        else
            // A weekend request for a weekend session: the photographer confirmed it from the board.
            Move(BookingStatus.Pending, BookingStatus.Confirmed, shooter, at + (confirmLimit - at) * (0.2 + 0.4 * rng.NextDouble()));
        // Now and then a client asks to move the session and the desk sends it back for a new time.
        if (b.Source != "walk-in" && rng.NextDouble() < 0.05
            && DeskWindow(at.AddMinutes(5), at + (confirmLimit - at) * 0.3, confirmLimit.AddHours(-1)) is { } reschedule)
        {
            Move(BookingStatus.Confirmed, BookingStatus.Pending, desk, reschedule, "Client asked to reschedule.");
            Move(BookingStatus.Pending, BookingStatus.Confirmed, desk, at.AddMinutes(rng.Next(5, 60)));
        }
        if (target == BookingStatus.Confirmed) return history;

        if (target == BookingStatus.NoShow)
        {
            // Whoever waited for the client marks it: the desk if staffed, else the photographer.
            Move(BookingStatus.Confirmed, BookingStatus.NoShow, t => (OnDuty(t) ?? draft.Photographer ?? staff.Manager).UserId,
                b.StartsAt.AddMinutes(rng.Next(15, 40)), Pick(NoShowReasons));
            return history;
        }

        Move(BookingStatus.Confirmed, BookingStatus.Shooting, shooter, b.StartsAt.AddMinutes(rng.Next(-5, 8)));
        if (target == BookingStatus.Shooting) return history;

        Move(BookingStatus.Shooting, BookingStatus.Editing, shooter, b.EndsAt.AddMinutes(rng.Next(2, 30)));
        if (draft.Service.NeedsPhotographer && rng.NextDouble() < 0.03)
        {
            Move(BookingStatus.Editing, BookingStatus.Shooting, shooter, at.AddMinutes(rng.Next(5, 20)), "A few frames reshot.");
            Move(BookingStatus.Shooting, BookingStatus.Editing, shooter, at.AddMinutes(rng.Next(20, 40)));
        }
        if (target == BookingStatus.Editing) return history;

        Move(BookingStatus.Editing, BookingStatus.Delivered, shooter, draft.DeliverAt ?? at.AddMinutes(30));
        // Sometimes a client asks for more retouching after delivery.
        if (draft.Service.NeedsPhotographer && rng.NextDouble() < 0.06
            && DeskWindow(at.AddHours(1), at.AddHours(rng.Next(2, 24)), now.AddDays(-1)) is { } complaint)
        {
            Move(BookingStatus.Delivered, BookingStatus.Editing, desk, complaint, "Client asked for extra retouching.");
            Move(BookingStatus.Editing, BookingStatus.Delivered, shooter, at.AddHours(rng.Next(4, 24)));
        }
        return history;
    }
}
