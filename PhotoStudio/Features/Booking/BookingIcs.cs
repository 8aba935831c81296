using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Booking;

/// <summary>
/// What a booking's calendar event says. <see cref="Uid"/> and <see cref="Sequence"/> make it one event over its
/// life: every copy of it (the download, each email's attachment) has the same UID, and the booking's revision as
/// SEQUENCE, so a calendar app moves or removes the event it has instead of adding another.
/// </summary>
/// <param name="Uid">The booking code at the studio's host (<see cref="BookingIcs.Uid"/>).</param>
/// <param name="Sequence">The booking's <see cref="Data.Booking.Revision"/>.</param>
public sealed record BookingEvent(string Uid, int Sequence, DateTimeOffset Start, DateTimeOffset End, BookingStatus Status,
    string Summary, string Location, string Description);

/// <summary>Who sends an invitation (an email's ORGANIZER) and to whom it goes (its ATTENDEE).</summary>
public sealed record Invitation(string OrganizerEmail, string OrganizerName, string AttendeeEmail);

/// <summary>
/// The RFC 5545 calendar file of one session (Ical.Net escapes, folds and ends lines with CRLF), the one builder for
/// the download (<c>METHOD:PUBLISH</c>) and for the studio's emails (RFC 5546 <c>METHOD:REQUEST</c>, or
/// <c>METHOD:CANCEL</c> with <c>STATUS:CANCELLED</c>). Times are in UTC ("Z"), which every calendar shows in its own
/// zone correctly.
/// </summary>
public static class BookingIcs
{
    public const string Publish = CalendarMethods.Publish;
    public const string Request = CalendarMethods.Request;
    public const string Cancel = CalendarMethods.Cancel;

    /// <summary>The event's UID: the booking code at the host of the studio's public address.</summary>
    public static string Uid(string code, string host) => $"{code}@{host}";

    public static string Summary(string service, string studioName) => $"{service} · {studioName}";

    /// <summary>The download's description (the emails write theirs in the booking's language).</summary>
    public static string Description(string code, string room, string? photographer) =>
        $"Booking {code}. Room: {room}." + (photographer is null ? "" : $" Photographer: {photographer}.");

    /// <summary>The file the confirmation page and the client's page offer for download.</summary>
    public static string Write(BookingSummary booking, string location, string host, DateTimeOffset stamp) =>
        Write(new BookingEvent(Uid(booking.Code, host), booking.Revision, booking.LocalStart, booking.LocalEnd, booking.Status,
            Summary(booking.Service, booking.StudioName), location, Description(booking.Code, booking.Room, booking.Photographer)),
            Publish, stamp);

    /// <param name="method"><see cref="Publish"/>, <see cref="Request"/> or <see cref="Cancel"/>.</param>
    /// <param name="invitation">For REQUEST and CANCEL, which RFC 5546 wants with an organizer and an attendee.</param>
    public static string Write(BookingEvent booking, string method, DateTimeOffset stamp, Invitation? invitation = null)
    {
        var calendar = new Ical.Net.Calendar { ProductId = "-//PhotoStudio//Booking//EN", Scale = "GREGORIAN", Method = method };
        var e = new CalendarEvent
        {
            Uid = booking.Uid,
            Sequence = booking.Sequence,
            DtStamp = Utc(stamp),
            DtStart = Utc(booking.Start),
            DtEnd = Utc(booking.End),
            Summary = booking.Summary,
            Location = booking.Location,
            Description = booking.Description,
            Status = method == Cancel ? EventStatus.Cancelled : booking.Status switch
            {
                BookingStatus.Cancelled or BookingStatus.NoShow => EventStatus.Cancelled,
                BookingStatus.Pending => EventStatus.Tentative,
                _ => EventStatus.Confirmed,
            },
        };
        if (invitation is not null)
        {
            e.Organizer = new Organizer("mailto:" + invitation.OrganizerEmail) { CommonName = Parameter(invitation.OrganizerName) };
            // Already settled between client and studio: nothing for the client's calendar to answer.
            e.Attendees.Add(new Attendee("mailto:" + invitation.AttendeeEmail)
            {
                Role = ParticipationRole.RequiredParticipant,
                ParticipationStatus = EventParticipationStatus.Accepted,
                Rsvp = false,
            });
        }
        calendar.Events.Add(e);
        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    private static CalDateTime Utc(DateTimeOffset value) => new(value.UtcDateTime);

    /// <summary>A parameter value cannot hold a double quote or a control character (RFC 5545 §3.1, param-value).</summary>
    private static string Parameter(string value) => string.Concat(value.Where(c => c != '"' && !char.IsControl(c)));
}
