using System.Net;
using AngleSharp.Dom;
using System.Text.Json;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Tests.Features.Board;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.FrontDesk;

/// <summary>
/// The app with its clock at 08:30 on Monday 2 January 2040 in the studio (Europe/Berlin): the studio opens at 09:00,
/// so 10:00 today is inside the two-hour minimum notice, 08:00 has passed, and each test books on a Monday of its own after.
/// </summary>
public class FrontDeskApp : StudioApp
{
    public static readonly DateOnly Today = new(2040, 1, 2);

    private int weeks;

    public override Task InitializeAsync()
    {
        Clock.MoveTo(new DateTimeOffset(Today.ToDateTime(new TimeOnly(8, 30)), TimeSpan.FromHours(1)));
        return base.InitializeAsync();
    }

    /// <summary>A Monday no other test of the class books on.</summary>
    public DateOnly NextMonday() => Today.AddDays(7 * Interlocked.Increment(ref weeks));
}

public class FrontDeskTests(FrontDeskApp app) : IClassFixture<FrontDeskApp>
{
    private static readonly TimeZoneInfo Berlin = TestClock.StudioZone;

    private static DateTime Utc(DateOnly day, int hour, int minute = 0) =>
        TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, minute)), Berlin);

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd");

    private async Task<(int Portrait, int Loft, int BlackBox, int Anna, int Maria)> IdsAsync()
    {
        await using var db = app.NewDb();
        return (await db.Services.Where(s => s.Name == "Portrait session").Select(s => s.Id).SingleAsync(),
            await db.Rooms.Where(r => r.Name == "Daylight Loft").Select(r => r.Id).SingleAsync(),
            await db.Rooms.Where(r => r.Name == "Black Box").Select(r => r.Id).SingleAsync(),
            await db.Employees.Where(e => e.User!.Email == "anna@demo.studio").Select(e => e.Id).SingleAsync(),
            await db.Employees.Where(e => e.User!.Email == "maria@demo.studio").Select(e => e.Id).SingleAsync());
    }

    private async Task<Client> NewClientAsync(string name, string phone = "")
    {
        await using var db = app.NewDb();
        var client = new Client { Name = name, Email = $"{Guid.NewGuid():N}@returning.test", Phone = phone, CreatedAt = DateTime.UtcNow };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client;
    }

    private static async Task<IHtmlFormElement> FormAsync(HttpClient client, string url = "/board/new") =>
        (await client.GetDocumentAsync(url)).QuerySelector<IHtmlFormElement>("#frontdesk-form")!;

    /// <summary>The front desk's form as loaded, submitted with these values (a Portrait session unless told otherwise).</summary>
    private async Task<HttpResponseMessage> BookAsync(HttpClient client, Dictionary<string, string> values, string url = "/board/new")
    {
        var ids = await IdsAsync();
        values.TryAdd("ServiceId", ids.Portrait.ToString());
        values.TryAdd("Intent", "book");
        return await client.SubmitAsync(await FormAsync(client, url), values);
    }

    private static int BookedId(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"expected 303, got {(int)response.StatusCode}");
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/board?range=dates&", location);
        return int.Parse(location[(location.IndexOf("open=") + 5)..]);
    }

    private async Task<PhotoStudio.Data.Booking> LoadAsync(int id)
    {
        await using var db = app.NewDb();
        return await db.Bookings.AsNoTracking().Include(b => b.History).Include(b => b.Client).SingleAsync(b => b.Id == id);
    }

    private async Task<List<string>> KindsAsync(int bookingId)
    {
        await using var db = app.NewDb();
        return await db.Notifications.Where(n => n.BookingId == bookingId).OrderBy(n => n.Kind).Select(n => n.Kind).ToListAsync();
    }

    [Fact]
    public async Task A_receptionist_books_a_returning_client_from_the_board_and_the_card_appears_live()
    {
        var returning = await NewClientAsync("Olga Returning", "+49 30 555 0101");
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var board = await reception.GetDocumentAsync("/board");
        Assert.Equal("/board/new", board.Single("#new-booking").GetAttribute("href"));

        // The suggestions find the client by a fragment of the phone's digits.
        var suggestions = await reception.HtmxAsync(HttpMethod.Get, "/board/new/clients?q=5550101");
        var option = (await suggestions.ReadDocumentAsync()).Single("#client-listbox [role=option]");
        Assert.Equal(returning.Id.ToString(), option.GetAttribute("data-client-id"));

        using var stream = await EventStream.ListeningAsync(reception);
        var day = app.NextMonday();
        var response = await BookAsync(reception, new()
        {
            ["ClientId"] = returning.Id.ToString(), ["Date"] = Iso(day), ["Time"] = "10:00", ["Guests"] = "2",
            ["ClientNotes"] = "Brings a dog", ["InternalNotes"] = "Called twice", ["Source"] = "phone",
        });
        var id = BookedId(response);

        var booking = await LoadAsync(id);
        await using var db = app.NewDb();
        var receptionId = await db.Users.Where(u => u.Email == "reception@demo.studio").Select(u => u.Id).SingleAsync();
        Assert.Equal((returning.Id, BookingStatus.Confirmed, "phone", 2), (booking.ClientId, booking.Status, booking.Source, booking.Guests));
        Assert.Equal(Utc(day, 10), booking.StartsAt);
        Assert.Equal((149m, "EUR"), (booking.Price, booking.Currency));
        Assert.Equal(("Brings a dog", "Called twice"), (booking.ClientNotes, booking.InternalNotes));
        Assert.Matches("^PS-[2-9A-Z]{5}$", booking.Code);
        Assert.NotNull(booking.ManageTokenSealed);
        Assert.Equal(32, booking.ManageTokenHash.Length);
        Assert.Null(booking.DraftId);
        Assert.Equal(booking.StartsAt.AddMinutes(-15), booking.Blocked.LowerBound); // the Loft's buffers
        var first = Assert.Single(booking.History);
        Assert.Equal((null, BookingStatus.Confirmed, receptionId), (first.From, first.To, first.By));
        Assert.Contains(NotificationKind.Confirmed, await KindsAsync(id));
        Assert.True(await db.BoardEvents.AnyAsync(e => e.BookingId == id && e.Kind == "created"));

        // Every open board hears of it.
        var frame = await stream.NextEventAsync("booking-changed");
        Assert.Equal(id, JsonDocument.Parse(frame.Data!).RootElement.GetProperty("booking").GetInt32());

        // The board opens with the new booking's details and the code in the flash message.
        var landed = await reception.GetDocumentAsync(response.Headers.Location!.OriginalString);
        Assert.Contains(booking.Code, landed.Single("#panel .booking-details").TextContent);
        Assert.Contains(booking.Code, landed.Single("#flash").TextContent);
        Assert.NotNull(landed.QuerySelector($"#card-{id}"));
    }

    [Fact]
    public async Task A_free_calendar_cell_links_to_the_form_with_room_date_and_time_filled_in()
    {
        var ids = await IdsAsync();
        var day = app.NextMonday();
        var returning = await NewClientAsync("Cell Client");
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var calendar = await reception.GetDocumentAsync($"/calendar?view=day&by=room&date={Iso(day)}");
        var link = calendar.Single($"tr[data-resource='{ids.BlackBox}'] a.cal-new[href*='time=11:00']");
        Assert.Equal($"/board/new?roomId={ids.BlackBox}&date={Iso(day)}&time=11:00", link.GetAttribute("href"));
        Assert.Contains("11:00", link.GetAttribute("aria-label"));

        var form = await reception.GetDocumentAsync(link.GetAttribute("href")!);
        Assert.Equal(ids.BlackBox.ToString(), form.Single("#RoomId option[selected]").GetAttribute("value"));
        Assert.Equal(Iso(day), form.Single("#Date").GetAttribute("value"));
        Assert.NotNull(form.Single("#time-1100").GetAttribute("checked"));

        var id = BookedId(await BookAsync(reception, new() { ["ClientId"] = returning.Id.ToString() }, link.GetAttribute("href")!));
        var booking = await LoadAsync(id);
        Assert.Equal((ids.BlackBox, Utc(day, 11)), (booking.RoomId, booking.StartsAt));

        // A photographer's row pre-fills the photographer; who may not book sees no links at all.
        var byPhotographer = await reception.GetDocumentAsync($"/calendar?view=day&by=photographer&date={Iso(day)}");
        var mariaLink = byPhotographer.Single($"tr[data-resource='{ids.Maria}'] a.cal-new[href*='time=14:00']").GetAttribute("href")!;
        Assert.Equal(ids.Maria.ToString(), (await reception.GetDocumentAsync(mariaLink)).Single("#PhotographerId option[selected]").GetAttribute("value"));
        var anna = await app.SignedInClientAsync("anna@demo.studio");
        Assert.Empty((await anna.GetDocumentAsync($"/calendar?view=day&by=room&date={Iso(day)}")).QuerySelectorAll("a.cal-new"));
        Assert.Null((await anna.GetDocumentAsync("/board")).QuerySelector("#new-booking"));
        Assert.Equal(HttpStatusCode.Forbidden, (await anna.GetAsync("/board/new")).StatusCode);
    }

    [Fact]
    public async Task The_profile_link_preselects_its_client()
    {
        var returning = await NewClientAsync("Profile Client", "+7 900 123 45 67");
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var page = await reception.GetDocumentAsync($"/board/new?clientId={returning.Id}");
        Assert.Equal(returning.Id.ToString(), page.Single("#client-id").GetAttribute("value"));
        Assert.Contains("Profile Client", page.Single("#client-chosen").TextContent);

        var id = BookedId(await BookAsync(reception, new() { ["Date"] = Iso(app.NextMonday()), ["Time"] = "12:00" }, $"/board/new?clientId={returning.Id}"));
        Assert.Equal(returning.Id, (await LoadAsync(id)).ClientId);
    }

    [Fact]
    public async Task A_new_client_is_made_inline_and_an_email_on_file_books_for_its_client_instead_of_a_second_one()
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var email = $"Walk.In-{Guid.NewGuid():N}@Example.TEST";
        var day = app.NextMonday();

        var missing = await BookAsync(reception, new() { ["NewName"] = "Nina Walkin", ["Date"] = Iso(day), ["Time"] = "10:00" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Contains("Enter the client's email address.", (await missing.ReadDocumentAsync()).Single("#NewEmail-error").TextContent);

        var first = BookedId(await BookAsync(reception, new()
        {
            ["NewName"] = "Nina Walkin", ["NewEmail"] = email, ["NewPhone"] = "+49 170 000", ["Date"] = Iso(day), ["Time"] = "10:00", ["Source"] = "walk-in",
        }));
        var made = (await LoadAsync(first)).Client!;
        Assert.Equal(("Nina Walkin", email.ToLowerInvariant(), "+49 170 000"), (made.Name, made.Email, made.Phone));

        var second = BookedId(await BookAsync(reception, new()
        {
            ["NewName"] = "N. Walkin", ["NewEmail"] = email.ToUpperInvariant(), ["Date"] = Iso(day), ["Time"] = "14:00",
        }));
        var again = await LoadAsync(second);
        Assert.Equal(made.Id, again.ClientId);
        Assert.Equal("N. Walkin", again.ContactName);
        await using var db = app.NewDb();
        Assert.Equal(1, await db.Clients.CountAsync(c => c.Email == email.ToLowerInvariant()));
    }

    [Fact]
    public async Task Staff_book_inside_the_minimum_notice_but_never_in_the_past()
    {
        var returning = await NewClientAsync("Soon Client");
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var ids = await IdsAsync();
        // 10:00 today is ninety minutes away, inside the studio's two hours of notice: the wizard would not offer it.
        var form = await reception.GetDocumentAsync($"/board/new?date={Iso(FrontDeskApp.Today)}&roomId={ids.BlackBox}");
        Assert.NotNull(form.QuerySelector("#time-1000"));
        var id = BookedId(await BookAsync(reception, new()
        {
            ["ClientId"] = returning.Id.ToString(), ["Date"] = Iso(FrontDeskApp.Today), ["Time"] = "10:00", ["RoomId"] = ids.BlackBox.ToString(),
        }));
        Assert.Equal(Utc(FrontDeskApp.Today, 10), (await LoadAsync(id)).StartsAt);

        var past = await BookAsync(reception, new()
        {
            ["ClientId"] = returning.Id.ToString(), ["Date"] = Iso(FrontDeskApp.Today), ["Time"] = "08:00",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, past.StatusCode);
        Assert.Contains("already passed", (await past.ReadDocumentAsync()).Single("#Time-error").TextContent);
    }

    [Fact]
    public async Task Outside_business_hours_needs_the_override_which_only_settings_managers_have()
    {
        var returning = await NewClientAsync("Late Client");
        var day = app.NextMonday();
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        Dictionary<string, string> Late(bool overriding) => new()
        {
            ["ClientId"] = returning.Id.ToString(), ["Date"] = Iso(day), ["Time"] = "21:00",
            ["OutsideHours"] = overriding ? "true" : "false", ["TypedTime"] = overriding ? "21:15" : "",
        };
        Assert.Null((await reception.GetDocumentAsync("/board/new")).QuerySelector("#OutsideHours"));
        Assert.NotNull((await admin.GetDocumentAsync("/board/new")).QuerySelector("#OutsideHours"));

        var refused = await BookAsync(reception, Late(false));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("outside opening or working hours", (await refused.ReadDocumentAsync()).Single("#Time-error").TextContent);

        var forged = await BookAsync(reception, Late(true));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("Only staff who manage", (await forged.ReadDocumentAsync()).Single("#frontdesk .alert-warning").TextContent);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await BookAsync(admin, Late(false))).StatusCode);
        var id = BookedId(await BookAsync(admin, Late(true)));
        Assert.Equal(Utc(day, 21, 15), (await LoadAsync(id)).StartsAt);
        await using var db = app.NewDb();
        Assert.Equal(1, await db.Bookings.CountAsync(b => b.ClientId == returning.Id));
    }

    [Fact]
    public async Task The_override_still_keeps_to_time_off()
    {
        var ids = await IdsAsync();
        var day = app.NextMonday();
        var returning = await NewClientAsync("Time Off Client");
        await using (var db = app.NewDb())
        {
            db.TimeOff.Add(new TimeOff { EmployeeId = ids.Maria, StartsAt = Utc(day, 20), EndsAt = Utc(day, 23), Reason = "Concert" });
            await db.SaveChangesAsync();
        }
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var response = await BookAsync(admin, new()
        {
            ["ClientId"] = returning.Id.ToString(), ["PhotographerId"] = ids.Maria.ToString(), ["Date"] = Iso(day),
            ["OutsideHours"] = "true", ["TypedTime"] = "21:00",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("time off", (await response.ReadDocumentAsync()).Single("#TypedTime-error").TextContent);
        Assert.Equal(303, (int)(await BookAsync(admin, new()
        {
            ["ClientId"] = returning.Id.ToString(), ["PhotographerId"] = ids.Anna.ToString(), ["Date"] = Iso(day),
            ["OutsideHours"] = "true", ["TypedTime"] = "21:00",
        })).StatusCode);
    }

    [Fact]
    public async Task The_times_fragment_offers_what_the_engine_offers_for_the_room_photographer_and_guests()
    {
        var ids = await IdsAsync();
        var day = app.NextMonday();
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        await app.AddBookingAsync(BookingStatus.Confirmed, "maria@demo.studio", Utc(day, 15), room: "Black Box");
        string Url(int guests) =>
            $"/board/new/times?ServiceId={ids.Portrait}&RoomId={ids.BlackBox}&PhotographerId={ids.Maria}&Date={Iso(day)}&Guests={guests}";

        var fragment = await reception.HtmxAsync(HttpMethod.Get, Url(2));
        var html = await fragment.ReadDocumentAsync();
        Assert.Null(html.QuerySelector("nav"));
        Assert.NotNull(html.QuerySelector("#time-1100"));
        Assert.Null(html.QuerySelector("#time-1300")); // Maria's lunch break
        Assert.Null(html.QuerySelector("#time-1500")); // Maria is booked
        Assert.Equal(ids.Maria.ToString(), html.Single("#PhotographerId option[selected]").GetAttribute("value"));

        // Five people do not fit the Black Box (four): nothing is offered.
        var tooMany = await (await reception.HtmxAsync(HttpMethod.Get, Url(5))).ReadDocumentAsync();
        Assert.Empty(tooMany.QuerySelectorAll("input[name=Time]"));
        Assert.Contains("holds 4 people at most", tooMany.Single("#no-times").TextContent);
    }

    [Fact]
    public async Task The_confirmation_email_is_queued_only_when_ticked()
    {
        var returning = await NewClientAsync("Mail Client");
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var day = app.NextMonday();
        var form = await FormAsync(reception);
        Assert.True(form.QuerySelector<IHtmlInputElement>("#SendConfirmation")!.IsChecked);

        var quiet = BookedId(await BookAsync(reception, new()
        {
            ["ClientId"] = returning.Id.ToString(), ["Date"] = Iso(day), ["Time"] = "10:00", ["SendConfirmation"] = "false",
        }));
        var pending = BookedId(await BookAsync(reception, new()
        {
            ["ClientId"] = returning.Id.ToString(), ["Date"] = Iso(day), ["Time"] = "14:00", ["Status"] = "Pending", ["Language"] = "ru",
        }));

        Assert.DoesNotContain(await KindsAsync(quiet), k => k is NotificationKind.Confirmed or NotificationKind.Received);
        Assert.Contains(NotificationKind.Received, await KindsAsync(pending));
        var booking = await LoadAsync(pending);
        Assert.Equal((BookingStatus.Pending, "ru"), (booking.Status, booking.Language));
    }

    [Fact]
    public async Task A_time_taken_after_the_form_was_loaded_answers_409_with_everything_typed_kept()
    {
        var ids = await IdsAsync();
        var day = app.NextMonday();
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var form = await FormAsync(reception, $"/board/new?date={Iso(day)}&roomId={ids.Loft}&photographerId={ids.Anna}");

        // Someone books Anna at 10:00 underneath.
        await app.AddBookingAsync(BookingStatus.Confirmed, "anna@demo.studio", Utc(day, 10), room: "Black Box");
        var response = await reception.SubmitAsync(form, new Dictionary<string, string>
        {
            ["ServiceId"] = ids.Portrait.ToString(), ["Time"] = "10:00", ["NewName"] = "Kept Name",
            ["NewEmail"] = $"kept-{Guid.NewGuid():N}@example.test", ["ClientNotes"] = "Kept notes", ["Intent"] = "book",
        });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains("this time was just taken", page.Single("#frontdesk .alert-warning").TextContent);
        Assert.Equal("Kept Name", page.Single("#NewName").GetAttribute("value"));
        Assert.Equal("Kept notes", page.Single("#ClientNotes").TextContent);
        Assert.Equal(ids.Anna.ToString(), page.Single("#PhotographerId option[selected]").GetAttribute("value"));
        Assert.Null(page.QuerySelector("#time-1000"));
        Assert.NotNull(page.QuerySelector("#time-1200"));
    }

    [Fact]
    public async Task Two_desks_booking_the_same_time_at_once_leave_one_booking_and_a_409_for_the_other()
    {
        var ids = await IdsAsync();
        var day = app.NextMonday();
        var client = await NewClientAsync("Race Client");
        var desks = new[] { await app.SignedInClientAsync("reception@demo.studio"), await app.SignedInClientAsync("manager@demo.studio") };
        var forms = await Task.WhenAll(desks.Select(d => FormAsync(d)));
        var responses = await Task.WhenAll(desks.Select((d, i) => d.SubmitAsync(forms[i], new Dictionary<string, string>
        {
            ["ServiceId"] = ids.Portrait.ToString(), ["RoomId"] = ids.Loft.ToString(), ["PhotographerId"] = ids.Anna.ToString(),
            ["ClientId"] = client.Id.ToString(), ["Date"] = Iso(day), ["Time"] = "15:00", ["Intent"] = "book",
        })));

        var statuses = string.Join(",", responses.Select(r => (int)r.StatusCode));
        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.SeeOther) == 1, statuses);
        var loser = Assert.Single(responses, r => r.StatusCode != HttpStatusCode.SeeOther);
        Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
        Assert.Contains("just taken", (await loser.ReadDocumentAsync()).Single("#frontdesk .alert-warning").TextContent);
        await using var db = app.NewDb();
        Assert.Equal(1, await db.Bookings.CountAsync(b => b.ClientId == client.Id));
    }

    public static TheoryData<string, string> Hostile() => new()
    {
        { "NewName", new string('x', 5000) },
        { "NewEmail", "not an email" },
        { "NewPhone", new string('1', 41) },
        { "ClientNotes", new string('n', 2001) },
        { "ServiceId", "999999" },
        { "ServiceId", "99999999999999" },
        { "RoomId", "abc" },
        { "PhotographerId", "-1" },
        { "ClientId", "999999" },
        { "Guests", "0" },
        { "Guests", "1000" },
        { "Guests", "5" }, // more than the Black Box holds
        { "Date", "0001-01-01" },
        { "Date", "9999-12-31" },
        { "Date", "2040-02-30" },
        { "Time", "25:99" },
        { "Source", "fax" },
        { "Status", "Cancelled" },
        { "Language", "de" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Hostile_input_gets_the_form_back_with_a_message_and_books_nothing(string field, string value)
    {
        var ids = await IdsAsync();
        var client = await NewClientAsync("Hostile Client");
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var values = new Dictionary<string, string>
        {
            ["ClientId"] = client.Id.ToString(), ["RoomId"] = ids.BlackBox.ToString(), ["Date"] = Iso(app.NextMonday()), ["Time"] = "10:00",
        };
        if (field.StartsWith("New")) values["ClientId"] = "";
        values[field] = value;

        var response = await BookAsync(reception, values);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.NotNull(page.QuerySelector("#error-summary li"));
        await using var db = app.NewDb();
        Assert.False(await db.Bookings.AnyAsync(b => b.ClientId == client.Id));
    }

    [Fact]
    public async Task An_inactive_service_is_neither_offered_nor_booked()
    {
        await using (var db = app.NewDb())
        {
            db.Services.Add(new Service { Name = "Retired session", DurationMinutes = 60, Price = 10m, IsActive = false });
            await db.SaveChangesAsync();
        }
        await using var read = app.NewDb();
        var retired = await read.Services.Where(s => s.Name == "Retired session").Select(s => s.Id).SingleAsync();
        var client = await NewClientAsync("Retired Client");
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        Assert.Null((await reception.GetDocumentAsync("/board/new")).QuerySelector($"#ServiceId option[value='{retired}']"));
        var response = await BookAsync(reception, new()
        {
            ["ServiceId"] = retired.ToString(), ["ClientId"] = client.Id.ToString(), ["Date"] = Iso(app.NextMonday()), ["Time"] = "10:00",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("Choose a session.", (await response.ReadDocumentAsync()).Single("#ServiceId-error").TextContent);
    }

    [Theory]
    [InlineData("/board/new?date=9999-12-31&roomId=abc&clientId=-1&time=99:99&serviceId=2147483647")]
    [InlineData("/board/new?date=0001-01-01&photographerId=99999999999")]
    [InlineData("/board/new/times?Date=0001-01-01&Guests=100000&ServiceId=-5&OutsideHours=true")]
    [InlineData("/board/new/times?Date=9999-12-31&RoomId=1&Guests=-3")]
    public async Task Hostile_prefills_and_fragments_are_dropped_not_answered_with_an_error(string url)
    {
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        Assert.Equal(HttpStatusCode.OK, (await reception.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Without_JavaScript_the_search_lists_matches_as_radio_choices_and_keeps_the_form()
    {
        var returning = await NewClientAsync("Radio Returning", "+49 40 777 8899");
        var reception = await app.SignedInClientAsync("reception@demo.studio");
        var day = app.NextMonday();
        var form = await FormAsync(reception);
        var searched = await reception.SubmitAsync(form, new Dictionary<string, string>
        {
            ["q"] = "Radio Return", ["ServiceId"] = (await IdsAsync()).Portrait.ToString(), ["Date"] = Iso(day), ["InternalNotes"] = "typed first", ["Intent"] = "refresh",
        });
        Assert.Equal(HttpStatusCode.OK, searched.StatusCode);
        var page = await searched.ReadDocumentAsync();
        Assert.NotNull(page.QuerySelector($"input[name=ClientPick][value='{returning.Id}']"));
        Assert.Equal("typed first", page.Single("#InternalNotes").TextContent);
        Assert.NotNull(page.QuerySelector("#time-1000"));

        var id = BookedId(await reception.SubmitAsync(page.QuerySelector<IHtmlFormElement>("#frontdesk-form")!, new Dictionary<string, string>
        {
            ["ClientPick"] = returning.Id.ToString(), ["Time"] = "10:00", ["Intent"] = "book",
        }));
        var booking = await LoadAsync(id);
        Assert.Equal((returning.Id, "typed first"), (booking.ClientId, booking.InternalNotes));
    }
}
