using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Features.Board;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>
/// The sweeps and the sender run by the test, one call at a time, against a real SMTP server: what an undeliverable
/// address does, which reminders a booking is owed as it changes, and what expiry does to an unconfirmed request.
/// The tests about time put the app's clock on the day before a Monday of their own.
/// </summary>
public class OutboxSweepTests(ManualNotificationApp app) : IClassFixture<ManualNotificationApp>
{
    [Fact]
    public async Task An_undeliverable_address_fails_after_the_maximum_attempts_and_holds_up_no_other_message()
    {
        await SetAsync(s => s.MaxSendAttempts, 3);
        var refused = await app.AddBookingAsync(BookingStatus.Pending);
        var others = new[] { await app.AddBookingAsync(BookingStatus.Pending), await app.AddBookingAsync(BookingStatus.Pending) };
        var address = $"reject-{Guid.NewGuid():N}@example.test";
        // ops/test searches the run's logs for what is remembered here: the address must not reach a log line.
        TestSecrets.Remember(address);
        await app.SetClientEmailAsync(refused, address);
        foreach (var booking in others.Prepend(refused)) await app.MoveAsync(booking.Id, BookingStatus.Confirmed);

        await app.SendDueAsync();

        foreach (var other in others)
        {
            var row = Assert.Single(await app.OutboxAsync(other.Id));
            Assert.Equal((NotificationStatus.Sent, 1), (row.Status, row.Attempts));
            Assert.Equal(row.ProviderMessageId, Assert.Single(app.Smtp.To(other.Client!.Email)).MessageId);
        }
        var first = Assert.Single(await app.OutboxAsync(refused.Id));
        Assert.Equal((NotificationStatus.Pending, 1), (first.Status, first.Attempts));
        for (var attempt = 2; attempt <= 3; attempt++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(5));
            await app.SendDueAsync();
            Assert.Equal(attempt, Assert.Single(await app.OutboxAsync(refused.Id)).Attempts);
        }
        var failed = Assert.Single(await app.OutboxAsync(refused.Id));
        Assert.Equal(NotificationStatus.Failed, failed.Status);
        Assert.StartsWith("550 ", failed.LastError);
        Assert.Empty(app.Smtp.To(address));
    }

    [Fact]
    public async Task An_address_no_mail_program_would_take_fails_at_once_and_the_messages_behind_it_still_go_out()
    {
        var unreadable = await app.AddBookingAsync(BookingStatus.Pending);
        var next = await app.AddBookingAsync(BookingStatus.Pending);
        await app.SetClientEmailAsync(unreadable, "no address@@example..test");
        await app.MoveAsync(unreadable.Id, BookingStatus.Confirmed);
        await app.MoveAsync(next.Id, BookingStatus.Confirmed);

        await app.SendDueAsync();

        var row = Assert.Single(await app.OutboxAsync(unreadable.Id));
        Assert.Equal((NotificationStatus.Failed, 1), (row.Status, row.Attempts));
        Assert.StartsWith("The message could not be written", row.LastError);
        Assert.Single(app.Smtp.To(next.Client!.Email));
    }

    [Fact]
    public async Task A_message_the_server_took_before_the_connection_broke_stays_sent_and_is_not_sent_again()
    {
        var dropped = await app.AddBookingAsync(BookingStatus.Pending);
        var next = await app.AddBookingAsync(BookingStatus.Pending);
        var address = $"drop-{Guid.NewGuid():N}@example.test";
        await app.SetClientEmailAsync(dropped, address);
        await app.MoveAsync(dropped.Id, BookingStatus.Confirmed);
        await app.MoveAsync(next.Id, BookingStatus.Confirmed);

        await app.SendDueAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.SendDueAsync();

        var row = Assert.Single(await app.OutboxAsync(dropped.Id));
        Assert.Equal((NotificationStatus.Sent, 1), (row.Status, row.Attempts));
        Assert.Contains("may not have arrived", row.LastError);
        Assert.Equal(row.ProviderMessageId, Assert.Single(app.Smtp.To(address)).MessageId);
        Assert.Single(app.Smtp.To(next.Client!.Email));
    }

    [Fact]
    public async Task A_booking_moved_before_its_reminder_went_out_is_reminded_of_the_new_time_only()
    {
        var startsAt = TestBookings.NextMonday();
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, startsAt: startsAt);
        app.Clock.MoveTo(startsAt.AddHours(-22));
        await app.QueueRemindersAsync();
        var owed = Assert.Single(await app.OutboxAsync(booking.Id));
        Assert.Equal((NotificationKind.Reminder(1440), 0), (owed.Kind, owed.Revision));

        // To 15:00 the same day: its 24-hour reminder falls due three hours from now.
        var moved = await ReassignAsync(booking, startsAt.AddHours(5));
        Assert.IsAssignableFrom<Outcome.Done>(moved);
        await app.SendDueAsync();
        app.Clock.MoveTo(startsAt.AddHours(5 - 24).AddMinutes(5));
        await app.QueueRemindersAsync();
        await app.SendDueAsync();

        var rows = await app.OutboxAsync(booking.Id);
        var old = rows.Single(n => n.Id == owed.Id);
        Assert.Equal(NotificationStatus.Withdrawn, old.Status);
        Assert.Null(old.SentAt);
        var reminder = Assert.Single(rows, n => NotificationKind.IsReminder(n.Kind) && n.Id != owed.Id);
        Assert.Equal((NotificationKind.Reminder(1440), 1, NotificationStatus.Sent), (reminder.Kind, reminder.Revision, reminder.Status));
        var received = app.Smtp.To(booking.Client!.Email).Select(m => m.MessageId).ToList();
        Assert.Contains(reminder.ProviderMessageId, received);
        Assert.Equal(2, received.Count); // the reminder and the "rescheduled" message
    }

    [Fact]
    public async Task A_cancelled_booking_gets_no_reminder()
    {
        var startsAt = TestBookings.NextMonday();
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, startsAt: startsAt);
        app.Clock.MoveTo(startsAt.AddHours(-20));
        await app.QueueRemindersAsync();
        await app.MoveAsync(booking.Id, BookingStatus.Cancelled, "The client called to cancel");
        await app.SendDueAsync();
        app.Clock.MoveTo(startsAt.AddHours(-1));
        await app.QueueRemindersAsync();
        await app.SendDueAsync();

        var rows = await app.OutboxAsync(booking.Id);
        Assert.Equal(new[] { (NotificationKind.Reminder(1440), NotificationStatus.Withdrawn), (NotificationKind.Cancelled, NotificationStatus.Sent) },
            rows.Select(n => (n.Kind, n.Status)));
        var message = Assert.Single(app.Smtp.To(booking.Client!.Email));
        Assert.Equal(rows[1].ProviderMessageId, message.MessageId);
    }

    [Fact]
    public async Task A_session_booked_three_hours_ahead_gets_the_two_hour_reminder_and_not_the_day_before_one()
    {
        var startsAt = TestBookings.NextMonday();
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, startsAt: startsAt);
        app.Clock.MoveTo(startsAt.AddHours(-3));
        await using (var db = app.NewDb())
            await db.Bookings.Where(b => b.Id == booking.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.ScheduledAt, startsAt.AddHours(-3)));

        await app.QueueRemindersAsync();
        Assert.Empty(await app.OutboxAsync(booking.Id));
        app.Clock.MoveTo(startsAt.AddHours(-2).AddMinutes(5));
        await app.QueueRemindersAsync();
        await app.SendDueAsync();

        var reminder = Assert.Single(await app.OutboxAsync(booking.Id));
        Assert.Equal((NotificationKind.Reminder(120), NotificationStatus.Sent), (reminder.Kind, reminder.Status));
        Assert.Equal(reminder.ProviderMessageId, Assert.Single(app.Smtp.To(booking.Client!.Email)).MessageId);
    }

    [Fact]
    public async Task Reminder_sweeps_run_at_once_and_again_queue_each_reminder_once()
    {
        var monday = TestBookings.NextMonday();
        var startTimes = new[] { monday, monday.AddMinutes(90), monday.AddMinutes(180) };
        var bookings = new List<PhotoStudio.Data.Booking>();
        foreach (var startsAt in startTimes) bookings.Add(await app.AddBookingAsync(BookingStatus.Confirmed, startsAt: startsAt));
        app.Clock.MoveTo(monday.AddHours(-20));

        var atOnce = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => app.QueueRemindersAsync()));
        var again = await app.QueueRemindersAsync();

        Assert.Equal((3, 0), (atOnce.Sum(), again));
        var rows = await app.OutboxAsync([.. bookings.Select(b => b.Id)]);
        Assert.Equal(bookings.Select(b => (b.Id, NotificationKind.Reminder(1440))), rows.OrderBy(n => n.BookingId).Select(n => (n.BookingId, n.Kind)));
    }

    [Fact]
    public async Task An_unconfirmed_request_expires_frees_its_slot_tells_the_board_and_the_client_and_a_confirmed_one_is_left_alone()
    {
        var startsAt = TestBookings.NextMonday();
        app.Clock.MoveTo(startsAt.AddHours(-48));
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var expiring = await app.AddBookingAsync(BookingStatus.Pending, startsAt: startsAt);
        var confirmed = await app.AddBookingAsync(BookingStatus.Pending, startsAt: startsAt.AddHours(2));
        var recent = await app.AddBookingAsync(BookingStatus.Pending, startsAt: startsAt.AddHours(4));
        await using (var db = app.NewDb())
        {
            await db.Bookings.Where(b => b.Id == expiring.Id || b.Id == confirmed.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.CreatedAt, now.AddHours(-2)));
            await db.Bookings.Where(b => b.Id == recent.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.CreatedAt, now.AddMinutes(-30)));
        }
        await app.MoveAsync(confirmed.Id, BookingStatus.Confirmed);
        await Assert.ThrowsAsync<DbUpdateException>(() => app.AddBookingAsync(BookingStatus.Pending, startsAt: startsAt));
        await SetAsync(s => s.ExpirePendingAfterHours, 1);
        try
        {
            await using var scope = app.Scope();
            await scope.ServiceProvider.GetRequiredService<ExpirySweep>().ExpireAsync(CancellationToken.None);
        }
        finally
        {
            await SetAsync(s => s.ExpirePendingAfterHours, 0);
        }
        await app.SendDueAsync();

        var expired = await app.ReloadAsync(expiring.Id);
        Assert.Equal(BookingStatus.Cancelled, expired.Status);
        var change = expired.History.OrderBy(h => h.Id).Last();
        Assert.Equal((BookingStatus.Pending, BookingStatus.Cancelled, "system", ExpirySweep.Reason), (change.From, change.To, change.By, change.Reason));
        Assert.Equal(BookingStatus.Confirmed, (await app.ReloadAsync(confirmed.Id)).Status);
        Assert.Equal(BookingStatus.Pending, (await app.ReloadAsync(recent.Id)).Status);
        await using (var db = app.NewDb())
            Assert.True(await db.BoardEvents.AnyAsync(e => e.BookingId == expiring.Id && e.Kind == "cancelled"));
        await app.AddBookingAsync(BookingStatus.Pending, startsAt: startsAt); // the slot is free again

        var told = Assert.Single(await app.OutboxAsync(expiring.Id));
        Assert.Equal((NotificationKind.Expired, NotificationStatus.Sent), (told.Kind, told.Status));
        Assert.Equal(told.ProviderMessageId, Assert.Single(app.Smtp.To(expiring.Client!.Email)).MessageId);
    }

    private async Task<Outcome> ReassignAsync(PhotoStudio.Data.Booking booking, DateTime startsAt)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(startsAt, TestClock.StudioZone);
        var staff = await app.ReceptionAsync();
        var version = (await app.ReloadAsync(booking.Id)).Version;
        await using var scope = app.Scope();
        return await scope.ServiceProvider.GetRequiredService<BoardService>().ReassignAsync(booking.Id, version, booking.RoomId,
            booking.PhotographerId, DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local), staff, CancellationToken.None);
    }

    private async Task SetAsync(Expression<Func<StudioSettings, int>> setting, int value)
    {
        await using var db = app.NewDb();
        await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(setting, value));
    }
}
