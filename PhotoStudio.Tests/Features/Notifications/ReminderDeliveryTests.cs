using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>The whole path with the scheduler running: a due reminder is queued by its sweep and reaches a real SMTP server once.</summary>
public class ReminderDeliveryTests(NotificationApp app) : IClassFixture<NotificationApp>
{
    [Fact]
    public async Task A_due_reminder_reaches_the_mail_server_once_with_a_stable_message_id()
    {
        _ = app.Server; // starts the app and its scheduler
        var startsAt = DateTime.UtcNow.AddHours(20);
        await app.ClearAroundAsync(startsAt);
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, startsAt: startsAt);
        await using (var db = app.NewDb())
            await db.Bookings.Where(b => b.Id == booking.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.ScheduledAt, startsAt.AddDays(-3)));

        var received = await app.Smtp.WaitForAsync(1, TimeSpan.FromSeconds(30), m => m.To.Mailboxes.Any(a => a.Address == booking.Client!.Email));

        var message = Assert.Single(received);
        await using var check = app.NewDb();
        var row = await check.Notifications.SingleAsync(n => n.BookingId == booking.Id);
        Assert.Equal("reminder-1440", row.Kind);
        Assert.Equal(NotificationStatus.Sent, row.Status);
        Assert.Equal(message.MessageId, row.ProviderMessageId);
    }
}
