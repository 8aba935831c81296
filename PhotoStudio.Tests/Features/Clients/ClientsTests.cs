using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Clients;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Clients;

/// <summary>The client list and profile, the edit form and the note thread, as the front desk uses them.</summary>
public class ClientsTests(StudioApp app) : IClassFixture<StudioApp>
{
    private const string Reception = "reception@demo.studio";

    private static int sequence;

    /// <summary>
    /// A random token of letters only: the list's search matches digits in emails too, so a hex GUID in another
    /// client's address could hold the digits a test searches for (one run in a few dozen did).
    /// </summary>
    private static string Letters() => string.Concat(Guid.NewGuid().ToString("N").Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));

    private string Database => new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;

    /// <summary>A client of this test alone, with a tag of its own so a list can be narrowed to the test's clients.</summary>
    private async Task<Client> AddClientAsync(string name, string? tag = null, string? phone = null, string? email = null)
    {
        await using var db = app.NewDb();
        var client = new Client
        {
            Name = name, Email = email ?? $"{name.Replace(' ', '.').ToLowerInvariant()}.{Letters()}@example.test",
            Phone = phone ?? "", Tags = tag is null ? [] : [tag], CreatedAt = DateTime.UtcNow, Source = "phone",
        };
        db.Clients.Add(client);
        await db.SaveChangesAsync();
        return client;
    }

    /// <summary>Bookings of the client: cancelled and no-show ones hold nothing, so any time will do; live ones each get a Monday of their own.</summary>
    private async Task AddBookingsAsync(int clientId, params (BookingStatus Status, decimal Price, bool Past)[] bookings)
    {
        await using var db = app.NewDb();
        var service = await db.Services.SingleAsync(s => s.Name == "Portrait session");
        var room = await db.Rooms.SingleAsync(r => r.Name == "Daylight Loft");
        foreach (var (status, price, past) in bookings)
        {
            var n = Interlocked.Increment(ref sequence);
            // Past sessions long before the demo's, future ones on the test Mondays (2031 on): never in anyone's way.
            var start = past ? new DateTime(2015, 1, 5, 9, 0, 0, DateTimeKind.Utc).AddDays(7 * n) : TestBookings.NextMonday();
            var booking = TestBookings.NewBooking($"PS-C{n:D5}", "unused", "unused@example.test", service, room, null, status,
                start, start.AddHours(1), DateTime.UtcNow);
            booking.Client = null;
            booking.ClientId = clientId;
            booking.Price = price;
            db.Bookings.Add(booking);
        }
        await db.SaveChangesAsync();
    }

    private static List<string> Names(IHtmlDocument page) =>
        page.QuerySelectorAll("#clients-table tbody td:first-child a").Select(a => a.TextContent.Trim()).ToList();

    [Fact]
    public async Task A_client_is_found_by_a_few_digits_of_the_phone_a_part_of_the_email_or_a_tag()
    {
        var tag = $"t{Guid.NewGuid():N}"[..12];
        await AddClientAsync("Wilhelmina Phonefinder", tag, phone: "+49 170 555 93 17", email: $"wilhelmina.{Letters()}@studio-mail.example");
        await AddClientAsync("Other Tagged", tag);
        var desk = await app.SignedInClientAsync(Reception);

        Assert.Equal(["Wilhelmina Phonefinder"], Names(await desk.GetDocumentAsync("/clients?q=9317")));
        Assert.Equal(["Wilhelmina Phonefinder"], Names(await desk.GetDocumentAsync("/clients?q=555%2093")));
        Assert.Equal(["Wilhelmina Phonefinder"], Names(await desk.GetDocumentAsync("/clients?q=STUDIO-MAIL.example")));
        Assert.Equal(["Other Tagged", "Wilhelmina Phonefinder"], Names(await desk.GetDocumentAsync($"/clients?tag={tag}")));
        Assert.Empty(Names(await desk.GetDocumentAsync($"/clients?tag={tag}&q=nobody-called-that")));
        // The tag is offered in the filter, and the search is kept in the box.
        var page = await desk.GetDocumentAsync($"/clients?tag={tag}&q=Wilhel");
        Assert.NotNull(page.QuerySelector($"#clients-tag option[value='{tag}'][selected]"));
        Assert.Equal("Wilhel", page.Single("#clients-q").GetAttribute("value"));
        // Typed wildcards are taken literally.
        Assert.Empty(Names(await desk.GetDocumentAsync($"/clients?tag={tag}&q=%25%25_")));
    }

    [Fact]
    public async Task The_list_sorts_by_name_last_visit_bookings_and_total_spent_both_ways()
    {
        var tag = $"s{Guid.NewGuid():N}"[..12];
        var anna = await AddClientAsync("Anna Sortable", tag);
        var boris = await AddClientAsync("Boris Sortable", tag);
        var carla = await AddClientAsync("Carla Sortable", tag);
        // Anna: one delivered session, long ago. Boris: two sessions, one being edited (spent) and one cancelled later.
        // Carla: three bookings, none of them spent: pending in the future, a no-show and a cancellation in the past.
        await AddBookingsAsync(anna.Id, (BookingStatus.Delivered, 500m, true));
        await AddBookingsAsync(boris.Id, (BookingStatus.Editing, 120m, true), (BookingStatus.Cancelled, 80m, true));
        await AddBookingsAsync(carla.Id, (BookingStatus.Pending, 90m, false), (BookingStatus.NoShow, 90m, true), (BookingStatus.Cancelled, 90m, true));
        var desk = await app.SignedInClientAsync(Reception);

        async Task<List<string>> Sorted(string sort, bool descending = false) =>
            Names(await desk.GetDocumentAsync($"/clients?tag={tag}&sort={sort}{(descending ? "&dir=desc" : "")}"))
                .Select(n => n.Split(' ')[0]).ToList();

        Assert.Equal(["Anna", "Boris", "Carla"], await Sorted("name"));
        Assert.Equal(["Carla", "Boris", "Anna"], await Sorted("name", true));
        Assert.Equal(["Anna", "Boris", "Carla"], await Sorted("bookings"));
        Assert.Equal(["Carla", "Boris", "Anna"], await Sorted("bookings", true));
        Assert.Equal(["Carla", "Boris", "Anna"], await Sorted("spent"));
        Assert.Equal(["Anna", "Boris", "Carla"], await Sorted("spent", true));
        // Carla never came (her past bookings were missed or cancelled), so she sorts before any visit. Anna came before Boris.
        Assert.Equal(["Carla", "Anna", "Boris"], await Sorted("visit"));
        Assert.Equal(["Boris", "Anna", "Carla"], await Sorted("visit", true));

        var page = await desk.GetDocumentAsync($"/clients?tag={tag}&sort=spent&dir=desc");
        Assert.Equal("descending", page.Single("#clients-table th[aria-sort]").GetAttribute("aria-sort"));
        var anna1 = page.QuerySelectorAll("#clients-table tbody tr")[0].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal("1", anna1[4]);
        Assert.Contains("500", anna1[5]);
        Assert.Contains("shooting, editing or delivered", page.Single("#clients-table caption").TextContent);
        // Links keep the tag and the sort; a page link too.
        Assert.Contains($"tag={tag}", page.Single("#clients-table th a[href*='sort=name']").GetAttribute("href"));
        Assert.Equal("spent", page.Single("input[type=hidden][name=sort][form=clients-filter]").GetAttribute("value"));
    }

    [Fact]
    public async Task Htmx_gets_the_table_alone_and_the_same_address_without_it_gets_the_whole_page()
    {
        var desk = await app.SignedInClientAsync(Reception);
        const string url = "/clients?q=example&sort=bookings&dir=desc&page=2";

        var fragment = await desk.HtmxAsync(HttpMethod.Get, url);
        Assert.Equal(HttpStatusCode.OK, fragment.StatusCode);
        Assert.Contains("HX-Request", fragment.Headers.Vary);
        var table = await fragment.ReadDocumentAsync();
        Assert.Null(table.QuerySelector("#clients-filter"));
        Assert.Null(table.QuerySelector("nav.navbar"));
        Assert.Matches("page 2 of", table.Single("#clients-table nav > span").TextContent);

        var page = await desk.GetDocumentAsync(url);
        Assert.NotNull(page.QuerySelector("#clients-filter"));
        Assert.Equal("example", page.Single("#clients-q").GetAttribute("value"));
        Assert.Equal("descending", page.Single("#clients-table th[aria-sort]").GetAttribute("aria-sort"));
        Assert.Equal(table.Single("#clients-table tbody").TextContent, page.Single("#clients-table tbody").TextContent);
    }

    [Theory]
    [InlineData("/clients?page=0")]
    [InlineData("/clients?page=-3")]
    [InlineData("/clients?page=999999")]
    [InlineData("/clients?page=99999999999999999999")]
    [InlineData("/clients?sort=nonsense&dir=sideways")]
    [InlineData("/clients?tag=%00&q=%00")]
    public async Task Odd_addresses_still_show_a_page(string url)
    {
        var desk = await app.SignedInClientAsync(Reception);
        var page = await desk.GetDocumentAsync(url);
        Assert.NotNull(page.QuerySelector("#clients-table"));
    }

    [Fact]
    public async Task A_page_past_the_end_shows_the_last_one_and_a_huge_search_is_cut_to_100_characters()
    {
        var desk = await app.SignedInClientAsync(Reception);
        var last = await desk.GetDocumentAsync("/clients?page=999999");
        Assert.Matches(@"page (\d+) of \1", last.Single("nav[aria-label=Pages] > span").TextContent);
        Assert.NotEmpty(Names(last));

        var huge = new string('7', 10_000);
        var response = await desk.GetAsync($"/clients?q={huge}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Equal(100, page.Single("#clients-q").GetAttribute("value")!.Length);
        Assert.DoesNotContain(new string('7', 101), page.Single("#clients-table").InnerHtml);
    }

    [Fact]
    public async Task The_list_costs_the_same_few_queries_for_one_row_as_for_a_full_page()
    {
        var desk = await app.SignedInClientAsync(Reception);
        var one = await AddClientAsync("Quentin Querycount");
        await AddBookingsAsync(one.Id, (BookingStatus.Delivered, 100m, true), (BookingStatus.Cancelled, 100m, true));

        async Task<int> QueriesAsync(string url)
        {
            await desk.GetDocumentAsync(url); // warm: the security stamp check and caches settle first
            using var counter = new CommandCounter(Database);
            var page = await desk.GetDocumentAsync(url);
            Assert.NotEmpty(Names(page));
            return counter.Count;
        }

        var single = await QueriesAsync("/clients?q=Quentin%20Querycount");
        var full = await QueriesAsync("/clients?sort=spent&dir=desc");
        Assert.Equal(single, full);
        Assert.InRange(full, 1, 5);
    }

    [Fact]
    public async Task A_profile_costs_the_same_few_queries_for_two_bookings_as_for_thirty()
    {
        var desk = await app.SignedInClientAsync(Reception);
        var few = await AddClientAsync("Petra Fewbookings");
        var many = await AddClientAsync("Mark Manybookings");
        await AddBookingsAsync(few.Id, (BookingStatus.Delivered, 100m, true), (BookingStatus.Confirmed, 100m, false));
        await AddBookingsAsync(many.Id, [.. Enumerable.Range(0, 28).Select(i => (i % 2 == 0 ? BookingStatus.Cancelled : BookingStatus.NoShow, 50m, true)),
            (BookingStatus.Delivered, 100m, true), (BookingStatus.Confirmed, 100m, false)]);

        async Task<int> QueriesAsync(int id)
        {
            await desk.GetDocumentAsync($"/clients/{id}");
            using var counter = new CommandCounter(Database);
            await desk.GetDocumentAsync($"/clients/{id}");
            // The settings row is read again whenever the app heard of a change to it meanwhile (its notification
            // arrives when it arrives): not a cost of the profile.
            return counter.Texts.Count(sql => !sql.Contains("FROM studio_settings", StringComparison.Ordinal));
        }

        Assert.Equal(await QueriesAsync(few.Id), await QueriesAsync(many.Id));
        Assert.InRange(await QueriesAsync(many.Id), 1, 10);

        var page = await desk.GetDocumentAsync($"/clients/{many.Id}");
        Assert.Equal(30, page.QuerySelectorAll("#booking-history tbody tr").Length);
        Assert.Equal("14", page.Single("#no-shows").TextContent.Trim());
        Assert.Equal("14", page.Single("#cancellations").TextContent.Trim());
        Assert.Equal("30", page.Single("#bookings-count").TextContent.Trim());
        Assert.Contains("100", page.Single("#lifetime-value").TextContent);
        Assert.Single(page.QuerySelectorAll("#upcoming li"));
    }

    [Fact]
    public async Task The_profile_shows_contact_consents_tags_history_messages_and_links_to_each_booking()
    {
        var tag = $"p{Guid.NewGuid():N}"[..12];
        var client = await AddClientAsync("Greta Profile", tag, phone: "+49 30 999 000");
        await AddBookingsAsync(client.Id, (BookingStatus.Delivered, 240m, true), (BookingStatus.Confirmed, 150m, false));
        await using (var db = app.NewDb())
        {
            var booking = await db.Bookings.Where(b => b.ClientId == client.Id).OrderBy(b => b.StartsAt).FirstAsync();
            db.ClientConsents.AddRange(
                new ClientConsent { ClientId = client.Id, Kind = ClientConsent.Terms, Granted = true, At = DateTime.UtcNow.AddDays(-10), Source = "web", By = "client" },
                new ClientConsent { ClientId = client.Id, Kind = ClientConsent.Marketing, Granted = false, At = DateTime.UtcNow.AddDays(-1), Source = "web", By = "client" });
            db.Notifications.Add(new Notification
            {
                BookingId = booking.Id, Kind = "thank_you", Recipient = client.Email, Status = NotificationStatus.Sent,
                CreatedAt = DateTime.UtcNow.AddDays(-2), SentAt = DateTime.UtcNow.AddDays(-2), NextAttemptAt = DateTime.UtcNow.AddDays(-2),
            });
            await db.SaveChangesAsync();
        }
        var desk = await app.SignedInClientAsync(Reception);

        var page = await desk.GetDocumentAsync($"/clients/{client.Id}");
        Assert.Contains("+49 30 999 000", page.Single("#client-contact").TextContent);
        Assert.Contains(tag, page.Single("#client-tags").TextContent);
        var consents = page.QuerySelectorAll("#consents li").Select(li => li.TextContent).ToList();
        Assert.Equal(2, consents.Count);
        Assert.Contains("Marketing emails", consents[0]); // newest first
        Assert.Contains("withdrawn", consents[0]);
        Assert.Contains("Terms", consents[1]);
        Assert.Contains("240", page.Single("#lifetime-value").TextContent);
        Assert.Equal(2, page.QuerySelectorAll("#booking-history tbody tr").Length);
        var ids = await BookingIdsAsync(client.Id);
        foreach (var id in ids) Assert.NotNull(page.QuerySelector($"#booking-history a[href='/board/bookings/{id}']"));
        Assert.Contains("Thank you", page.Single("#messages").TextContent);
        Assert.Contains("Sent", page.Single("#messages").TextContent);

        // The receptionist may book, edit and look for duplicates, but not export or erase.
        var actions = page.QuerySelectorAll("#client-actions a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal([$"/clients/{client.Id}/edit", $"/board/new?clientId={client.Id}", $"/clients/duplicates?client={client.Id}"], actions);
        var manager = await app.SignedInClientAsync("manager@demo.studio");
        var all = (await manager.GetDocumentAsync($"/clients/{client.Id}")).QuerySelectorAll("#client-actions a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains($"/clients/{client.Id}/export", all);
        Assert.Contains($"/clients/{client.Id}/erase", all);
    }

    private async Task<List<int>> BookingIdsAsync(int clientId)
    {
        await using var db = app.NewDb();
        return await db.Bookings.Where(b => b.ClientId == clientId).Select(b => b.Id).ToListAsync();
    }

    [Fact]
    public async Task An_unknown_client_is_the_apps_404_page_and_a_photographer_may_not_look()
    {
        var desk = await app.SignedInClientAsync(Reception);
        var missing = await desk.GetAsync("/clients/2147483647");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.NotNull((await missing.ReadDocumentAsync()).QuerySelector("main h1"));
        Assert.Equal(HttpStatusCode.NotFound, (await desk.GetAsync("/clients/2147483647/edit")).StatusCode);

        var client = await AddClientAsync("Hidden From Anna");
        var anna = await app.SignedInClientAsync("anna@demo.studio");
        Assert.Equal(HttpStatusCode.Forbidden, (await anna.GetAsync("/clients")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anna.GetAsync($"/clients/{client.Id}")).StatusCode);
        Assert.Null((await anna.GetDocumentAsync("/board")).QuerySelector("nav a[href='/clients']"));
        Assert.NotNull((await desk.GetDocumentAsync("/board")).QuerySelector("nav a[href='/clients']"));
    }

    [Fact]
    public async Task An_edit_is_saved_trimmed_and_audited_and_a_marketing_change_enters_the_consent_log()
    {
        var client = await AddClientAsync("Edith Editable");
        var desk = await app.SignedInClientAsync(Reception);
        var response = await desk.SubmitAsync($"/clients/{client.Id}/edit", "#client-form", new Dictionary<string, string>
        {
            ["Name"] = "  Edith Edited ", ["Email"] = $"  Edith.{client.Id}@Example.TEST ", ["Phone"] = "+49 170 1234",
            ["Notes"] = "Likes the loft.", ["Tags"] = " vip, family ,VIP,, newborn ", ["MarketingOptIn"] = "true",
        });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"/clients/{client.Id}", response.Headers.Location!.OriginalString);
        await using var db = app.NewDb();
        var saved = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == client.Id);
        Assert.Equal("Edith Edited", saved.Name);
        Assert.Equal($"edith.{client.Id}@example.test", saved.Email);
        Assert.Equal(["vip", "family", "newborn"], saved.Tags);
        Assert.True(saved.MarketingOptIn);
        var userId = await db.Users.Where(u => u.Email == Reception).Select(u => u.Id).SingleAsync();
        var consent = await db.ClientConsents.SingleAsync(k => k.ClientId == client.Id);
        Assert.Equal((ClientConsent.Marketing, true, "staff", userId), (consent.Kind, consent.Granted, consent.Source, consent.By));
        var audit = await db.AuditEntries.Where(a => a.EntityType == "Client" && a.EntityId == client.Id.ToString() && a.Action == "updated")
            .Select(a => a.Changes).ToListAsync();
        Assert.Contains(audit, changes => changes!.Contains("Edith Edited"));

        var profile = await desk.GetDocumentAsync($"/clients/{client.Id}");
        Assert.Contains("Client saved", profile.Single("#flash").TextContent);
        Assert.Contains("Sophie Wagner", profile.Single("#consents").TextContent);

        // Saving again without touching the opt-in logs nothing new.
        Assert.Equal(HttpStatusCode.SeeOther, (await desk.SubmitAsync($"/clients/{client.Id}/edit", "#client-form")).StatusCode);
        Assert.Equal(1, await db.ClientConsents.CountAsync(k => k.ClientId == client.Id));
        // Unticked: withdrawn, logged.
        var withdrawn = await desk.SubmitAsync($"/clients/{client.Id}/edit", "#client-form", new Dictionary<string, string> { ["MarketingOptIn"] = "false" });
        Assert.Equal(HttpStatusCode.SeeOther, withdrawn.StatusCode);
        Assert.False(await db.ClientConsents.Where(k => k.ClientId == client.Id).OrderByDescending(k => k.Id).Select(k => k.Granted).FirstAsync());
    }

    [Fact]
    public async Task A_stale_edit_answers_409_with_the_current_values_and_overwrites_nothing()
    {
        var client = await AddClientAsync("Stella Stale");
        var first = await app.SignedInClientAsync(Reception);
        var second = await app.SignedInClientAsync("manager@demo.studio");
        var formA = (IHtmlFormElement)(await first.GetDocumentAsync($"/clients/{client.Id}/edit")).Single("#client-form");
        var formB = (IHtmlFormElement)(await second.GetDocumentAsync($"/clients/{client.Id}/edit")).Single("#client-form");

        Assert.Equal(HttpStatusCode.SeeOther, (await first.SubmitAsync(formA, new Dictionary<string, string> { ["Phone"] = "+49 111" })).StatusCode);
        var stale = await second.SubmitAsync(formB, new Dictionary<string, string> { ["Phone"] = "+49 222", ["MarketingOptIn"] = "true" });

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var page = await stale.ReadDocumentAsync();
        Assert.Contains("Someone else saved this client", page.Single("#form-message").TextContent);
        Assert.Equal("+49 111", page.Single("#Phone").GetAttribute("value"));
        await using var db = app.NewDb();
        Assert.Equal("+49 111", await db.Clients.Where(c => c.Id == client.Id).Select(c => c.Phone).SingleAsync());
        Assert.False(await db.ClientConsents.AnyAsync(k => k.ClientId == client.Id));
    }

    public static TheoryData<string, string, string, string> InvalidForms => new()
    {
        { "Name", "", "Name", "Please enter the client's name." },
        { "Name", new string('n', 201), "Name", "at most 200" },
        { "Email", "not-an-email", "Email", "Please enter a valid email address." },
        { "Phone", new string('1', 41), "Phone", "at most 40" },
        { "Notes", new string('x', 4001), "Notes", "at most 4000" },
        { "Tags", new string('t', 41), "Tags", "at most 40 characters" },
        { "Tags", string.Join(",", Enumerable.Range(1, 21).Select(i => $"tag{i}")), "Tags", "at most 20 tags" },
    };

    [Theory, MemberData(nameof(InvalidForms))]
    public async Task A_bad_field_is_named_next_to_it_the_input_is_kept_and_nothing_is_saved(string field, string value, string errorOf, string message)
    {
        var client = await AddClientAsync("Ivo Invalid");
        var desk = await app.SignedInClientAsync(Reception);
        var response = await desk.SubmitAsync($"/clients/{client.Id}/edit", "#client-form",
            new Dictionary<string, string> { [field] = value, ["Phone"] = field == "Phone" ? value : "+49 30 555" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains(message, page.Single($"#{errorOf}-error").TextContent);
        Assert.Equal("true", page.Single($"#{errorOf}").GetAttribute("aria-invalid"));
        if (field != "Phone") Assert.Equal("+49 30 555", page.Single("#Phone").GetAttribute("value"));
        await using var db = app.NewDb();
        Assert.Equal("", await db.Clients.Where(c => c.Id == client.Id).Select(c => c.Phone).SingleAsync());
    }

    [Fact]
    public async Task Another_clients_email_is_a_field_error_from_the_unique_index_not_a_500()
    {
        var taken = await AddClientAsync("Tina Taken");
        var client = await AddClientAsync("Dora Duplicate");
        var desk = await app.SignedInClientAsync(Reception);
        var response = await desk.SubmitAsync($"/clients/{client.Id}/edit", "#client-form",
            new Dictionary<string, string> { ["Email"] = " " + taken.Email.ToUpperInvariant() });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains("Another client already has this email address.", page.Single("#Email-error").TextContent);
        await using var db = app.NewDb();
        Assert.Equal(client.Email, await db.Clients.Where(c => c.Id == client.Id).Select(c => c.Email).SingleAsync());
    }

    [Fact]
    public async Task A_note_is_added_to_the_thread_and_an_empty_one_is_refused_with_a_message()
    {
        var client = await AddClientAsync("Nora Notes");
        var desk = await app.SignedInClientAsync(Reception);

        var empty = await desk.SubmitAsync($"/clients/{client.Id}", "#note-form", new Dictionary<string, string> { ["text"] = "   " });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("Please write a note", (await empty.ReadDocumentAsync()).Single("#note-text-error").TextContent);

        var tooLong = await desk.SubmitAsync($"/clients/{client.Id}", "#note-form", new Dictionary<string, string> { ["text"] = new string('z', 2001) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.StatusCode);

        var added = await desk.SubmitAsync($"/clients/{client.Id}", "#note-form", new Dictionary<string, string> { ["text"] = "Prefers Tuesdays." });
        Assert.Equal(HttpStatusCode.SeeOther, added.StatusCode);
        var page = await desk.GetDocumentAsync($"/clients/{client.Id}");
        var note = page.Single("#staff-notes li").TextContent;
        Assert.Contains("Prefers Tuesdays.", note);
        Assert.Contains("Sophie Wagner", note);

        var anna = await app.SignedInClientAsync("anna@demo.studio");
        Assert.Equal(HttpStatusCode.Forbidden, (await anna.HtmxAsync(HttpMethod.Post, $"/clients/{client.Id}/notes",
            new Dictionary<string, string> { ["text"] = "sneaky" }, tokenFromPage: "/board")).StatusCode);
    }

    [Fact]
    public async Task An_erased_client_is_hidden_unless_asked_for_and_their_profile_offers_no_edit()
    {
        var tag = $"e{Guid.NewGuid():N}"[..12];
        var client = await AddClientAsync("Erased Person", tag);
        await using (var db = app.NewDb())
        {
            await db.Clients.Where(c => c.Id == client.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.ErasedAt, DateTime.UtcNow));
        }
        var desk = await app.SignedInClientAsync(Reception);

        Assert.Empty(Names(await desk.GetDocumentAsync($"/clients?tag={tag}")));
        var shown = await desk.GetDocumentAsync($"/clients?tag={tag}&erased=show");
        Assert.Equal(["Erased Person"], Names(shown));
        Assert.NotNull(shown.QuerySelector("#clients-erased[checked]"));

        var page = await desk.GetDocumentAsync($"/clients/{client.Id}");
        Assert.NotNull(page.QuerySelector("#erased-notice"));
        Assert.Null(page.QuerySelector("#client-actions"));
        Assert.Null(page.QuerySelector("#note-form"));

        var edit = await desk.GetDocumentAsync($"/clients/{client.Id}/edit");
        Assert.NotNull(edit.QuerySelector("#client-form fieldset[disabled]"));
        var refused = await desk.SubmitAsync((IHtmlFormElement)edit.Single("#client-form"), new Dictionary<string, string> { ["Name"] = "Back Again" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        await using var check = app.NewDb();
        Assert.Equal("Erased Person", await check.Clients.Where(c => c.Id == client.Id).Select(c => c.Name).SingleAsync());
    }

    [Fact]
    public async Task A_web_booking_logs_the_terms_every_time_and_a_new_clients_marketing_opt_in()
    {
        var email = $"consent.{Letters()}@example.org";

        async Task BookAsync(bool marketing, bool latest)
        {
            var (client, start) = await WizardTests.ChooseATimeAsync(app, latest: latest);
            await WizardTests.PostStartAsync(client, start);
            var details = new Dictionary<string, string>
            {
                ["Name"] = "Consent Tester", ["Email"] = email, ["Phone"] = "+49 30 1234567", ["Guests"] = "1", ["AcceptTerms"] = "true",
            };
            if (marketing) details["MarketingOptIn"] = "true";
            Assert.Equal("/book/review", (await client.SubmitAsync("/book/details", "#details-form", details)).Headers.Location!.OriginalString);
            Assert.Equal(HttpStatusCode.SeeOther, (await client.SubmitAsync("/book/review", "#confirm-form")).StatusCode);
        }

        await BookAsync(marketing: true, latest: false);
        await using var db = app.NewDb();
        var clientId = await db.Clients.Where(c => c.Email == email).Select(c => c.Id).SingleAsync();
        var log = await db.ClientConsents.Where(k => k.ClientId == clientId).OrderBy(k => k.Id).ToListAsync();
        Assert.Equal([(ClientConsent.Terms, true), (ClientConsent.Marketing, true)], log.Select(k => (k.Kind, k.Granted)));
        Assert.All(log, k => Assert.Equal(("web", "client"), (k.Source, k.By)));

        // A returning client: the terms again; their opt-in is not changed by a public form, so no marketing entry.
        await BookAsync(marketing: false, latest: true);
        log = await db.ClientConsents.Where(k => k.ClientId == clientId).OrderBy(k => k.Id).ToListAsync();
        Assert.Equal([(ClientConsent.Terms, true), (ClientConsent.Marketing, true), (ClientConsent.Terms, true)], log.Select(k => (k.Kind, k.Granted)));
        Assert.True(await db.Clients.Where(c => c.Id == clientId).Select(c => c.MarketingOptIn).SingleAsync());
    }

    [Theory]
    [InlineData(" vip, family ,VIP,, newborn ", "vip|family|newborn", null)]
    [InlineData("", "", null)]
    [InlineData(" , ,", "", null)]
    [InlineData("ok, 12345678901234567890123456789012345678901", null, ClientTags.TooLong)]
    public void Tags_are_trimmed_and_deduplicated_and_bounded(string typed, string? expected, string? error)
    {
        var (tags, problem) = ClientTags.Parse(typed);
        Assert.Equal(error, problem);
        if (expected is not null) Assert.Equal(expected.Split('|', StringSplitOptions.RemoveEmptyEntries), tags);
    }

    [Fact]
    public void More_than_twenty_tags_are_refused_but_twenty_repeated_ones_are_not()
    {
        Assert.Equal(ClientTags.TooMany, ClientTags.Parse(string.Join(",", Enumerable.Range(0, 21).Select(i => $"t{i}"))).Error);
        Assert.Null(ClientTags.Parse(string.Join(",", Enumerable.Range(0, 40).Select(i => $"t{i % 20}"))).Error);
    }
    [Fact]
    public async Task A_booking_s_details_link_to_the_client_s_record_only_for_those_who_may_open_it()
    {
        int bookingId, clientId;
        await using (var db = app.NewDb())
        {
            var anna = await db.Employees.SingleAsync(e => e.User!.Email == "anna@demo.studio");
            (bookingId, clientId) = await db.Bookings.Where(b => b.PhotographerId == anna.Id)
                .OrderBy(b => b.Id).Select(b => new ValueTuple<int, int>(b.Id, b.ClientId)).FirstAsync();
        }

        var desk = await (await app.SignedInClientAsync(Reception)).GetDocumentAsync($"/board/bookings/{bookingId}");
        Assert.Equal($"/clients/{clientId}", desk.Single("#client-profile").GetAttribute("href"));

        // Anna photographs the session and sees its details, but client records are not hers to open.
        var photographer = await (await app.SignedInClientAsync("anna@demo.studio")).GetDocumentAsync($"/board/bookings/{bookingId}");
        Assert.NotNull(photographer.QuerySelector($"#details-{bookingId}"));
        Assert.Null(photographer.QuerySelector("#client-profile"));
    }
}
