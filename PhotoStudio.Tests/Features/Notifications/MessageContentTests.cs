using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Support;
using BookingRow = PhotoStudio.Data.Booking;

namespace PhotoStudio.Tests.Features.Notifications;

/// <summary>
/// What each email says, as received by a real SMTP server: each situation made through the app's own paths (the
/// wizard, /my, the board; the sweeps for reminders and expiry), then the message read back with MimeKit, its
/// calendar file with python3-icalendar, and its links followed into the app.
/// </summary>
public class MessageContentTests(NotificationApp app) : IClassFixture<NotificationApp>
{
    private const string Site = NotificationApp.PublicUrl;
    private const string Studio = "Lumen Photo Studio";
    private const string Address = "Lychener Straße 42, 10437 Berlin";
    private const string Phone = "+49 30 2345 6700";
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en");
    private static readonly CultureInfo Ru = CultureInfo.GetCultureInfo("ru");
    private static readonly string[] StaffAddresses = ["desk@lumen.test", "owner@lumen.test"];

    [Fact]
    public async Task A_booking_made_in_russian_reaches_the_client_in_russian_and_the_staff_and_photographer_with_every_fact()
    {
        await using (var db = app.NewDb())
        {
            var settings = await db.Settings.SingleAsync();
            settings.StaffRecipients = [.. StaffAddresses];
            await db.SaveChangesAsync();
        }
        const string name = "<script>alert('x')</script> Ольга & Co";
        const string notes = "<b>Свет из окна</b>, пожалуйста";
        var client = app.NewClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ru");
        var (code, manage, email) = await BookAsync(client, name, notes, guests: 3);
        var booking = await LoadAsync(code);
        Assert.Equal("ru", booking.Language);

        var received = await MailAsync(booking, NotificationKind.Received, email);
        Assert.Equal($"{Studio}: заявка {code} получена", received.Message.Subject);
        Assert.Equal("ru", received.Message.Body!.Headers[HeaderId.ContentLanguage]);
        Assert.Contains("Спасибо за заявку", received.Text);
        AssertClientMessage(received, booking, Ru);
        // The client's name is text in the HTML, never markup; the plain text has it as typed.
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Ольга &amp; Co", received.Html);
        Assert.Empty(received.Document.QuerySelectorAll("script"));
        Assert.Contains($"Здравствуйте, {name}!", received.Text);
        Assert.Contains($"Здравствуйте, {name}!", received.Document.Body!.TextContent);
        // The same link as the confirmation page's, and it opens this booking.
        Assert.Equal(manage, received.ManageLink);
        await AssertOpensBookingAsync(received.ManageLink!, code);
        var ics = await CalendarAsync(received, "REQUEST");
        AssertEvent(ics, booking, "REQUEST", sequence: 0, "TENTATIVE");
        Assert.Equal($"Запись {code}. Зал: {booking.Room!.Name}. Фотограф: {booking.Photographer!.FullName}.", ics.Description);
        Assert.Equal($"mailto:{email}", ics.Attendee, ignoreCase: true);
        Assert.Equal("mailto:hello@lumen.example.com", ics.Organizer);
        // Without a sender of its own, the studio's name and address send it.
        var from = Assert.Single(received.Message.From.Mailboxes);
        Assert.Equal((Studio, "hello@lumen.example.com"), (from.Name, from.Address));
        Assert.Empty(received.Message.ReplyTo);

        // The studio's addresses hear of the new booking, in the booking's language, with a link to the board.
        foreach (var staff in StaffAddresses)
        {
            var mail = await MailAsync(booking, NotificationKind.NewBooking, staff);
            Assert.StartsWith($"{Studio}: новая запись {code} — Portrait session, ", mail.Message.Subject);
            AssertStaffMessage(mail, booking, Ru);
            Assert.Contains("Количество человек: 3", mail.Text);
            Assert.Contains($"Комментарий клиента: {notes}", mail.Text);
            Assert.Contains("&lt;b&gt;Свет из окна&lt;/b&gt;", mail.Html);
            Assert.Empty(mail.Document.QuerySelectorAll("b"));
        }
        var staffLink = (await MailAsync(booking, NotificationKind.NewBooking, StaffAddresses[0])).BoardLink!;
        Assert.Equal($"{Site}/board/bookings/{booking.Id}", staffLink);
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var panel = await reception.GetDocumentAsync(staffLink[Site.Length..]);
        Assert.Contains(code, panel.Body!.TextContent);

        // The photographer the wizard found hears of it at their own address.
        var assigned = await MailAsync(booking, NotificationKind.Assigned, booking.Photographer.User!.Email!.ToLowerInvariant());
        Assert.StartsWith($"{Studio}: вы снимаете {code} — Portrait session, ", assigned.Message.Subject);
        Assert.Contains("Вы — фотограф на этой съёмке.", assigned.Text);
        AssertStaffMessage(assigned, booking, Ru);
    }

    [Fact]
    public async Task A_client_who_books_moves_and_cancels_on_their_page_gets_each_message_in_english_with_the_event_updated()
    {
        await app.ChangeSettingsAsync(db => db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.CancelCutoffHours, 1).SetProperty(x => x.RescheduleCutoffHours, 1)));
        var client = app.NewClient();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB");
        var (code, manage, email) = await BookAsync(client, "Ivan Client", notes: "", guests: 1);
        var booking = await LoadAsync(code);

        var received = await MailAsync(booking, NotificationKind.Received, email);
        Assert.Equal($"{Studio}: booking request {code} received", received.Message.Subject);
        Assert.Equal("en", received.Message.Body!.Headers[HeaderId.ContentLanguage]);
        Assert.Contains("Hello Ivan Client,", received.Text);
        Assert.Contains("Status: Awaiting confirmation", received.Text);
        AssertClientMessage(received, booking, En);
        AssertEvent(await CalendarAsync(received, "REQUEST"), booking, "REQUEST", sequence: 0, "TENTATIVE");

        // Moved on /my: a new time, one more in the event's sequence.
        var path = new Uri(manage).AbsolutePath;
        var visitor = app.NewClient();
        var month = await visitor.GetDocumentAsync(path + "/reschedule");
        var dayPage = await visitor.GetDocumentAsync(month.QuerySelectorAll("a.day-free").Last().GetAttribute("href")!);
        var newStart = dayPage.QuerySelectorAll<IHtmlButtonElement>("#slots-form button.slot").Last().Value;
        Assert.Equal(HttpStatusCode.SeeOther, (await visitor.SubmitAsync(dayPage.QuerySelector<IHtmlFormElement>("#slots-form")!,
            new Dictionary<string, string> { ["start"] = newStart })).StatusCode);
        booking = await LoadAsync(code);
        Assert.Equal(1, booking.Revision);
        var rescheduled = await MailAsync(booking, NotificationKind.Rescheduled, email);
        Assert.Equal($"{Studio}: booking {code} moved to a new time", rescheduled.Message.Subject);
        AssertClientMessage(rescheduled, booking, En);
        AssertEvent(await CalendarAsync(rescheduled, "REQUEST"), booking, "REQUEST", sequence: 1, "TENTATIVE");

        // Cancelled on /my: the client's own cancellation, and the event is cancelled in their calendar.
        var page = await visitor.GetDocumentAsync(path);
        Assert.Equal(HttpStatusCode.SeeOther, (await visitor.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#cancel-form")!,
            new Dictionary<string, string> { ["reason"] = "Ill" })).StatusCode);
        booking = await LoadAsync(code);
        var cancelled = await MailAsync(booking, NotificationKind.Cancelled, email);
        Assert.Equal($"{Studio}: booking {code} cancelled", cancelled.Message.Subject);
        Assert.Contains("Your booking has been cancelled, as you asked.", cancelled.Text);
        Assert.DoesNotContain("the studio has had to cancel", cancelled.Text);
        AssertClientMessage(cancelled, booking, En);
        AssertEvent(await CalendarAsync(cancelled, "CANCEL"), booking, "CANCEL", sequence: 2, "CANCELLED");
    }

    [Fact]
    public async Task Board_moves_tell_the_client_of_the_confirmation_and_the_studios_cancellation_and_the_new_photographer_of_the_session()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Pending, client: "Board Client");
        var token = await LinkAsync(booking.Id);
        var email = booking.Client!.Email;
        var reception = await app.SignedInClientAsync("reception@demo.studio");

        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, booking.Id, BookingStatus.Confirmed)).StatusCode);
        var confirmed = await MailAsync(await LoadAsync(booking.Code), NotificationKind.Confirmed, email);
        Assert.Equal($"{Studio}: booking {booking.Code} confirmed", confirmed.Message.Subject);
        Assert.Contains("Your session is confirmed. We look forward to seeing you!", confirmed.Text);
        Assert.Equal($"{Site}/my/{token}", confirmed.ManageLink);
        AssertClientMessage(confirmed, await LoadAsync(booking.Code), En);
        AssertEvent(await CalendarAsync(confirmed, "REQUEST"), await LoadAsync(booking.Code), "REQUEST", sequence: 0, "CONFIRMED");

        // Maria takes the session over: she is told, at her own address.
        var current = await LoadAsync(booking.Code);
        await using (var db = app.NewDb())
        {
            var maria = await db.Employees.Where(e => e.User!.Email == "maria@demo.studio").Select(e => e.Id).SingleAsync();
            var local = TimeZoneInfo.ConvertTimeFromUtc(current.StartsAt, Berlin);
            var response = await reception.HtmxAsync(HttpMethod.Post, $"/board/bookings/{booking.Id}/reassign", new Dictionary<string, string>
            {
                ["version"] = current.Version.ToString(), ["room"] = current.RoomId.ToString(), ["photographer"] = maria.ToString(),
                ["date"] = local.ToString("yyyy-MM-dd"), ["time"] = local.ToString("HH:mm"),
            }, tokenFromPage: "/board");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        current = await LoadAsync(booking.Code);
        var assigned = await MailAsync(current, NotificationKind.Assigned, "maria@demo.studio");
        Assert.Equal($"{Studio}: you are photographing {booking.Code} – Portrait session, {TimeZoneInfo.ConvertTimeFromUtc(current.StartsAt, Berlin).ToString("ddd d MMM, HH:mm", En)}",
            assigned.Message.Subject);
        Assert.Contains("Photographer: Maria Sokolova", assigned.Text);
        AssertStaffMessage(assigned, current, En);

        // The studio cancels: the client reads that it was the studio, never the staff's reason.
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, booking.Id, BookingStatus.Cancelled, "Storm damage in the loft")).StatusCode);
        current = await LoadAsync(booking.Code);
        var cancelled = await MailAsync(current, NotificationKind.Cancelled, email);
        Assert.Contains("the studio has had to cancel your booking", cancelled.Text);
        Assert.DoesNotContain("as you asked", cancelled.Text);
        Assert.DoesNotContain("Storm", cancelled.Text + cancelled.Html);
        Assert.Equal($"{Site}/book", cancelled.Document.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).Single(h => h!.EndsWith("/book")));
        AssertEvent(await CalendarAsync(cancelled, "CANCEL"), current, "CANCEL", sequence: 1, "CANCELLED");

        // Delivered: a thank-you, which is not about a time, so it carries no event; without a sealed token the
        // link is the page where a client asks for a fresh one.
        var delivered = await app.AddBookingAsync(BookingStatus.Editing, client: "Delivered Client");
        Assert.Equal(HttpStatusCode.OK, (await MoveAsync(reception, delivered.Id, BookingStatus.Delivered)).StatusCode);
        var thanks = await MailAsync(await LoadAsync(delivered.Code), NotificationKind.ThankYou, delivered.Client!.Email);
        Assert.Equal($"{Studio}: thank you for your session ({delivered.Code})", thanks.Message.Subject);
        Assert.Null(thanks.Calendar);
        Assert.Equal($"{Site}/my", thanks.ManageLink);
        AssertClientMessage(thanks, await LoadAsync(delivered.Code), En);
    }

    [Fact]
    public async Task The_sweeps_send_reminders_that_name_their_lead_time_and_tell_of_an_expired_request_and_withdraw_what_no_longer_applies()
    {
        var now = DateTime.UtcNow;
        now = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc); // times in a calendar file are whole seconds
        // 24 hours ahead (English): "today at" or "tomorrow at", as the studio's calendar has it.
        var dayAhead = now.AddHours(20);
        var tomorrow = await ReminderBookingAsync(dayAhead, "en", dayAhead.AddDays(-3));
        var dayMail = await MailAsync(tomorrow, NotificationKind.Reminder(1440), tomorrow.Client!.Email);
        var local = TimeZoneInfo.ConvertTimeFromUtc(dayAhead, Berlin);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, Berlin));
        var lead = (DateOnly.FromDateTime(local) == today ? "today at " : "tomorrow at ") + local.ToString("HH:mm", En);
        Assert.Equal($"{Studio}: reminder, your session {lead} ({tomorrow.Code})", dayMail.Message.Subject);
        Assert.Contains($"A reminder: your session is {lead}.", dayMail.Text);
        AssertClientMessage(dayMail, tomorrow, En);
        AssertEvent(await CalendarAsync(dayMail, "REQUEST"), tomorrow, "REQUEST", sequence: 0, "CONFIRMED");

        // 2 hours ahead (Russian): "in 2 hours".
        var soonStart = now.AddMinutes(115);
        var soon = await ReminderBookingAsync(soonStart, "ru", soonStart.AddHours(-3));
        var soonMail = await MailAsync(soon, NotificationKind.Reminder(120), soon.Client!.Email);
        var at = TimeZoneInfo.ConvertTimeFromUtc(soonStart, Berlin).ToString("HH:mm", Ru);
        Assert.Equal($"{Studio}: напоминание — ваша съёмка через 2 часа, в {at} ({soon.Code})", soonMail.Message.Subject);
        Assert.Contains($"Напоминаем: ваша съёмка через 2 часа, в {at}.", soonMail.Text);
        AssertClientMessage(soonMail, soon, Ru);

        // A reminder still queued for a booking since cancelled is withdrawn, never sent.
        var gone = await app.AddBookingAsync(BookingStatus.Cancelled);
        long withdrawn;
        await using (var db = app.NewDb())
        {
            var row = new Notification
            {
                BookingId = gone.Id, Kind = NotificationKind.Reminder(1440), Recipient = gone.Client!.Email, Language = "en",
                Status = NotificationStatus.Pending, NextAttemptAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow,
            };
            db.Notifications.Add(row);
            await db.SaveChangesAsync();
            withdrawn = row.Id;
        }

        // A request nobody confirmed in time is cancelled by the expiry sweep, and the client told so.
        var stale = await app.AddBookingAsync(BookingStatus.Pending, client: "Late Client");
        await LinkAsync(stale.Id);
        await using (var db = app.NewDb())
        {
            await db.Bookings.Where(b => b.Id == stale.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.CreatedAt, DateTime.UtcNow.AddYears(-2)));
            // The longest the settings allow, a year: only this request waited that long.
            await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpirePendingAfterHours, 8760));
        }
        try
        {
            var expired = await MailAsync(stale, NotificationKind.Expired, stale.Client!.Email);
            var after = await LoadAsync(stale.Code);
            Assert.Equal(BookingStatus.Cancelled, after.Status);
            Assert.Equal($"{Studio}: booking request {stale.Code} not confirmed in time", expired.Message.Subject);
            Assert.Contains("could not confirm your booking request in time", expired.Text);
            Assert.Contains("Status: Cancelled", expired.Text);
            AssertClientMessage(expired, after, En);
            AssertEvent(await CalendarAsync(expired, "CANCEL"), after, "CANCEL", sequence: 1, "CANCELLED");
        }
        finally
        {
            await using var db = app.NewDb();
            await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpirePendingAfterHours, 0));
        }

        await using (var db = app.NewDb())
        {
            var row = await db.Notifications.SingleAsync(n => n.Id == withdrawn);
            Assert.Equal(NotificationStatus.Withdrawn, row.Status);
        }
        Assert.DoesNotContain(app.Smtp.Messages(), m => m.MessageId == MessageIds.For(withdrawn, "studio.test"));
    }

    [Fact]
    public async Task A_fresh_manage_link_goes_to_the_clients_address_alone_from_the_studios_sender_and_opens_the_booking()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, client: "Link Client");
        var token = await LinkAsync(booking.Id);
        long elsewhere;
        await using (var db = app.NewDb())
        {
            await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.SenderName, "Lumen Bookings").SetProperty(x => x.SenderEmail, "bookings@lumen.test"));
            await db.Bookings.Where(b => b.Id == booking.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Language, "ru"));
            // One for the client, and one for an address that is not (or no longer) the client's.
            var stray = new Notification
            {
                BookingId = booking.Id, Kind = NotificationKind.ManageLink, Recipient = "someone.else@example.org", Language = "ru",
                Status = NotificationStatus.Pending, NextAttemptAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow,
            };
            db.Notifications.AddRange(stray, new Notification
            {
                BookingId = booking.Id, Kind = NotificationKind.ManageLink, Recipient = booking.Client!.Email, Language = "ru",
                Status = NotificationStatus.Pending, NextAttemptAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
            elsewhere = stray.Id;
        }
        try
        {
            var mail = await MailAsync(booking, NotificationKind.ManageLink, booking.Client!.Email);
            Assert.Equal($"{Studio}: ссылка на вашу запись {booking.Code}", mail.Message.Subject);
            Assert.Equal($"{Site}/my/{token}", mail.ManageLink);
            Assert.Contains($"{Site}/my/{token}", mail.Text);
            Assert.Null(mail.Calendar);
            var from = Assert.Single(mail.Message.From.Mailboxes);
            Assert.Equal(("Lumen Bookings", "bookings@lumen.test"), (from.Name, from.Address));
            Assert.Equal("hello@lumen.example.com", Assert.Single(mail.Message.ReplyTo.Mailboxes).Address);
            AssertClientMessage(mail, await LoadAsync(booking.Code), Ru, sender: "bookings@lumen.test");
            await AssertOpensBookingAsync(mail.ManageLink!, booking.Code);

            await using var db = app.NewDb();
            var stray = await db.Notifications.SingleAsync(n => n.Id == elsewhere);
            Assert.Equal(NotificationStatus.Withdrawn, stray.Status);
            Assert.DoesNotContain(app.Smtp.Messages(), m => m.To.Mailboxes.Any(a => a.Address == "someone.else@example.org"));
        }
        finally
        {
            await using var db = app.NewDb();
            await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.SenderName, "").SetProperty(x => x.SenderEmail, ""));
        }
    }

    // ---- making the situations -------------------------------------------------------------------------------

    /// <summary>Books the first free Portrait session through the wizard; returns the code, the manage link and the address.</summary>
    private async Task<(string Code, string ManageLink, string Email)> BookAsync(HttpClient client, string name, string notes, int guests)
    {
        var (_, start) = await WizardTests.ChooseATimeAsync(app, client: client);
        Assert.Equal(HttpStatusCode.SeeOther, (await WizardTests.PostStartAsync(client, start)).StatusCode);
        var email = $"mail.{Guid.NewGuid():N}@example.org";
        Assert.Equal(HttpStatusCode.SeeOther, (await client.SubmitAsync("/book/details", "#details-form", new Dictionary<string, string>
        {
            ["Name"] = name, ["Email"] = email, ["Phone"] = "+49 30 1234567", ["Guests"] = guests.ToString(), ["Notes"] = notes,
            ["AcceptTerms"] = "true",
        })).StatusCode);
        var confirmed = await client.SubmitAsync("/book/review", "#confirm-form");
        Assert.Equal(HttpStatusCode.SeeOther, confirmed.StatusCode);
        var done = await client.GetDocumentAsync(confirmed.Headers.Location!.OriginalString);
        var manage = done.Single("#manage-link").GetAttribute("href")!;
        Assert.StartsWith($"{Site}/my/", manage);
        TestSecrets.Remember(manage[$"{Site}/my/".Length..]);
        return (done.Single("#booking-code").TextContent, manage, email);
    }

    /// <summary>Gives a booking made in the database a manage link as the wizard would (hashed and sealed); returns its token.</summary>
    private async Task<string> LinkAsync(int bookingId)
    {
        var token = ManageToken.New();
        TestSecrets.Remember(token);
        string sealedToken;
        await using (var scope = app.Scope())
            sealedToken = scope.ServiceProvider.GetRequiredService<ManageLinks>().Seal(token);
        await using var db = app.NewDb();
        await db.Bookings.Where(b => b.Id == bookingId).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.ManageTokenHash, ManageToken.Hash(token)).SetProperty(b => b.ManageTokenSealed, sealedToken));
        return token;
    }

    /// <summary>
    /// A confirmed session soon, whose reminders become due once its time counts as set at <paramref name="scheduledAt"/>.
    /// Whatever else holds the room or photographer then (the demo's own sessions) is cancelled first.
    /// </summary>
    private async Task<BookingRow> ReminderBookingAsync(DateTime startsAt, string language, DateTime scheduledAt)
    {
        await app.ClearAroundAsync(startsAt);
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, startsAt: startsAt, client: $"Reminder Client {language}");
        await LinkAsync(booking.Id);
        // One statement: the reminder sweep must not see the time as set before the language is.
        await using (var db = app.NewDb())
            await db.Bookings.Where(b => b.Id == booking.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Language, language).SetProperty(b => b.ScheduledAt, scheduledAt));
        return await LoadAsync(booking.Code);
    }

    /// <summary>A move on the board, as the card's menu posts it (the version the card was drawn with).</summary>
    private async Task<HttpResponseMessage> MoveAsync(HttpClient client, int id, BookingStatus to, string reason = "")
    {
        BookingRow booking;
        await using (var db = app.NewDb())
            booking = await db.Bookings.AsNoTracking().SingleAsync(b => b.Id == id);
        return await client.HtmxAsync(HttpMethod.Post,
            $"/board/bookings/{id}/move?range=dates&from={booking.StartsAt:yyyy-MM-dd}&to={booking.StartsAt:yyyy-MM-dd}", new Dictionary<string, string>
            {
                ["to"] = to.ToString(), ["from"] = booking.Status.ToString(), ["version"] = booking.Version.ToString(), ["reason"] = reason,
            }, tokenFromPage: "/board");
    }

    private async Task<BookingRow> LoadAsync(string code)
    {
        await using var db = app.NewDb();
        return await db.Bookings.AsNoTracking().Include(b => b.Client).Include(b => b.Service).Include(b => b.Room)
            .Include(b => b.Photographer).ThenInclude(p => p!.User).SingleAsync(b => b.Code == code);
    }

    // ---- reading the messages --------------------------------------------------------------------------------

    private sealed record Mail(MimeMessage Message, string Html, string Text, IHtmlDocument Document, MimePart? Calendar)
    {
        private IEnumerable<string> Links => Document.QuerySelectorAll("a[href]").Select(a => a.GetAttribute("href")!);

        /// <summary>The client's link: to their booking's page, or to the page that sends a fresh one.</summary>
        public string? ManageLink => Links.FirstOrDefault(h => h == $"{Site}/my" || h.StartsWith($"{Site}/my/"));

        public string? BoardLink => Links.FirstOrDefault(h => h.StartsWith($"{Site}/board/"));
    }

    /// <summary>
    /// The message of one outbox row, as the SMTP server received it. The row is written with the change that causes
    /// it (or by a sweep, soon); its Message-ID is known from its id.
    /// </summary>
    private async Task<Mail> MailAsync(BookingRow booking, string kind, string recipient)
    {
        recipient = recipient.ToLowerInvariant();
        var row = (await Wait.UntilAsync(async () =>
        {
            await using var db = app.NewDb();
            return await db.Notifications.AsNoTracking().Where(n => n.BookingId == booking.Id && n.Kind == kind && n.Recipient == recipient)
                .OrderByDescending(n => n.Id).FirstOrDefaultAsync();
        }, found => found is not null, $"a {kind} message to {recipient} to be queued", pollMilliseconds: 100))!;
        var messageId = MessageIds.For(row.Id, "studio.test");
        var received = await app.Smtp.WaitForAsync(1, TimeSpan.FromSeconds(30), m => m.MessageId == messageId);
        if (received.Count == 0)
        {
            await using var db = app.NewDb();
            var now = await db.Notifications.AsNoTracking().SingleAsync(n => n.Id == row.Id);
            throw new Xunit.Sdk.XunitException($"the {kind} message to {recipient} did not arrive: {now.Status} {now.LastError}");
        }
        var message = Assert.Single(received);
        Assert.Equal(recipient, Assert.Single(message.To.Mailboxes).Address, ignoreCase: true);
        // HTML and plain text as alternatives of one another.
        var alternative = message.Body as MultipartAlternative ?? Assert.Single(((Multipart)message.Body!).OfType<MultipartAlternative>());
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        var calendar = message.Attachments.OfType<MimePart>().SingleOrDefault(p => p.ContentType.MimeType == "text/calendar");
        var html = message.HtmlBody!;
        return new Mail(message, html, message.TextBody!, new HtmlParser().ParseDocument(html), calendar);
    }

    /// <summary>What every client message has: the studio, the session with its local time and zone, the sender.</summary>
    private static void AssertClientMessage(Mail mail, BookingRow booking, CultureInfo culture, string sender = "hello@lumen.example.com")
    {
        AssertCommon(mail, booking, culture, sender);
        Assert.NotNull(mail.ManageLink);
        Assert.Null(mail.BoardLink);
        Assert.Contains(mail.ManageLink!, mail.Text);
    }

    /// <summary>What every staff message has, and never the client's secret link.</summary>
    private static void AssertStaffMessage(Mail mail, BookingRow booking, CultureInfo culture)
    {
        AssertCommon(mail, booking, culture, "hello@lumen.example.com");
        Assert.Null(mail.Calendar);
        Assert.DoesNotContain("/my", mail.Html + mail.Text);
        Assert.Equal($"{Site}/board/bookings/{booking.Id}", mail.BoardLink);
        Assert.Contains(booking.Client!.Name, mail.Text);
        Assert.Contains(booking.Photographer!.FullName, mail.Text);
    }

    private static void AssertCommon(Mail mail, BookingRow booking, CultureInfo culture, string sender)
    {
        Assert.Equal(sender, Assert.Single(mail.Message.From.Mailboxes).Address);
        Assert.Equal("auto-generated", mail.Message.Headers["Auto-Submitted"]);
        Assert.Contains(Studio, mail.Message.Subject);
        Assert.Contains(booking.Code, mail.Message.Subject);
        var start = TimeZoneInfo.ConvertTimeFromUtc(booking.StartsAt, Berlin);
        var end = TimeZoneInfo.ConvertTimeFromUtc(booking.EndsAt, Berlin);
        var date = start.ToString(culture.Name == "ru" ? "d MMM yyyy" : "ddd d MMM yyyy", culture);
        foreach (var body in new[] { mail.Text, mail.Document.Body!.TextContent })
        {
            Assert.Contains(Studio, body);
            Assert.Contains(Address, body);
            Assert.Contains(Phone, body);
            Assert.Contains(booking.Code, body);
            Assert.Contains(booking.Service!.Name, body);
            Assert.Contains(booking.Room!.Name, body);
            Assert.Contains($"{date}, {start:HH:mm}–{end:HH:mm} (Europe/Berlin)", body);
            Assert.Contains(booking.Price.ToString("0.00", culture) + " EUR", body);
        }
        Assert.Contains($"lang=\"{culture.Name}\"", mail.Html);
        Assert.Contains("color-scheme", mail.Html);
    }

    /// <summary>The link, followed in the test app (its host is the public address, its path the app's), shows this booking.</summary>
    private async Task AssertOpensBookingAsync(string link, string code)
    {
        Assert.StartsWith($"{Site}/my/", link);
        var page = await app.NewClient().GetDocumentAsync(link[Site.Length..]);
        Assert.Contains(code, page.QuerySelector("h1")!.TextContent);
    }

    private sealed record Event(string Method, string Uid, int Sequence, string Status, DateTime Start, DateTime End,
        string Summary, string Description, string Organizer, string Attendee);

    /// <summary>The attached calendar file, parsed by python3-icalendar.</summary>
    private static async Task<Event> CalendarAsync(Mail mail, string method)
    {
        var part = mail.Calendar ?? throw new Xunit.Sdk.XunitException("the message has no calendar file");
        Assert.Equal(method, part.ContentType.Parameters["method"]);
        Assert.Equal("utf-8", part.ContentType.Charset);
        Assert.True(part.IsAttachment);
        Assert.Matches(@"^booking-PS-[A-Z0-9]+\.ics$", part.FileName);
        using var content = new MemoryStream();
        await part.Content!.DecodeToAsync(content);
        var ics = Encoding.UTF8.GetString(content.ToArray());
        Assert.All(ics.Split("\r\n"), line => Assert.True(Encoding.UTF8.GetByteCount(line) <= 75, line));

        var python = Environment.GetEnvironmentVariable("PHOTOSTUDIO_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
        var start = new ProcessStartInfo(python, ["-c", """
            import sys, json, icalendar
            cal = icalendar.Calendar.from_ical(sys.stdin.read())
            ev = [c for c in cal.walk() if c.name == 'VEVENT'][0]
            print(json.dumps({
                'Method': str(cal['METHOD']), 'Uid': str(ev['UID']), 'Sequence': int(ev['SEQUENCE']), 'Status': str(ev['STATUS']),
                'Start': ev.decoded('DTSTART').isoformat(), 'End': ev.decoded('DTEND').isoformat(),
                'Summary': str(ev['SUMMARY']), 'Description': str(ev['DESCRIPTION']),
                'Organizer': str(ev['ORGANIZER']), 'Attendee': str(ev['ATTENDEE'])}))
            """])
        { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(ics);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error + "\n" + ics);
        using var json = JsonDocument.Parse(output);
        var e = json.RootElement;
        string S(string name) => e.GetProperty(name).GetString()!;
        return new Event(S("Method"), S("Uid"), e.GetProperty("Sequence").GetInt32(), S("Status"),
            DateTimeOffset.Parse(S("Start"), CultureInfo.InvariantCulture).UtcDateTime, DateTimeOffset.Parse(S("End"), CultureInfo.InvariantCulture).UtcDateTime,
            S("Summary"), S("Description"), S("Organizer"), S("Attendee"));
    }

    private static void AssertEvent(Event e, BookingRow booking, string method, int sequence, string status)
    {
        Assert.Equal((method, $"{booking.Code}@studio.test", sequence, status), (e.Method, e.Uid, e.Sequence, e.Status));
        Assert.Equal(booking.Revision, e.Sequence);
        Assert.Equal((DateTime.SpecifyKind(booking.StartsAt, DateTimeKind.Utc), DateTime.SpecifyKind(booking.EndsAt, DateTimeKind.Utc)), (e.Start, e.End));
        Assert.Equal($"{booking.Service!.Name} · {Studio}", e.Summary);
    }
}
