using PhotoStudio.Data;
using PhotoStudio.Features.Board;

namespace PhotoStudio.Tests.Features.Board;

public class StatusFlowTests
{
    // The allowed moves of README's "Booking statuses", written out pair by pair apart from StatusFlow itself.
    private static readonly HashSet<(BookingStatus, BookingStatus)> Allowed =
    [
        (BookingStatus.Pending, BookingStatus.Confirmed), (BookingStatus.Pending, BookingStatus.Cancelled),
        (BookingStatus.Confirmed, BookingStatus.Shooting), (BookingStatus.Confirmed, BookingStatus.Cancelled),
        (BookingStatus.Confirmed, BookingStatus.NoShow), (BookingStatus.Confirmed, BookingStatus.Pending),
        (BookingStatus.Shooting, BookingStatus.Editing),
        (BookingStatus.Editing, BookingStatus.Delivered), (BookingStatus.Editing, BookingStatus.Shooting),
        (BookingStatus.Delivered, BookingStatus.Editing),
    ];

    public static TheoryData<BookingStatus, BookingStatus> EveryPair()
    {
        var data = new TheoryData<BookingStatus, BookingStatus>();
        foreach (var from in Enum.GetValues<BookingStatus>())
            foreach (var to in Enum.GetValues<BookingStatus>())
                data.Add(from, to);
        return data;
    }

    [Theory, MemberData(nameof(EveryPair))]
    public void A_move_is_allowed_exactly_when_the_readme_lists_it(BookingStatus from, BookingStatus to) =>
        Assert.Equal(Allowed.Contains((from, to)), StatusFlow.CanMove(from, to));

    [Fact]
    public void Cancelled_and_no_show_are_final_and_need_a_reason()
    {
        Assert.Empty(StatusFlow.Targets(BookingStatus.Cancelled));
        Assert.Empty(StatusFlow.Targets(BookingStatus.NoShow));
        Assert.True(StatusFlow.Ends(BookingStatus.Cancelled));
        Assert.True(StatusFlow.Ends(BookingStatus.NoShow));
        Assert.False(StatusFlow.Ends(BookingStatus.Delivered));
    }

    [Fact]
    public void The_board_shows_the_workflow_in_order_and_the_endings_behind_a_filter()
    {
        Assert.Equal([BookingStatus.Pending, BookingStatus.Confirmed, BookingStatus.Shooting, BookingStatus.Editing, BookingStatus.Delivered],
            StatusFlow.Active);
        Assert.Equal([BookingStatus.Cancelled, BookingStatus.NoShow], StatusFlow.Closed);
    }
}
