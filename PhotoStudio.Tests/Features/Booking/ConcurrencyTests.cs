using System.Diagnostics;
using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NpgsqlTypes;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Scheduling;
using PhotoStudio.Tests.Support;
using Xunit.Abstractions;

namespace PhotoStudio.Tests.Features.Booking;

/// <summary>
/// The races run alone, after the parallel part of the suite: fifty transactions at once need fifty database
/// connections, and other classes running beside them would both disturb them and be disturbed.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class ConcurrencyCollection
{
    public const string Name = "booking races";
}

/// <summary>Helpers shared by the race tests: a common start line, and the free slots the engine offers.</summary>
internal static class BookingRace
{
    public const int Runners = 50;
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs every runner's preparation first, then releases them all at once behind one gate, and waits for all.
    /// Each outcome keeps its exception instead of failing the whole batch, so the test can report all of them.
    /// </summary>
    public static async Task<(List<(T? Value, Exception? Error)> Outcomes, TimeSpan Elapsed)> RunAsync<TPrepared, T>(
        IReadOnlyList<TPrepared> prepared, Func<TPrepared, Task<T>> go)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var ready = new CountdownEvent(prepared.Count);
        var runners = prepared.Select(p => Task.Run(async () =>
        {
            ready.Signal();
            await gate.Task;
            try
            {
                return ((T?)await go(p), (Exception?)null);
            }
            catch (Exception e)
            {
                return (default(T), e);
            }
        })).ToList();
        ready.Wait(Limit);
        var clock = Stopwatch.StartNew();
        gate.SetResult();
        var outcomes = await Task.WhenAll(runners).WaitAsync(Limit);
        return ([.. outcomes], clock.Elapsed);
    }

    /// <summary>Each distinct exception chain once, with how often it happened: "3 × A: … ---> B: … ---> PostgresException: 40P01: …".</summary>
    public static string Describe(IEnumerable<Exception> errors) =>
        string.Join("\n", errors.GroupBy(Chain).Select(g => $"{g.Count()} × {g.Key}"));

    private static string Chain(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
            parts.Add($"{x.GetType().Name}: {x.Message.Split('\n')[0].Trim()}");
        return string.Join(" ---> ", parts);
    }

    public static async Task<(int Service, int Room, int Photographer)> IdsAsync(StudioApp app, string service, string room, string photographer)
    {
        await using var db = app.NewDb();
        return (await db.Services.Where(s => s.Name == service).Select(s => s.Id).SingleAsync(),
            await db.Rooms.Where(r => r.Name == room).Select(r => r.Id).SingleAsync(),
            await db.Employees.Where(e => e.FullName == photographer).Select(e => e.Id).SingleAsync());
    }

    /// <summary>Every start the engine offers for the service in that room with that photographer over the next weeks.</summary>
    public static async Task<IReadOnlyList<FreeSlot>> FreeSlotsAsync(StudioApp app, int serviceId, int roomId, int photographerId)
    {
        await using var scope = app.Scope();
        var booking = scope.ServiceProvider.GetRequiredService<BookingService>();
        var today = (await scope.ServiceProvider.GetRequiredService<StudioDay>().ClockAsync(CancellationToken.None)).Today;
        var last = today.AddDays(21);
        var inputs = (await booking.InputsAsync(serviceId, today, last, CancellationToken.None))!;
        return [.. booking.Slots(inputs, today, last, roomId, photographerId).All.OrderBy(s => s.StartUtc)];
    }

    public static ClientDetails Details(string email) => new()
    {
        Name = "Race Runner", Email = email, Phone = "+49 30 7654321", Guests = 2, AcceptTerms = true,
    };

    /// <summary>Live bookings holding the room (or, when given, the photographer) at any moment of the range.</summary>
    public static async Task<int> LiveHoldingAsync(StudioApp app, DateTime from, DateTime to, int? roomId = null, int? photographerId = null)
    {
        await using var db = app.NewDb();
        var range = new NpgsqlRange<DateTime>(DateTime.SpecifyKind(from, DateTimeKind.Utc), true, DateTime.SpecifyKind(to, DateTimeKind.Utc), false);
        return await db.Bookings
            .Where(b => b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.NoShow)
            .Where(b => roomId == null || b.RoomId == roomId)
            .Where(b => photographerId == null || b.PhotographerId == photographerId)
            .CountAsync(b => b.Blocked.Overlaps(range));
    }
}

/// <summary>Fifty visitors press "Confirm" for the same room, photographer and time at the same moment.</summary>
[Collection(ConcurrencyCollection.Name)]
public class ConcurrencyTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task Fifty_confirmations_for_one_room_and_time_make_exactly_one_booking()
    {
        // Fifty separate browsers, each walked through steps 1–4 to the review page for the same choice.
        var preparing = Stopwatch.StartNew();
        var visitors = new (HttpClient Client, string Start, HttpRequestMessage Confirm)[BookingRace.Runners];
        await Parallel.ForEachAsync(Enumerable.Range(0, BookingRace.Runners), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var (client, start) = await WizardTests.ChooseATimeAsync(app, "Family session", specific: true);
            visitors[i] = (client, start, await ReviewAsync(client, start, $"racer.{i}@example.org"));
        });
        var start = visitors[0].Start;
        Assert.All(visitors, v => Assert.Equal(start, v.Start));
        output.WriteLine($"{BookingRace.Runners} visitors at the review step for {start} in {preparing.Elapsed.TotalSeconds:F1} s");

        var (outcomes, elapsed) = await BookingRace.RunAsync(visitors, v => v.Client.SendAsync(v.Confirm));
        output.WriteLine($"{BookingRace.Runners} POST /book/confirm answered in {elapsed.TotalMilliseconds:F0} ms");

        var errors = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} confirmations threw:\n{BookingRace.Describe(errors)}");
        var responses = outcomes.Select(o => o.Value!).ToList();
        var byStatus = responses.GroupBy(r => (int)r.StatusCode).OrderBy(g => g.Key).ToList();
        output.WriteLine("Status codes: " + string.Join(", ", byStatus.Select(g => $"{g.Key} × {g.Count()}")));

        Assert.True(responses.All(r => (int)r.StatusCode < 500),
            $"Server errors among the answers ({string.Join(", ", byStatus.Select(g => $"{g.Key} × {g.Count()}"))}); the app log has the exceptions");
        var won = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.SeeOther);
        var lost = responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).ToList();
        Assert.Equal(BookingRace.Runners - 1, lost.Count);
        foreach (var response in lost)
        {
            var page = await response.ReadDocumentAsync();
            Assert.Contains("just taken", page.QuerySelector("#wizard [role=alert]")?.TextContent ?? "");
            Assert.DoesNotContain(page.QuerySelectorAll<IHtmlButtonElement>("#slots-form button.slot"), b => b.Value == start);
        }

        // The database holds exactly one live booking for that room and time, and it is the one the winner was shown.
        var location = won.Headers.Location!.OriginalString;
        Assert.StartsWith("/book/done/", location);
        var code = location["/book/done/".Length..];
        await using var db = app.NewDb();
        var booking = await db.Bookings.Include(b => b.Client).SingleAsync(b => b.Code == code);
        Assert.Equal(DateTime.Parse(start).ToUniversalTime(), booking.StartsAt);
        Assert.Equal(1, await db.Bookings.CountAsync(b => b.RoomId == booking.RoomId && b.StartsAt == booking.StartsAt
            && b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.NoShow));
        Assert.Equal(1, await BookingRace.LiveHoldingAsync(app, booking.Blocked.LowerBound, booking.Blocked.UpperBound, roomId: booking.RoomId));
        Assert.Equal(1, await BookingRace.LiveHoldingAsync(app, booking.StartsAt, booking.EndsAt, photographerId: booking.PhotographerId));
        Assert.Equal(1, await db.Bookings.CountAsync(b => b.Client!.Email.StartsWith("racer.")));
        Assert.Equal(1, await db.BoardEvents.CountAsync(e => e.BookingId == booking.Id));
    }

    /// <summary>Steps 3–5 for one visitor: the time, the details, and the confirm request built from the review page.</summary>
    private static async Task<HttpRequestMessage> ReviewAsync(HttpClient client, string start, string email)
    {
        var response = await client.SubmitAsync("/book/when?day=" + start[..10], "#slots-form", new Dictionary<string, string> { ["start"] = start });
        Assert.Equal("/book/details", response.Headers.Location!.OriginalString);
        response = await client.SubmitAsync("/book/details", "#details-form", new Dictionary<string, string>
        {
            ["Name"] = "Race Runner", ["Email"] = email, ["Phone"] = "+49 30 7654321", ["Guests"] = "2", ["AcceptTerms"] = "true",
        });
        Assert.Equal("/book/review", response.Headers.Location!.OriginalString);

        var review = await client.GetDocumentAsync("/book/review");
        var form = review.QuerySelector<IHtmlFormElement>("#confirm-form")!;
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(i => i.Name is { Length: > 0 } && i.Type is not ("checkbox" or "radio" or "submit" or "button"))
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
        Assert.Contains(fields, f => f.Key == "__RequestVerificationToken");
        foreach (var (name, value) in fields)
            if (TestSecrets.IsSecretField(name)) TestSecrets.Remember(value);
        return new HttpRequestMessage(HttpMethod.Post, form.GetAttribute("action")) { Content = new FormUrlEncodedContent(fields) };
    }
}

/// <summary>
/// The same race below the controller: the availability pre-check lets all fifty through before any commits,
/// so the exclusion constraint has to turn away every loser.
/// </summary>
[Collection(ConcurrencyCollection.Name)]
public class ServiceConcurrencyTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task Fifty_identical_drafts_confirmed_in_parallel_scopes_make_exactly_one_booking()
    {
        var (serviceId, roomId, photographerId) = await BookingRace.IdsAsync(app, "Portrait session", "Black Box", "Maria Sokolova");
        var slot = (await BookingRace.FreeSlotsAsync(app, serviceId, roomId, photographerId))[0];
        var draft = new BookingDraft
        {
            ServiceId = serviceId, RoomId = roomId, PhotographerId = photographerId, StartUtc = slot.StartUtc,
            Details = BookingRace.Details("same.racer@example.org"),
        };
        Assert.Equal(0, await BookingRace.LiveHoldingAsync(app, slot.StartUtc, slot.EndUtc, roomId: roomId));

        var scopes = Enumerable.Range(0, BookingRace.Runners).Select(_ => app.Scope()).ToList();
        try
        {
            // Fifty visitors' drafts, alike but for their one-time ids: the exclusion constraint, not the draft id, decides.
            var (outcomes, elapsed) = await BookingRace.RunAsync(scopes,
                scope => scope.ServiceProvider.GetRequiredService<BookingService>().ConfirmAsync(draft with { Id = Guid.NewGuid() }, CancellationToken.None));
            var confirmed = OneWinner(output, outcomes, elapsed);

            await using var db = app.NewDb();
            var booking = await db.Bookings.SingleAsync(b => b.Code == confirmed.Code);
            Assert.Equal(slot.StartUtc, booking.StartsAt);
            Assert.Equal(1, await BookingRace.LiveHoldingAsync(app, slot.StartUtc, slot.EndUtc, roomId: roomId));
            Assert.Equal(1, await db.Clients.CountAsync(c => c.Email == "same.racer@example.org"));
            Assert.Equal(1, await db.Bookings.CountAsync(b => b.Client!.Email == "same.racer@example.org"));
        }
        finally
        {
            foreach (var scope in scopes) await scope.DisposeAsync();
        }
    }

    /// <summary>Reports the race, then asserts that nothing threw, one confirmation won and every other was told the slot is taken.</summary>
    internal static Booked OneWinner(ITestOutputHelper output, List<(Outcome? Value, Exception? Error)> outcomes, TimeSpan elapsed)
    {
        Report(output, outcomes, elapsed);
        var errors = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} confirmations threw:\n{BookingRace.Describe(errors)}");
        var won = Assert.IsType<Outcome.Done<Booked>>(Assert.Single(outcomes, o => o.Value is Outcome.Done<Booked> { Value.Replayed: false }).Value);
        Assert.Equal(BookingRace.Runners - 1, outcomes.Count(o => o.Value is Outcome.SlotTaken));
        return won.Value;
    }

    private static void Report(ITestOutputHelper output, List<(Outcome? Value, Exception? Error)> outcomes, TimeSpan elapsed)
    {
        output.WriteLine($"{outcomes.Count} ConfirmAsync calls finished in {elapsed.TotalMilliseconds:F0} ms: "
            + string.Join(", ", outcomes.GroupBy(o => o.Error is { } e ? e.GetType().Name : o.Value!.GetType().Name)
                .Select(g => $"{g.Key} × {g.Count()}")));
        var errors = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
        if (errors.Count > 0) output.WriteLine(BookingRace.Describe(errors));
    }
}

/// <summary>One photographer, two rooms, two services: the photographer's exclusion constraint decides.</summary>
[Collection(ConcurrencyCollection.Name)]
public class PhotographerConcurrencyTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task One_photographer_cannot_be_booked_in_two_rooms_at_once_under_a_race()
    {
        // Maria shoots family sessions (Daylight Loft, Studio C) and products (Black Box, Studio C).
        var (familyId, studioC, maria) = await BookingRace.IdsAsync(app, "Family session", "Studio C", "Maria Sokolova");
        var (productId, blackBox, _) = await BookingRace.IdsAsync(app, "Product photography", "Black Box", "Maria Sokolova");
        var family = await BookingRace.FreeSlotsAsync(app, familyId, studioC, maria);
        var products = await BookingRace.FreeSlotsAsync(app, productId, blackBox, maria);

        // The first pair of offered slots that overlap without starting together (so neither room constraint applies).
        var (a, b) = family.SelectMany(f => products.Where(p => p.StartUtc > f.StartUtc && p.StartUtc < f.EndUtc).Select(p => (f, p)))
            .First();
        output.WriteLine($"Family session in Studio C {a.StartUtc:u}–{a.EndUtc:u}, product photography in Black Box {b.StartUtc:u}–{b.EndUtc:u}");
        var before = await BookingRace.LiveHoldingAsync(app, a.StartUtc, b.EndUtc, photographerId: maria);

        var drafts = Enumerable.Range(0, BookingRace.Runners).Select(i => i % 2 == 0
                ? new BookingDraft { Id = Guid.NewGuid(), ServiceId = familyId, RoomId = studioC, PhotographerId = maria, StartUtc = a.StartUtc, Details = BookingRace.Details($"family.{i}@example.org") }
                : new BookingDraft { Id = Guid.NewGuid(), ServiceId = productId, RoomId = blackBox, PhotographerId = maria, StartUtc = b.StartUtc, Details = BookingRace.Details($"product.{i}@example.org") })
            .Select(d => (Draft: d, Scope: app.Scope())).ToList();
        try
        {
            var (outcomes, elapsed) = await BookingRace.RunAsync(drafts,
                x => x.Scope.ServiceProvider.GetRequiredService<BookingService>().ConfirmAsync(x.Draft, CancellationToken.None));
            var confirmed = ServiceConcurrencyTests.OneWinner(output, outcomes, elapsed);

            await using var db = app.NewDb();
            var booking = await db.Bookings.SingleAsync(b => b.Code == confirmed.Code);
            Assert.Equal(maria, booking.PhotographerId);
            output.WriteLine($"Won: {(booking.RoomId == studioC ? "Studio C" : "Black Box")} at {booking.StartsAt:u}");
            Assert.Equal(before + 1, await BookingRace.LiveHoldingAsync(app, a.StartUtc, b.EndUtc, photographerId: maria));
            Assert.Equal(1, await db.Bookings.CountAsync(x => x.Client!.Email.StartsWith("family.") || x.Client!.Email.StartsWith("product.")));
        }
        finally
        {
            foreach (var (_, scope) in drafts) await scope.DisposeAsync();
        }
    }
}

/// <summary>One visitor's draft, confirmed fifty times at once: a double click, a replayed cookie, a script.</summary>
[Collection(ConcurrencyCollection.Name)]
public class SameDraftConcurrencyTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task Fifty_confirmations_of_one_draft_make_one_booking_and_all_answer_with_its_done_page()
    {
        var browser = new DraftTests.Browser(app);
        var email = $"same.draft.{Guid.NewGuid():N}@example.org";
        var form = await DraftTests.ReviewAsync(app, browser.Client, DraftTests.Details(email)); // "any room"
        var cookie = browser.CookieHeader;
        using var raw = app.CreateDefaultClient();

        var (outcomes, elapsed) = await BookingRace.RunAsync(Enumerable.Range(0, BookingRace.Runners).ToList(),
            _ => raw.SendAsync(DraftTests.ConfirmWith(cookie, form)));
        output.WriteLine($"{BookingRace.Runners} POST /book/confirm of one draft answered in {elapsed.TotalMilliseconds:F0} ms");

        var errors = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} confirmations threw:\n{BookingRace.Describe(errors)}");
        var responses = outcomes.Select(o => o.Value!).ToList();
        output.WriteLine("Status codes: " + string.Join(", ", responses.GroupBy(r => (int)r.StatusCode).Select(g => $"{g.Key} × {g.Count()}")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.SeeOther, r.StatusCode));
        var done = Assert.Single(responses.Select(r => r.Headers.Location!.OriginalString).Distinct());
        Assert.StartsWith("/book/done/PS-", done);

        await using var db = app.NewDb();
        var booking = await db.Bookings.SingleAsync(b => b.Client!.Email == email);
        Assert.Equal(done, $"/book/done/{booking.Code}");
        Assert.Equal(1, await db.BoardEvents.CountAsync(e => e.BookingId == booking.Id));
    }
}

/// <summary>
/// The room's constraint decides between sessions that overlap without starting together, and the locks that queue
/// such writers cover hours, not a whole room: a booking at another hour of the same room does not wait.
/// </summary>
[Collection(ConcurrencyCollection.Name)]
public class RoomHoursConcurrencyTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task Overlapping_sessions_in_one_room_with_two_photographers_make_exactly_one_booking_under_a_race()
    {
        var (portrait, blackBox, anna) = await BookingRace.IdsAsync(app, "Portrait session", "Black Box", "Anna Lehmann");
        var (_, _, ivan) = await BookingRace.IdsAsync(app, "Portrait session", "Black Box", "Ivan Petrov");
        var withAnna = await BookingRace.FreeSlotsAsync(app, portrait, blackBox, anna);
        var withIvan = await BookingRace.FreeSlotsAsync(app, portrait, blackBox, ivan);
        var (a, b) = withAnna.SelectMany(x => withIvan.Where(y => y.StartUtc > x.StartUtc && y.StartUtc < x.EndUtc).Select(y => (x, y))).First();
        output.WriteLine($"Black Box: Anna {a.StartUtc:u}–{a.EndUtc:u}, Ivan {b.StartUtc:u}–{b.EndUtc:u}");
        var before = await BookingRace.LiveHoldingAsync(app, a.StartUtc, b.EndUtc, roomId: blackBox);

        var drafts = Enumerable.Range(0, BookingRace.Runners).Select(i => (Draft: i % 2 == 0
                ? new BookingDraft { Id = Guid.NewGuid(), ServiceId = portrait, RoomId = blackBox, PhotographerId = anna, StartUtc = a.StartUtc, Details = BookingRace.Details($"anna.{i}@example.org") }
                : new BookingDraft { Id = Guid.NewGuid(), ServiceId = portrait, RoomId = blackBox, PhotographerId = ivan, StartUtc = b.StartUtc, Details = BookingRace.Details($"ivan.{i}@example.org") },
            Scope: app.Scope())).ToList();
        try
        {
            var (outcomes, elapsed) = await BookingRace.RunAsync(drafts,
                x => x.Scope.ServiceProvider.GetRequiredService<BookingService>().ConfirmAsync(x.Draft, CancellationToken.None));
            ServiceConcurrencyTests.OneWinner(output, outcomes, elapsed);
            Assert.Equal(before + 1, await BookingRace.LiveHoldingAsync(app, a.StartUtc, b.EndUtc, roomId: blackBox));
        }
        finally
        {
            foreach (var (_, scope) in drafts) await scope.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_write_holding_a_rooms_hours_queues_a_booking_over_them_but_not_one_at_another_hour()
    {
        var (portrait, loft, maria) = await BookingRace.IdsAsync(app, "Portrait session", "Daylight Loft", "Maria Sokolova");
        var (_, _, anna) = await BookingRace.IdsAsync(app, "Portrait session", "Daylight Loft", "Anna Lehmann");
        // The confirmations are Anna's, so only the room is shared with the writer (Maria's session): one at the held
        // time, one at least three hours after it.
        var withAnna = await BookingRace.FreeSlotsAsync(app, portrait, loft, anna);
        var held = (await BookingRace.FreeSlotsAsync(app, portrait, loft, maria)).First(m => withAnna.Any(a => a.StartUtc == m.StartUtc));
        var overlapping = withAnna.First(s => s.StartUtc == held.StartUtc);
        var later = withAnna.First(s => s.StartUtc >= held.EndUtc.AddHours(3));

        // Another writer (staff, another instance) holds the room's hours of the first slot in an open transaction.
        await using var holder = app.Scope();
        var db = holder.ServiceProvider.GetRequiredService<StudioDb>();
        await using var tx = await db.Database.BeginTransactionAsync();
        await holder.ServiceProvider.GetRequiredService<BookingService>().LockAsync(loft, maria,
            PhotoStudio.Data.Booking.BlockedRange(held.StartUtc, held.EndUtc, 0, 0), CancellationToken.None);

        async Task<Outcome> ConfirmAsync(FreeSlot slot, string email)
        {
            await using var scope = app.Scope();
            return await scope.ServiceProvider.GetRequiredService<BookingService>().ConfirmAsync(new BookingDraft
            {
                Id = Guid.NewGuid(), ServiceId = portrait, RoomId = loft, PhotographerId = anna, StartUtc = slot.StartUtc,
                Details = BookingRace.Details(email),
            }, CancellationToken.None);
        }

        var elsewhere = await ConfirmAsync(later, "later.hour@example.org").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.IsType<Outcome.Done<Booked>>(elsewhere);

        var waiting = ConfirmAsync(overlapping, "same.hour@example.org");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted, "a booking over the held hours went ahead of the writer holding them");
        await tx.RollbackAsync();
        Assert.IsType<Outcome.Done<Booked>>(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}

/// <summary>Fifty integrations booking the same slot through the API at once: one 201, the rest 409, one booking.</summary>
[Collection(ConcurrencyCollection.Name)]
public class ApiConcurrencyTests(StudioApp app, ITestOutputHelper output) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task Fifty_api_clients_booking_one_slot_get_one_201_and_409s()
    {
        var start = TestBookings.NextMonday();
        var body = await PhotoStudio.Tests.Features.Api.BookingsApiTests.PortraitAsync(app, start);
        var clients = Enumerable.Range(0, BookingRace.Runners).Select(_ => PhotoStudio.Tests.Features.Api.ApiKeysTests.Api(app, PhotoStudio.Data.Seeding.DemoSeeder.ApiKey)).ToList();
        var (outcomes, elapsed) = await BookingRace.RunAsync(clients, async client =>
        {
            using var response = await client.SendAsync(PhotoStudio.Tests.Features.Api.BookingsApiTests.Post("/api/v1/bookings", body, $"race-{Guid.NewGuid():N}"));
            return response.StatusCode;
        });
        output.WriteLine($"{BookingRace.Runners} API requests in {elapsed.TotalMilliseconds:F0} ms: " +
                         string.Join(", ", outcomes.GroupBy(o => o.Error?.GetType().Name ?? o.Value.ToString()).Select(g => $"{g.Key} {g.Count()}")));
        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Equal(1, outcomes.Count(o => o.Value == HttpStatusCode.Created));
        Assert.Equal(BookingRace.Runners - 1, outcomes.Count(o => o.Value == HttpStatusCode.Conflict));
        await using var db = app.NewDb();
        Assert.Equal(1, await db.Bookings.CountAsync(b => b.StartsAt == start && b.Status != BookingStatus.Cancelled));
    }
}
