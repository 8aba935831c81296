using PhotoStudio.Data;

namespace PhotoStudio.Features.Board;

/// <summary>
/// The booking state machine: which status may follow which (README, "Booking statuses"). Cancelled and NoShow end a
/// booking; a few moves step back (Confirmed → Pending, Editing → Shooting, Delivered → Editing).
/// </summary>
public static class StatusFlow
{
    private static readonly Dictionary<BookingStatus, BookingStatus[]> Moves = new()
    {
        [BookingStatus.Pending] = [BookingStatus.Confirmed, BookingStatus.Cancelled],
        [BookingStatus.Confirmed] = [BookingStatus.Shooting, BookingStatus.Cancelled, BookingStatus.NoShow, BookingStatus.Pending],
        [BookingStatus.Shooting] = [BookingStatus.Editing],
        [BookingStatus.Editing] = [BookingStatus.Delivered, BookingStatus.Shooting],
        [BookingStatus.Delivered] = [BookingStatus.Editing],
        [BookingStatus.Cancelled] = [],
        [BookingStatus.NoShow] = [],
    };

    /// <summary>The board's columns, in workflow order.</summary>
    public static IReadOnlyList<BookingStatus> Active { get; } =
        [BookingStatus.Pending, BookingStatus.Confirmed, BookingStatus.Shooting, BookingStatus.Editing, BookingStatus.Delivered];

    /// <summary>The columns behind the "cancelled and no-show" filter.</summary>
    public static IReadOnlyList<BookingStatus> Closed { get; } = [BookingStatus.Cancelled, BookingStatus.NoShow];

    public static bool CanMove(BookingStatus from, BookingStatus to) => Moves[from].Contains(to);

    public static IReadOnlyList<BookingStatus> Targets(BookingStatus from) => Moves[from];

    /// <summary>Ending a booking (cancel, no-show) frees its slot and needs a reason the studio can read later.</summary>
    public static bool Ends(BookingStatus to) => to is BookingStatus.Cancelled or BookingStatus.NoShow;
}
