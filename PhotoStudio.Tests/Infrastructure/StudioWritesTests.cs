using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Infrastructure;

/// <summary>The one write path, against real PostgreSQL: every refusal of the database becomes an outcome, never a 500.</summary>
public class StudioWritesTests(StudioApp app) : IClassFixture<StudioApp>
{
    private async Task<Outcome> RunAsync(Func<WriteScope, Task<Outcome>> work)
    {
        await using var scope = app.Scope();
        var outcome = await scope.ServiceProvider.GetRequiredService<StudioWrites>().RunAsync(work, CancellationToken.None);
        // A refused write leaves nothing behind: the next write of this request starts from a clean change tracker.
        if (outcome is not Outcome.Done) Assert.Empty(scope.ServiceProvider.GetRequiredService<StudioDb>().ChangeTracker.Entries());
        return outcome;
    }

    private async Task<Room> NewRoomAsync()
    {
        await using var db = app.NewDb();
        var room = new Room { Name = $"Room {Guid.NewGuid():N}", Capacity = 4, Color = "#123456" };
        db.Rooms.Add(room);
        await db.SaveChangesAsync();
        return room;
    }

    [Fact]
    public async Task A_done_write_commits_the_change_with_its_board_event_and_then_runs_what_waits_for_the_commit()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        var committed = false;
        var outcome = await RunAsync(async w =>
        {
            var row = await w.Db.Bookings.SingleAsync(b => b.Id == booking.Id);
            row.ClientNotes = "Bring the red dress";
            w.Announce(row, "edited", DateTime.UtcNow);
            w.AfterCommit(() => committed = true);
            return Outcome.With(row.Code);
        });

        Assert.Equal(booking.Code, Assert.IsType<Outcome.Done<string>>(outcome).Value);
        Assert.True(committed);
        await using var db = app.NewDb();
        Assert.Equal("Bring the red dress", (await db.Bookings.SingleAsync(b => b.Id == booking.Id)).ClientNotes);
        Assert.True(await db.BoardEvents.AnyAsync(e => e.BookingId == booking.Id && e.Kind == "edited"));
    }

    [Fact]
    public async Task A_write_that_is_not_done_rolls_back_even_the_sql_it_ran()
    {
        var room = await NewRoomAsync();
        var committed = false;
        var outcome = await RunAsync(async w =>
        {
            await w.Db.Database.ExecuteSqlAsync($"UPDATE rooms SET capacity = 9 WHERE id = {room.Id}");
            w.AfterCommit(() => committed = true);
            return Outcome.Because("Not today.");
        });

        Assert.Equal(Outcome.Because("Not today."), outcome);
        Assert.False(committed);
        await using var db = app.NewDb();
        Assert.Equal(4, (await db.Rooms.SingleAsync(r => r.Id == room.Id)).Capacity);
    }

    [Fact]
    public async Task An_exclusion_violation_becomes_slot_taken()
    {
        var first = await app.AddBookingAsync(BookingStatus.Confirmed);
        var second = await app.AddBookingAsync(BookingStatus.Confirmed, photographerEmail: "ivan@demo.studio");
        var outcome = await RunAsync(async w =>
        {
            var row = await w.Db.Bookings.SingleAsync(b => b.Id == second.Id);
            var room = await w.Db.Rooms.SingleAsync(r => r.Id == row.RoomId);
            row.Block(first.StartsAt, first.EndsAt, room); // the same room at the same time
            w.Announce(row, "reassigned", DateTime.UtcNow);
            return Outcome.Ok;
        });

        Assert.IsType<Outcome.SlotTaken>(outcome);
        Assert.Equal(second.StartsAt, (await app.ReloadAsync(second.Id)).StartsAt);
        await using var db = app.NewDb();
        Assert.False(await db.BoardEvents.AnyAsync(e => e.BookingId == second.Id && e.Kind == "reassigned"));
    }

    [Fact]
    public async Task A_unique_violation_becomes_a_form_error_or_what_the_write_says_its_constraint_means()
    {
        var taken = await NewRoomAsync();
        var generic = await RunAsync(w =>
        {
            w.Db.Rooms.Add(new Room { Name = taken.Name, Capacity = 2, Color = "#000000" });
            return Task.FromResult<Outcome>(Outcome.Ok);
        });
        Assert.Equal(Outcome.Field("", StudioWrites.Conflicting), generic);

        var named = await RunAsync(w =>
        {
            w.Db.Rooms.Add(new Room { Name = taken.Name, Capacity = 2, Color = "#000000" });
            w.OnViolation("ix_rooms_name", Outcome.Field(nameof(Room.Name), "There is already one called “{0}”.", taken.Name));
            return Task.FromResult<Outcome>(Outcome.Ok);
        });
        Assert.Equal(Outcome.Field(nameof(Room.Name), "There is already one called “{0}”.", taken.Name), named);
        await using var db = app.NewDb();
        Assert.Equal(1, await db.Rooms.CountAsync(r => r.Name == taken.Name));
    }

    [Fact]
    public async Task A_check_violation_becomes_a_form_error()
    {
        var room = await NewRoomAsync();
        var outcome = await RunAsync(async w =>
        {
            (await w.Db.Rooms.SingleAsync(r => r.Id == room.Id)).Capacity = 0;
            return Outcome.Ok;
        });

        Assert.Equal(Outcome.Field("", StudioWrites.NotAllowed), outcome);
        await using var db = app.NewDb();
        Assert.Equal(4, (await db.Rooms.SingleAsync(r => r.Id == room.Id)).Capacity);
    }

    [Fact]
    public async Task A_foreign_key_violation_becomes_a_refusal()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending, room: (await NewRoomAsync()).Name);
        var outcome = await RunAsync(async w =>
        {
            w.Db.Rooms.Remove(await w.Db.Rooms.SingleAsync(r => r.Id == booking.RoomId));
            return Outcome.Ok;
        });

        Assert.Equal(Outcome.Because(StudioWrites.InUse), outcome);
        await using var db = app.NewDb();
        Assert.True(await db.Rooms.AnyAsync(r => r.Id == booking.RoomId));
    }

    [Fact]
    public async Task A_save_over_a_version_someone_else_replaced_becomes_stale_and_overwrites_nothing()
    {
        var room = await NewRoomAsync();
        await using (var other = app.NewDb())
            await other.Rooms.Where(r => r.Id == room.Id).ExecuteUpdateAsync(r => r.SetProperty(x => x.Capacity, 6));

        var outcome = await RunAsync(async w =>
        {
            var row = await w.Db.Rooms.SingleAsync(r => r.Id == room.Id);
            w.Expect(row, room.Version, touch: nameof(Room.Name)); // the version this user saw, before the other save
            row.HourlyRate = 99;
            return Outcome.Ok;
        });

        Assert.Equal(new Outcome.Stale(), outcome);
        await using var db = app.NewDb();
        var now = await db.Rooms.SingleAsync(r => r.Id == room.Id);
        Assert.Equal((6, 0m), (now.Capacity, now.HourlyRate));
    }

    [Fact]
    public async Task A_touched_row_gets_a_new_version_even_when_none_of_its_columns_changed()
    {
        var room = await NewRoomAsync();
        var outcome = await RunAsync(async w =>
        {
            w.Expect(await w.Db.Rooms.SingleAsync(r => r.Id == room.Id), room.Version, touch: nameof(Room.Name));
            return Outcome.Ok;
        });

        Assert.IsType<Outcome.Done>(outcome);
        await using var db = app.NewDb();
        Assert.NotEqual(room.Version, (await db.Rooms.SingleAsync(r => r.Id == room.Id)).Version);
    }
}
