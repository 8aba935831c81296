using Microsoft.EntityFrameworkCore;
using MimeKit;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Notifications;

/// <summary>
/// Writes the email for an outbox row from the booking as it is when the row is sent. Returns null when the message
/// no longer applies (a reminder for a booking since cancelled or moved), which the sender records as withdrawn.
/// </summary>
public sealed class MessageComposer(StudioDb db, ManageLinks links)
{
    public async Task<MimeMessage?> ComposeAsync(Notification row, CancellationToken ct)
    {
        var settings = await db.Settings.AsNoTracking().SingleAsync(ct);
        var booking = await db.Bookings.AsNoTracking().Where(b => b.Id == row.BookingId).Select(b => new
        {
            b.Code, b.Status, b.Revision, b.StartsAt, b.EndsAt, b.ManageTokenSealed, b.Language,
            Service = b.Service!.Name, Room = b.Room!.Name, Photographer = b.Photographer!.FullName, Client = b.Client!.Name,
        }).SingleAsync(ct);
        if (NotificationKind.IsReminder(row.Kind) && (row.Revision != booking.Revision
                || booking.Status is not (BookingStatus.Pending or BookingStatus.Confirmed)))
            return null;

        var zone = TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone);
        var starts = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(booking.StartsAt, DateTimeKind.Utc), zone);
        var message = new MimeMessage
        {
            MessageId = MessageIds.For(row.Id, links.Host),
            Subject = $"{settings.Name}: {row.Kind} {booking.Code}",
        };
        message.From.Add(new MailboxAddress(settings.SenderName is { Length: > 0 } n ? n : settings.Name,
            settings.SenderEmail is { Length: > 0 } e ? e : settings.Email is { Length: > 0 } se ? se : "studio@localhost"));
        message.To.Add(MailboxAddress.Parse(row.Recipient));
        var manage = links.ManageUrl(booking.ManageTokenSealed);
        message.Body = new TextPart("plain")
        {
            Text = $"{booking.Service}, {starts:yyyy-MM-dd HH:mm} ({zone.Id}), {booking.Room}.\n{manage}\n",
        };
        return message;
    }
}

/// <summary>The Message-ID of an outbox row: the same on every attempt, so a receiver can tell a repeat.</summary>
public static class MessageIds
{
    public static string For(long notificationId, string host) => $"notification-{notificationId}@{host}";
}
