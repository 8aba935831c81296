using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using MimeKit;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;

namespace PhotoStudio.Features.Notifications;

/// <summary>
/// Writes the email for an outbox row from the booking as it is when the row is sent (two queries: the settings,
/// then the booking with everything the message names). The message is in the row's language (English or Russian):
/// its words from <see cref="MailResource"/>, dates and prices formatted in that culture, times on the studio's
/// clock with the zone named. HTML and plain text (<see cref="MailBody"/>); client messages carry their manage link
/// and, when they are about the session itself, its calendar event (<see cref="BookingIcs"/>) as an attachment.
/// </summary>
/// <remarks>
/// Returns null when the message no longer applies, which the sender records as withdrawn: a reminder whose booking
/// is no longer Pending or Confirmed, whose time moved on (another revision) or has passed; an assignment whose
/// photographer is no longer this recipient; a client message whose client was erased or whose address on file is
/// no longer the recipient (a corrected typo must not send the manage link to the wrong person). An address no mail
/// server would take throws <see cref="FormatException"/>: the sender marks that row failed for staff to see.
/// </remarks>
public sealed class MessageComposer(StudioDb db, ManageLinks links, IStringLocalizer<MailResource> M, TimeProvider clock)
{
    public async Task<MimeMessage?> ComposeAsync(Notification row, CancellationToken ct)
    {
        var settings = await db.Settings.AsNoTracking().SingleAsync(ct);
        var booking = await db.Bookings.AsNoTracking().Where(b => b.Id == row.BookingId).Select(b => new MailFacts
        {
            Id = b.Id, Code = b.Code, Status = b.Status, Revision = b.Revision, StartsAt = b.StartsAt, EndsAt = b.EndsAt,
            Price = b.Price, Currency = b.Currency, Guests = b.Guests, ClientNotes = b.ClientNotes, ManageTokenSealed = b.ManageTokenSealed,
            Service = b.Service!.Name, Room = b.Room!.Name,
            Photographer = b.Photographer != null ? b.Photographer.FullName : null,
            PhotographerEmail = b.Photographer != null ? b.Photographer.User!.Email : null,
            ClientName = b.Client!.Name, ClientEmail = b.Client.Email, ClientErased = b.Client.ErasedAt != null,
            CancelledBy = b.History.Where(h => h.To == BookingStatus.Cancelled)
                .OrderByDescending(h => h.At).ThenByDescending(h => h.Id).Select(h => h.By).FirstOrDefault(),
        }).SingleOrDefaultAsync(ct);
        if (booking is null || !StillApplies(row, booking)) return null;
        // Not "no longer relevant" but a failure staff must see and fix (the sender marks the row failed).
        if (!MailboxAddress.TryParse(row.Recipient, out var to))
            throw new FormatException("The recipient's address is not one a mail server would take; correct it and send again.");

        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        var language = row.Language == "ru" ? "ru" : "en";
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
        try
        {
            return Compose(row, settings, booking, to, language);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
        }
    }

    private bool StillApplies(Notification row, MailFacts b)
    {
        if (NotificationKind.IsReminder(row.Kind))
            return row.Revision == b.Revision && b.Status is BookingStatus.Pending or BookingStatus.Confirmed
                && b.StartsAt > clock.GetUtcNow().UtcDateTime;
        if (row.Kind == NotificationKind.Assigned)
            return string.Equals(b.PhotographerEmail, row.Recipient, StringComparison.OrdinalIgnoreCase);
        if (NotificationKind.IsForStaff(row.Kind)) return true;
        return !b.ClientErased && string.Equals(b.ClientEmail, row.Recipient, StringComparison.OrdinalIgnoreCase);
    }

    private MimeMessage Compose(Notification row, StudioSettings settings, MailFacts b, MailboxAddress to, string language)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var start = TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(b.StartsAt, DateTimeKind.Utc)), zone);
        var end = TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(b.EndsAt, DateTimeKind.Utc)), zone);
        var when = M["{0:ddd d MMM yyyy}, {0:HH:mm}–{1:HH:mm} ({2})", start.DateTime, end.DateTime, zone.Id].Value;
        var shortWhen = M["{0:ddd d MMM}, {0:HH:mm}", start.DateTime].Value;
        var studio = settings.Name;
        var staff = NotificationKind.IsForStaff(row.Kind);
        var senderName = settings.SenderName is { Length: > 0 } n ? n : studio;
        var from = Mailbox(senderName, settings.SenderEmail) ?? Mailbox(senderName, settings.Email)
            ?? new MailboxAddress(senderName, $"no-reply@{links.Host}");

        (LocalizedString Subject, LocalizedString Heading, LocalizedString[] Lead) words = row.Kind switch
        {
            NotificationKind.Received => (M["{0}: booking request {1} received", studio, b.Code], M["Booking request received"],
                [M["Thank you for your booking request. The studio will confirm it shortly, and we will write to you as soon as it does."]]),
            NotificationKind.Confirmed => (M["{0}: booking {1} confirmed", studio, b.Code], M["Your session is confirmed"],
                [M["Your session is confirmed. We look forward to seeing you!"]]),
            NotificationKind.Rescheduled => (M["{0}: booking {1} moved to a new time", studio, b.Code], M["Your session has a new time"],
                [M["Your session has been moved. This is the new time:"]]),
            NotificationKind.Cancelled when b.CancelledBy == "client" => (M["{0}: booking {1} cancelled", studio, b.Code], M["Booking cancelled"],
                [M["Your booking has been cancelled, as you asked."]]),
            NotificationKind.Cancelled => (M["{0}: booking {1} cancelled", studio, b.Code], M["Booking cancelled"],
                [M["We are sorry: the studio has had to cancel your booking. Please get in touch if you would like another time."]]),
            NotificationKind.Expired => (M["{0}: booking request {1} not confirmed in time", studio, b.Code], M["Booking request not confirmed"],
                [M["We are sorry: the studio could not confirm your booking request in time, so it has been cancelled and the time released. You are welcome to book again."]]),
            NotificationKind.ThankYou => (M["{0}: thank you for your session ({1})", studio, b.Code], M["Thank you!"],
                [M["Thank you for your session with us! We hope you enjoy your photos, and we would be glad to see you again."]]),
            NotificationKind.ManageLink => (M["{0}: your link to booking {1}", studio, b.Code], M["Your booking link"],
                [M["Here is your new link to see, reschedule or cancel your booking. Links sent before no longer work."]]),
            NotificationKind.NewBooking => (M["{0}: new booking {1} – {2}, {3}", studio, b.Code, b.Service, shortWhen], M["New booking {0}", b.Code],
                [M["A new booking came in through the website."]]),
            NotificationKind.Assigned => (M["{0}: you are photographing {1} – {2}, {3}", studio, b.Code, b.Service, shortWhen],
                M["Session {0} is yours", b.Code], [M["You are the photographer for this session."]]),
            _ when NotificationKind.IsReminder(row.Kind) => Reminder(studio, b.Code, start, zone),
            _ => (M["{0}: booking {1}", studio, b.Code], M["Your booking"], []),
        };
        var (subject, heading, lead) = words;

        var body = new MailBody().Heading(heading);
        if (!staff) body.Paragraph(M["Hello {0},", b.ClientName]);
        foreach (var paragraph in lead) body.Paragraph(paragraph);
        string? method = null;
        if (staff)
        {
            body.Facts([
                (M["Booking code"], b.Code), (M["Status"], Status(b.Status)), (M["Session"], b.Service), (M["When"], when),
                (M["Room"], b.Room), (M["Photographer"], b.Photographer), (M["Client"], b.ClientName),
                (M["Number of people"], b.Guests.ToString(CultureInfo.CurrentCulture)), (M["Client's notes"], b.ClientNotes),
                (M["Price"], Price(b)),
            ]);
            body.Button(M["Open the booking"], links.Absolute($"/board/bookings/{b.Id}"));
        }
        else
        {
            body.Facts([
                (M["Booking code"], b.Code), (M["Status"], Status(b.Status)), (M["Session"], b.Service), (M["When"], when),
                (M["Room"], b.Room), (M["Photographer"], b.Photographer), (M["Price"], Price(b)), (M["Address"], settings.Address),
            ]);
            var ended = row.Kind is NotificationKind.Cancelled or NotificationKind.Expired;
            if (ended || row.Kind == NotificationKind.ThankYou)
            {
                body.Button(M["See your booking"], links.ManageUrl(b.ManageTokenSealed));
                body.Link(M["Book a session"], links.Absolute("/book"));
            }
            else
            {
                body.Button(M["See or change your booking"], links.ManageUrl(b.ManageTokenSealed));
                body.Note(M["Keep this link to yourself: whoever has it can change your booking."]);
            }
            // Every copy of the event has the booking's UID and revision: a cancellation removes it, a new time moves
            // it. A message about the booking as it was (sent late, after a cancellation) carries none, so it cannot
            // bring a cancelled session back into the calendar.
            if (NotificationKind.CarriesEvent(row.Kind))
                method = ended ? BookingIcs.Cancel : Data.Booking.IsLive(b.Status) ? BookingIcs.Request : null;
            if (method is not null)
                body.Note(method == BookingIcs.Cancel ? M["The attached calendar file removes the session from your calendar."]
                    : M["Open the attached calendar file to add the session to your calendar."]);
        }
        body.Footer(studio, settings.Address, settings.Phone, settings.Email,
            staff ? M["Sent to the studio's staff about booking {0}.", b.Code] : M["This email is about your booking {0}.", b.Code]);

        var builder = new BodyBuilder { TextBody = body.ToText(), HtmlBody = body.ToHtml(language, subject) };
        if (method is not null)
        {
            var ics = BookingIcs.Write(
                new BookingEvent(BookingIcs.Uid(b.Code, links.Host), b.Revision, start, end, b.Status, BookingIcs.Summary(b.Service, studio),
                    settings.Address, b.Photographer is null ? M["Booking {0}. Room: {1}.", b.Code, b.Room] : M["Booking {0}. Room: {1}. Photographer: {2}.", b.Code, b.Room, b.Photographer]),
                method, clock.GetUtcNow(), new Invitation(from.Address, from.Name ?? studio, to.Address));
            var type = new ContentType("text", "calendar");
            type.Parameters.Add("method", method);
            type.Charset = "utf-8";
            if (builder.Attachments.Add($"booking-{b.Code}.ics", Encoding.UTF8.GetBytes(ics), type) is MimePart part)
                part.ContentTransferEncoding = ContentEncoding.Base64;
        }

        var message = new MimeMessage
        {
            MessageId = MessageIds.For(row.Id, links.Host),
            Subject = subject,
            Body = builder.ToMessageBody(),
        };
        message.From.Add(from);
        message.To.Add(to);
        if (Mailbox(studio, settings.Email) is { } studioAddress && !string.Equals(studioAddress.Address, from.Address, StringComparison.OrdinalIgnoreCase))
            message.ReplyTo.Add(studioAddress);
        message.Body.Headers.Add(HeaderId.ContentLanguage, language); // a Content-* header belongs to the MIME entity
        message.Headers.Add("Auto-Submitted", "auto-generated"); // RFC 3834: no vacation replies to it
        return message;
    }

    /// <summary>
    /// A reminder names its lead time as people say it: "in 2 hours, at 10:00" when it is close, else "today at
    /// 10:00", "tomorrow at 10:00" or the date. Counted from the moment it is written, so a late one is still right.
    /// </summary>
    private (LocalizedString, LocalizedString, LocalizedString[]) Reminder(string studio, string code, DateTimeOffset start, TimeZoneInfo zone)
    {
        var now = clock.GetUtcNow();
        var left = start - now;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var day = DateOnly.FromDateTime(start.DateTime);
        string lead;
        if (left <= TimeSpan.FromHours(6))
        {
            var soon = left >= TimeSpan.FromMinutes(90)
                ? MailPlural.Pick(M["in {0} hour|in {0} hours"], (int)Math.Round(left.TotalHours, MidpointRounding.AwayFromZero))
                : MailPlural.Pick(M["in {0} minute|in {0} minutes"], Math.Max(5, (int)Math.Round(left.TotalMinutes / 5, MidpointRounding.AwayFromZero) * 5));
            lead = M["{0}, at {1:HH:mm}", soon, start.DateTime];
        }
        else if (day == today) lead = M["today at {0:HH:mm}", start.DateTime];
        else if (day == today.AddDays(1)) lead = M["tomorrow at {0:HH:mm}", start.DateTime];
        else lead = M["on {0:dddd d MMMM} at {0:HH:mm}", start.DateTime];
        return (M["{0}: reminder, your session {1} ({2})", studio, lead, code], M["Your session is coming up"],
            [M["A reminder: your session is {0}.", lead]]);
    }

    private string Status(BookingStatus status) => status switch
    {
        BookingStatus.Pending => M["Awaiting confirmation"],
        BookingStatus.Confirmed => M["Confirmed"],
        BookingStatus.Shooting => M["Shooting now"],
        BookingStatus.Editing => M["Photos in editing"],
        BookingStatus.Delivered => M["Photos delivered"],
        BookingStatus.Cancelled => M["Cancelled"],
        _ => M["Not attended"],
    };

    private static string Price(MailFacts b) => $"{b.Price.ToString("0.00", CultureInfo.CurrentCulture)} {b.Currency}";

    private static MailboxAddress? Mailbox(string name, string email) =>
        email.Length > 0 && MailboxAddress.TryParse(email, out var parsed) ? new MailboxAddress(name, parsed.Address) : null;

    /// <summary>What a message says about its booking, read in one query.</summary>
    private sealed class MailFacts
    {
        public int Id { get; init; }
        public required string Code { get; init; }
        public BookingStatus Status { get; init; }
        public int Revision { get; init; }
        public DateTime StartsAt { get; init; }
        public DateTime EndsAt { get; init; }
        public decimal Price { get; init; }
        public required string Currency { get; init; }
        public int Guests { get; init; }
        public required string ClientNotes { get; init; }
        public string? ManageTokenSealed { get; init; }
        public required string Service { get; init; }
        public required string Room { get; init; }
        public string? Photographer { get; init; }
        public string? PhotographerEmail { get; init; }
        public required string ClientName { get; init; }
        public required string ClientEmail { get; init; }
        public bool ClientErased { get; init; }
        /// <summary>Who cancelled: "client", "system" or a staff user's id.</summary>
        public string? CancelledBy { get; init; }
    }
}

/// <summary>
/// Plurals of <see cref="MailResource"/>: a value "one|other" (English) or "one|few|many" (Russian), the count as {0}.
/// </summary>
public static class MailPlural
{
    public static string Pick(LocalizedString forms, int count)
    {
        var choices = forms.Value.Split('|');
        var index = choices.Length == 3 ? Russian(count) : count == 1 ? 0 : 1;
        return string.Format(CultureInfo.CurrentCulture, choices[Math.Min(index, choices.Length - 1)], count);
    }

    private static int Russian(int n) =>
        (n % 10, n % 100) switch
        {
            (1, not 11) => 0,
            (>= 2 and <= 4, < 12 or > 14) => 1,
            _ => 2,
        };
}

/// <summary>The Message-ID of an outbox row: the same on every attempt, so a receiver can tell a repeat.</summary>
public static class MessageIds
{
    public static string For(long notificationId, string host) => $"notification-{notificationId}@{host}";
}
