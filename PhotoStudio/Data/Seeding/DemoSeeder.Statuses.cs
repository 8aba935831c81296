namespace PhotoStudio.Data.Seeding;

/// <summary>The statuses: each booking's from where its session lies relative to now, and every board column filled.</summary>
public partial class DemoSeeder
{
    /// <summary>Where a booking stands today, from where its session lies relative to now.</summary>
    private BookingStatus ChooseStatus(DateOnly day, DateTime start, DateTime end, Service service, out DateTime? deliverAt)
    {
        deliverAt = null;
        var r = rng.NextDouble();
        if (start > now)
        {
            if (r < 0.08) return BookingStatus.Cancelled;
            // The nearer the session, the likelier the studio has confirmed it already.
            var confirmedShare = start - now < TimeSpan.FromDays(2) ? 0.9 : start - now < TimeSpan.FromDays(7) ? 0.7 : 0.45;
            return rng.NextDouble() < confirmedShare ? BookingStatus.Confirmed : BookingStatus.Pending;
        }
        if (end > now) return BookingStatus.Shooting;
        if (r < 0.08) return BookingStatus.Cancelled;
        if (r < 0.15) return BookingStatus.NoShow;
        // Nobody has moved a session that ended in the last hour off "Shooting" yet.
        if (day == today && now - end < TimeSpan.FromHours(1)) return BookingStatus.Shooting;
        deliverAt = service.NeedsPhotographer
            ? Second(end.AddDays(rng.Next(1, 7)).AddMinutes(rng.Next(-120, 300)))
            : Second(end.AddMinutes(rng.Next(10, 40)));
        return deliverAt <= now ? BookingStatus.Delivered : BookingStatus.Editing;
    }

    /// <summary>
    /// The board should show every column whatever the time of day the seed runs, so a missing status is
    /// made from a booking that can take it without freeing or taking a slot differently (live to live, or
    /// live to cancelled/no-show).
    /// </summary>
    private void EnsureEveryStatus(List<Draft> drafts)
    {
        void Ensure(BookingStatus status, Func<Draft, bool> candidate, bool latestFirst)
        {
            if (drafts.Any(d => d.Booking.Status == status)) return;
            var ordered = latestFirst ? drafts.OrderByDescending(d => d.Booking.StartsAt) : drafts.OrderBy(d => d.Booking.StartsAt);
            if (ordered.FirstOrDefault(candidate) is not { } pick) return;
            pick.Booking.Status = status;
            if (status != BookingStatus.Delivered) pick.DeliverAt = null;
        }

        bool Past(Draft d) => d.Booking.EndsAt <= now && Booking.IsLive(d.Booking.Status);
        bool Future(Draft d, BookingStatus s) => d.Booking.StartsAt > now && d.Booking.Status == s;

        Ensure(BookingStatus.Shooting, d => Past(d) && d.Booking.Status != BookingStatus.Shooting, latestFirst: true);
        Ensure(BookingStatus.Editing, d => Past(d) && d.Booking.Status == BookingStatus.Delivered && d.Service.NeedsPhotographer, latestFirst: true);
        Ensure(BookingStatus.NoShow, d => Past(d) && d.Booking.Status == BookingStatus.Delivered, latestFirst: false);
        Ensure(BookingStatus.Cancelled, d => Future(d, BookingStatus.Pending), latestFirst: true);
        Ensure(BookingStatus.Pending, d => Future(d, BookingStatus.Confirmed), latestFirst: true);
        Ensure(BookingStatus.Confirmed, d => Future(d, BookingStatus.Pending), latestFirst: false);
    }
}
