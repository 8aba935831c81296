using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Booking;

/// <summary>
/// The RFC 5545 calendar file of one session (Ical.Net escapes, folds and ends lines with CRLF). Times are in UTC
/// ("Z"), which every calendar shows in its own zone correctly; the UID comes from the booking code, so a
/// re-download updates the event instead of adding a second one.
/// </summary>
public static class BookingIcs
{
    public static string Write(BookingSummary booking, string location, DateTimeOffset stamp)
    {
        var calendar = new Ical.Net.Calendar { ProductId = "-//PhotoStudio//Booking//EN", Scale = "GREGORIAN", Method = CalendarMethods.Publish };
        calendar.Events.Add(new CalendarEvent
        {
            Uid = $"{booking.Code}@photostudio",
            DtStamp = Utc(stamp),
            DtStart = Utc(booking.LocalStart),
            DtEnd = Utc(booking.LocalEnd),
            Summary = $"{booking.Service} · {booking.StudioName}",
            Location = location,
            Description = $"Booking {booking.Code}. Room: {booking.Room}." + (booking.Photographer is null ? "" : $" Photographer: {booking.Photographer}."),
            Status = booking.Status switch
            {
                BookingStatus.Cancelled or BookingStatus.NoShow => EventStatus.Cancelled,
                BookingStatus.Pending => EventStatus.Tentative,
                _ => EventStatus.Confirmed,
            },
        });
        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    private static CalDateTime Utc(DateTimeOffset value) => new(value.UtcDateTime);
}
