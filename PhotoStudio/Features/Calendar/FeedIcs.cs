using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using PhotoStudio.Data;
using PhotoStudio.Features.Notifications;

namespace PhotoStudio.Features.Calendar;

/// <summary>A booking as a staff calendar feed shows it: nothing of the client but the first name.</summary>
public record FeedEvent(int Id, string Code, int Revision, DateTime StartsAt, DateTime EndsAt, DateTime UpdatedAt, BookingStatus Status,
    string Service, string Room, string Client);

/// <summary>
/// The RFC 5545 text of a staff calendar feed. It depends on the bookings alone (DTSTAMP is the booking's last
/// change, not the moment of the request), so the same bookings give the same bytes and the ETag made from them
/// holds until something visible changes. UIDs are the booking code at the studio's host and SEQUENCE its revision,
/// so a calendar app replaces a moved session instead of adding a second one.
/// </summary>
public static class FeedIcs
{
    public static string Write(string name, IEnumerable<FeedEvent> events, ManageLinks links)
    {
        var calendar = new Ical.Net.Calendar { ProductId = "-//PhotoStudio//Feed//EN", Scale = "GREGORIAN", Method = CalendarMethods.Publish };
        calendar.AddProperty("X-WR-CALNAME", name);
        foreach (var e in events)
        {
            var panel = links.Absolute($"/board/bookings/{e.Id}");
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"{e.Code}@{links.Host}",
                Sequence = e.Revision,
                DtStamp = Utc(e.UpdatedAt),
                DtStart = Utc(e.StartsAt),
                DtEnd = Utc(e.EndsAt),
                Summary = $"{e.Code} · {e.Service} · {e.Room} · {FirstName(e.Client)}",
                Location = e.Room,
                Description = panel,
                Url = new Uri(panel),
                Status = e.Status == BookingStatus.Pending ? EventStatus.Tentative : EventStatus.Confirmed,
            });
        }
        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    /// <summary>The first word of the client's name: enough to greet them, too little to identify them.</summary>
    public static string FirstName(string name) =>
        name.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is [var first, ..] ? first : "";

    private static CalDateTime Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
