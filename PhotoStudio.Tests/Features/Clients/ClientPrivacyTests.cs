using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Features.Board;
using PhotoStudio.Features.Clients;
using PhotoStudio.Features.Dashboard;
using PhotoStudio.Features.Notifications;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Tests.Features.Booking;
using PhotoStudio.Tests.Features.Notifications;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Clients;

/// <summary>A client's GDPR requests: the export of everything held, and the erasure that leaves nothing of them.</summary>
public class ClientPrivacyTests(PrivacyApp app) : IClassFixture<PrivacyApp>
{
    private const string Admin = "admin@demo.studio";
    private const string Manager = "manager@demo.studio";

    /// <summary>A person of their own: a name, an address on a domain nobody else uses, and a phone, none found anywhere yet.</summary>
    private sealed record Person(string Name, string Email, string Phone)
    {
        public static Person New()
        {
            var tag = new string([.. Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(6)]).PadRight(6, 'q');
            var digits = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString();
            return new($"Quilla Zorvath{tag}", $"quilla.{tag}@{tag}-family.example", $"+49 157 {digits[..4]} {digits[4..]}");
        }

        public string LocalPart => Email[..Email.IndexOf('@')];
        public string Domain => Email[(Email.IndexOf('@') + 1)..];
        public string Digits => new([.. Phone.Where(char.IsAsciiDigit)]);
        public string[] Everything => [Name, Email, LocalPart, Domain, Phone, Digits];
    }

    /// <summary>Books through the public wizard, as the person would on their phone; returns the booking.</summary>
    private async Task<PhotoStudio.Data.Booking> BookAsync(Person person, string notes)
    {
        var (client, start) = await WizardTests.ChooseATimeAsync(app, latest: true);
        await WizardTests.PostStartAsync(client, start);
        var details = await client.SubmitAsync("/book/details", "#details-form", new Dictionary<string, string>
        {
            ["Name"] = person.Name, ["Email"] = person.Email, ["Phone"] = person.Phone, ["Guests"] = "1", ["Notes"] = notes,
            ["AcceptTerms"] = "true", ["MarketingOptIn"] = "true",
        });
        Assert.Equal("/book/review", details.Headers.Location!.OriginalString);
        var confirmed = await client.SubmitAsync("/book/review", "#confirm-form");
        Assert.Equal(HttpStatusCode.SeeOther, confirmed.StatusCode);
        var code = (await client.GetDocumentAsync(confirmed.Headers.Location!.OriginalString)).Single("#booking-code").TextContent;
        await using var db = app.NewDb();
        return await db.Bookings.AsNoTracking().SingleAsync(b => b.Code == code);
    }

    private async Task<string> DashboardAsync()
    {
        await using var scope = app.Scope();
        // The funnel's views are counted in memory and written every few seconds: the figures compared are the
        // written ones, not a flush that happened to fall between two readings.
        await scope.ServiceProvider.GetRequiredService<PhotoStudio.Features.Booking.FunnelCounter>().FlushAsync(CancellationToken.None);
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        var report = await scope.ServiceProvider.GetRequiredService<DashboardService>().ReportAsync("custom",
            DashboardPeriod.Iso(today.AddDays(-180)), DashboardPeriod.Iso(today.AddDays(180)), CancellationToken.None);
        return JsonSerializer.Serialize(report);
    }

    private static async Task<HttpResponseMessage> EraseAsync(HttpClient staff, int clientId, bool confirm)
    {
        var page = await staff.GetDocumentAsync($"/clients/{clientId}/erase");
        var form = page.QuerySelector<IHtmlFormElement>("#erase-form")!;
        return await staff.SubmitAsync(form, confirm ? new Dictionary<string, string> { ["Confirm"] = "true" } : null);
    }

    [Fact]
    public async Task Erasure_leaves_nothing_of_the_client_anywhere_in_the_database_and_keeps_the_dashboard_figures()
    {
        var person = Person.New();
        var merged = Person.New();
        var newPhone = Person.New().Phone;
        var booking = await BookAsync(person, $"Please ask for {person.Name}, {person.Phone}");
        var clientId = booking.ClientId;
        var staff = await app.ReceptionAsync();

        // Staff activity: a booking note, a client note and an audited edit that leaves the old phone in the audit.
        await using (var scope = app.Scope())
        {
            var board = scope.ServiceProvider.GetRequiredService<BoardService>();
            Assert.IsAssignableFrom<Outcome.Done>(await board.AddNoteAsync(booking.Id, $"{person.Name} writes from {person.Email}", staff, CancellationToken.None));
        }
        await app.WithDbAsync(async db =>
        {
            var client = await db.Clients.SingleAsync(c => c.Id == clientId);
            client.Phone = newPhone;
            client.Notes = $"Prefers {person.LocalPart} on the phone";
            client.Tags = ["vip"];
            db.ClientNotes.Add(new ClientNote { ClientId = clientId, AuthorId = staff.UserId, AuthorName = "Reception", At = DateTime.UtcNow, Text = $"Called {person.Digits}" });
            db.ClientConsents.Add(new ClientConsent { ClientId = clientId, Kind = ClientConsent.Marketing, Granted = true, At = DateTime.UtcNow, Source = "staff", By = staff.UserId });
            await db.SaveChangesAsync();
        });
        // A client merged into this one earlier: their creation, the merge and their removal are in the audit.
        await app.WithDbAsync(async db =>
        {
            var other = new Client { Name = merged.Name, Email = merged.Email, Phone = merged.Phone, CreatedAt = DateTime.UtcNow };
            db.Clients.Add(other);
            await db.SaveChangesAsync();
            db.AuditEntries.Add(new AuditEntry
            {
                At = DateTime.UtcNow, Actor = staff.UserId, Action = "merged", EntityType = "Client", EntityId = clientId.ToString(),
                Changes = JsonSerializer.Serialize(new Dictionary<string, object?[]> { ["MergedClientId"] = [other.Id, clientId], ["Email"] = [merged.Email, person.Email] }),
            });
            db.Clients.Remove(other);
            await db.SaveChangesAsync();
        });
        // An entry about something else that named them: a closure made for their shoot and removed again lives on only in the audit.
        await app.WithDbAsync(async db =>
        {
            var closure = new Closure { FirstDay = new DateOnly(2032, 3, 1), LastDay = new DateOnly(2032, 3, 1), Reason = $"Private shoot: {person.Email}, {person.Phone}" };
            db.Closures.Add(closure);
            await db.SaveChangesAsync();
            db.Closures.Remove(closure);
            await db.SaveChangesAsync();
        });
        // Messages sent (as .eml files in the pickup folder), then one queued by a confirmation whose reason names them.
        Assert.True(await app.SendDueAsync() > 0);
        var mailFiles = Directory.GetFiles(app.MailFolder, "*.eml").Where(f => File.ReadAllText(f).Contains(booking.Code)).ToList();
        Assert.NotEmpty(mailFiles);
        await app.MoveAsync(booking.Id, BookingStatus.Confirmed, $"confirmed on the phone with {person.Name}");
        Assert.Contains(await app.OutboxAsync(booking.Id), n => n.Status == NotificationStatus.Pending);

        string[] values = [.. person.Everything, .. merged.Everything, newPhone, new string([.. newPhone.Where(char.IsAsciiDigit)])];
        Assert.NotEmpty(await DatabaseSearch.HitsAsync(app.ConnectionString, [person.Name, person.Email, person.Phone, merged.Email]));
        var dashboard = await DashboardAsync();
        var bookingEntity = booking.Id.ToString();
        // What the client did from their own link is audited with their address (test requests carry none of their own).
        const string guests = """{"Guests": [1, 2]}""";
        await using (var before = app.NewDb())
            await before.Database.ExecuteSqlAsync($"""
                INSERT INTO audit_entries (at, actor, actor_name, action, entity_type, entity_id, changes, ip, trace_id)
                VALUES (now(), 'client', '', 'updated', 'Booking', {bookingEntity}, {guests}::jsonb, '203.0.113.9', '')
                """);

        var admin = await app.SignedInClientAsync(Admin);
        var response = await EraseAsync(admin, clientId, confirm: true);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"/clients/{clientId}", response.Headers.Location!.OriginalString);
        var hits = await DatabaseSearch.HitsAsync(app.ConnectionString, values);
        Assert.True(hits.Count == 0, "Still in the database after the erasure:\n" + string.Join("\n", hits));
        Assert.Equal(dashboard, await DashboardAsync());
        Assert.All(mailFiles, f => Assert.False(File.Exists(f), $"{f} was not deleted"));

        await using var db = app.NewDb();
        var erased = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == clientId);
        Assert.Equal((ClientErasure.ErasedName, ClientErasure.ErasedEmail(clientId), "", false), (erased.Name, erased.Email, erased.Phone, erased.MarketingOptIn));
        Assert.NotNull(erased.ErasedAt);
        // The address the client booked from is theirs too: gone from the entries they made.
        Assert.DoesNotContain(db.AuditEntries, e => e.Actor == "client" && e.EntityType == "Booking" && e.EntityId == bookingEntity && e.Ip != "");
        Assert.Equal(BookingStatus.Confirmed, (await db.Bookings.AsNoTracking().SingleAsync(b => b.Id == booking.Id)).Status);
        Assert.DoesNotContain(await app.OutboxAsync(booking.Id), n => n.Status == NotificationStatus.Pending);
        var entry = await db.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == "client.erased" && e.EntityId == clientId.ToString());
        Assert.Equal((Admin, "Client"), (entry.ActorName, entry.EntityType));
        Assert.Contains("\"MergedClients\": [null, 1]", entry.Changes);
        Assert.Contains(db.ClientConsents, c => c.ClientId == clientId && c.Kind == ClientConsent.Marketing && !c.Granted && c.Source == "erasure");
        // The flash of the redirect shows on the next page.
        var next = await admin.GetDocumentAsync($"/clients/{clientId}/erase");
        Assert.Contains("personal data was erased", next.Single("#flash").TextContent);
    }

    [Fact]
    public async Task Nothing_is_erased_without_the_confirmation_and_an_erased_client_cannot_be_erased_again()
    {
        var person = Person.New();
        var booking = await BookAsync(person, "");
        var manager = await app.SignedInClientAsync(Manager);

        var refused = await EraseAsync(manager, booking.ClientId, confirm: false);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var page = await refused.ReadDocumentAsync();
        Assert.Contains("Tick the box", page.Single("#Confirm-error").TextContent);
        Assert.Contains("is-invalid", page.Single("#Confirm").ClassName);
        await using (var db = app.NewDb())
            Assert.Null((await db.Clients.AsNoTracking().SingleAsync(c => c.Id == booking.ClientId)).ErasedAt);

        Assert.Equal(HttpStatusCode.SeeOther, (await EraseAsync(manager, booking.ClientId, confirm: true)).StatusCode);
        var again = await manager.GetDocumentAsync($"/clients/{booking.ClientId}/erase");
        Assert.Contains("was erased on", again.Single("#erased-already").TextContent);
        Assert.Null(again.QuerySelector("#erase-form"));

        // A post made from the page as it was before: a clear message, and nothing done.
        await using var scope = app.Scope();
        var second = await scope.ServiceProvider.GetRequiredService<ClientErasure>().EraseAsync(booking.ClientId, CancellationToken.None);
        Assert.Equal(Outcome.Because(ClientErasure.AlreadyErased), second);
        var token = JsonDocument.Parse(again.Body!.GetAttribute("hx-headers")!).RootElement.GetProperty("RequestVerificationToken").GetString();
        var post = new HttpRequestMessage(HttpMethod.Post, $"/clients/{booking.ClientId}/erase")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Confirm"] = "true", ["__RequestVerificationToken"] = token! }),
        };
        var repeated = await manager.SendAsync(post);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, repeated.StatusCode);
        Assert.Contains("erased already", (await repeated.ReadDocumentAsync()).Single("#erase-message").TextContent);
        await using var check = app.NewDb();
        Assert.Equal(1, await check.AuditEntries.CountAsync(e => e.Action == "client.erased" && e.EntityId == booking.ClientId.ToString()));
    }

    [Fact]
    public async Task The_export_holds_every_field_of_the_profile_and_every_booking_and_is_audited_without_secrets()
    {
        var person = Person.New();
        var first = await BookAsync(person, "Window light, please");
        var second = await BookAsync(person, "");
        var clientId = first.ClientId;
        var staff = await app.ReceptionAsync();
        await app.WithDbAsync(async db =>
        {
            var client = await db.Clients.SingleAsync(c => c.Id == clientId);
            client.Notes = "Allergic to lilies";
            client.Tags = ["wedding-2031", "returning"];
            db.ClientNotes.Add(new ClientNote { ClientId = clientId, AuthorId = staff.UserId, AuthorName = "Reception", At = DateTime.UtcNow, Text = "Asked about prints" });
            db.ClientConsents.Add(new ClientConsent { ClientId = clientId, Kind = ClientConsent.Terms, Granted = true, At = DateTime.UtcNow, Source = "web", By = "client" });
            await db.SaveChangesAsync();
        });
        var manager = await app.SignedInClientAsync(Manager);

        var page = await manager.GetDocumentAsync($"/clients/{clientId}/export");

        var text = page.Body!.TextContent;
        foreach (var expected in new[] { person.Name, person.Email, person.Phone, "Allergic to lilies", "wedding-2031", "returning", "Asked about prints",
                     "Window light, please", first.Code, second.Code })
            Assert.Contains(expected, text);
        Assert.Contains("Terms: Agreed", page.Single("#export-consents").TextContent);

        var download = await manager.GetAsync($"/clients/{clientId}/export.json");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/json", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        var json = await download.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(person.Email, doc.RootElement.GetProperty("profile").GetProperty("email").GetString());
        Assert.Equal(new[] { first.Code, second.Code }.Order(),
            doc.RootElement.GetProperty("bookings").EnumerateArray().Select(b => b.GetProperty("code").GetString()!).Order());
        Assert.Contains("Allergic to lilies", json);
        Assert.Contains("Asked about prints", json);
        Assert.DoesNotContain("ManageToken", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("manageToken", json);
        Assert.True(doc.RootElement.GetProperty("audit").GetArrayLength() >= 3, "the client's and bookings' creation and the edit are in the audit part");

        await using var db = app.NewDb();
        var exports = await db.AuditEntries.AsNoTracking().Where(e => e.Action == "client.exported" && e.EntityId == clientId.ToString()).ToListAsync();
        Assert.Equal(2, exports.Count);
        Assert.All(exports, e => Assert.Equal((Manager, "Client"), (e.ActorName, e.EntityType)));
        Assert.All(exports, e => Assert.DoesNotContain(person.Email, e.Changes));
    }

    [Fact]
    public async Task The_export_costs_the_same_queries_for_one_booking_as_for_three()
    {
        async Task<int> QueriesAsync(int clientId)
        {
            await using var scope = app.Scope();
            var export = scope.ServiceProvider.GetRequiredService<ClientExport>();
            using var counter = new CommandCounter(new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!);
            Assert.NotNull(await export.LoadAsync(clientId, CancellationToken.None));
            return counter.Count;
        }
        var one = await BookAsync(Person.New(), "");
        var person = Person.New();
        var many = await BookAsync(person, "");
        await BookAsync(person, "");
        await BookAsync(person, "");

        var queries = await QueriesAsync(one.ClientId);

        Assert.Equal(queries, await QueriesAsync(many.ClientId));
        Assert.InRange(queries, 1, 15);
    }

    [Fact]
    public async Task Retention_erases_only_the_client_without_a_booking_for_the_set_months()
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var service = await BookingRace.IdsAsync(app, "Portrait session", "Black Box", "Maria Sokolova");
        async Task<int> ClientAsync(DateTime createdAt, params (DateTime Created, DateTime Starts)[] bookings)
        {
            await using var db = app.NewDb();
            var client = new Client { Name = Person.New().Name, Email = Person.New().Email, CreatedAt = createdAt };
            db.Clients.Add(client);
            var room = await db.Rooms.SingleAsync(r => r.Id == service.Room);
            var portrait = await db.Services.SingleAsync(s => s.Id == service.Service);
            foreach (var (created, starts) in bookings)
            {
                var b = TestBookings.NewBooking($"PS-R{Random.Shared.Next(10000, 99999)}", client.Name, client.Email, portrait, room, null,
                    BookingStatus.Delivered, starts, starts.AddHours(1), created);
                b.Client = client;
                db.Bookings.Add(b);
            }
            await db.SaveChangesAsync();
            return client.Id;
        }
        var stale = await ClientAsync(now.AddMonths(-30), (now.AddMonths(-20), now.AddMonths(-19).AddMinutes(7)));
        var silent = await ClientAsync(now.AddMonths(-30));
        var recent = await ClientAsync(now.AddMonths(-30), (now.AddMonths(-3), now.AddMonths(-2).AddMinutes(11)));
        var upcoming = await ClientAsync(now.AddMonths(-30), (now.AddMonths(-20), now.AddMonths(1).AddMinutes(13)));
        var young = await ClientAsync(now.AddMonths(-2));
        async Task<int> RunAsync()
        {
            await using var scope = app.Scope();
            return await scope.ServiceProvider.GetRequiredService<ClientRetention>().EraseStaleAsync(CancellationToken.None);
        }

        Assert.Equal(0, await RunAsync()); // off by default
        await using (var db = app.NewDb())
            await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.EraseClientsAfterMonths, 12));
        try
        {
            Assert.True(await RunAsync() >= 2);

            await using var check = app.NewDb();
            var erased = await check.Clients.AsNoTracking().Where(c => new[] { stale, silent, recent, upcoming, young }.Contains(c.Id))
                .ToDictionaryAsync(c => c.Id, c => c.ErasedAt is not null);
            Assert.Equal([true, true, false, false, false], new[] { stale, silent, recent, upcoming, young }.Select(id => erased[id]).ToArray());
            var entry = await check.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == "client.erased" && e.EntityId == stale.ToString());
            Assert.Equal("system", entry.Actor);
            Assert.Equal(0, await RunAsync()); // a second run finds nobody new
        }
        finally
        {
            await using var db = app.NewDb();
            await db.Settings.ExecuteUpdateAsync(s => s.SetProperty(x => x.EraseClientsAfterMonths, (int?)null));
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("241")]
    [InlineData("soon")]
    [InlineData("-5")]
    public async Task The_retention_setting_refuses_anything_but_1_to_240_months_or_blank(string typed)
    {
        var admin = await app.SignedInClientAsync(Admin);
        var form = (await admin.GetDocumentAsync("/admin/settings")).QuerySelector<IHtmlFormElement>("#settings-form")!;

        var response = await admin.SubmitAsync(form, new Dictionary<string, string> { ["EraseClientsAfterMonths"] = typed });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await response.ReadDocumentAsync();
        Assert.Contains("Enter a number of months between 1 and 240, or leave it blank.", page.Single("#EraseClientsAfterMonths-error").TextContent);
        var input = page.QuerySelector<IHtmlInputElement>("#EraseClientsAfterMonths")!;
        Assert.Contains("is-invalid", input.ClassName);
        Assert.Equal(typed, input.Value);
        Assert.Contains("between 1 and 240", page.Single("#settings-form [role=alert]").TextContent);
        await using var db = app.NewDb();
        Assert.Null((await db.Settings.AsNoTracking().SingleAsync()).EraseClientsAfterMonths);
    }

    [Fact]
    public async Task The_retention_setting_is_saved_and_cleared_and_reads_in_russian()
    {
        var admin = await app.SignedInClientAsync(Admin);
        async Task SaveAsync(string typed)
        {
            var form = (await admin.GetDocumentAsync("/admin/settings")).QuerySelector<IHtmlFormElement>("#settings-form")!;
            Assert.Equal(HttpStatusCode.SeeOther, (await admin.SubmitAsync(form, new Dictionary<string, string> { ["EraseClientsAfterMonths"] = typed })).StatusCode);
        }
        try
        {
            await SaveAsync("18");
            await using (var db = app.NewDb())
                Assert.Equal(18, (await db.Settings.AsNoTracking().SingleAsync()).EraseClientsAfterMonths);
            Assert.Equal("18", (await admin.GetDocumentAsync("/admin/settings")).QuerySelector<IHtmlInputElement>("#EraseClientsAfterMonths")!.Value);
        }
        finally
        {
            await SaveAsync("");
        }
        await using (var db = app.NewDb())
            Assert.Null((await db.Settings.AsNoTracking().SingleAsync()).EraseClientsAfterMonths);

        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ru");
        var russian = (await admin.GetDocumentAsync("/admin/settings")).QuerySelector<IHtmlFormElement>("#settings-form")!;
        var refused = await admin.SubmitAsync(russian, new Dictionary<string, string> { ["EraseClientsAfterMonths"] = "0" });
        Assert.Contains("Укажите число месяцев от 1 до 240", (await refused.ReadDocumentAsync()).Single("#EraseClientsAfterMonths-error").TextContent);
    }
}
