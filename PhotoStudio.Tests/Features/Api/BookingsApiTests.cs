using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Admin.Integrations;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Api;

/// <summary>Bookings through the API: made once per idempotency key, read and listed, moved and rescheduled over the row version.</summary>
public class BookingsApiTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    /// <summary>The Portrait session in the Daylight Loft with Anna at <paramref name="start"/>, as JSON.</summary>
    public static async Task<Dictionary<string, object?>> PortraitAsync(StudioApp app, DateTime start, int guests = 1)
    {
        await using var db = app.NewDb();
        return new()
        {
            ["serviceId"] = await db.Services.Where(s => s.Name == "Portrait session").Select(s => s.Id).SingleAsync(),
            ["roomId"] = await db.Rooms.Where(r => r.Name == "Daylight Loft").Select(r => r.Id).SingleAsync(),
            ["photographerId"] = await db.Employees.Where(e => e.User!.Email == "anna@demo.studio").Select(e => e.Id).SingleAsync(),
            ["start"] = start.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["guests"] = guests,
            ["client"] = new Dictionary<string, object?> { ["name"] = "Api Client", ["email"] = $"api.{Guid.NewGuid():N}@example.org" },
            ["sendConfirmation"] = false,
        };
    }

    public static HttpRequestMessage Post(string url, object body, string? idempotencyKey = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    [Fact]
    public async Task A_booking_is_made_once_per_idempotency_key_a_changed_request_is_refused_and_a_taken_time_is_409()
    {
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        var start = TestBookings.NextMonday();
        var body = await PortraitAsync(app, start);
        var key = $"order-{Guid.NewGuid():N}";

        using var first = await api.SendAsync(Post("/api/v1/bookings", body, key));
        Assert.True(first.StatusCode == HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        var made = Json(await first.Content.ReadAsStringAsync());
        var id = made.GetProperty("id").GetInt32();
        Assert.Equal($"/api/v1/bookings/{id}", first.Headers.Location!.OriginalString);
        Assert.Equal($"\"{made.GetProperty("version").GetUInt32()}\"", first.Headers.ETag!.ToString());
        Assert.Equal("Confirmed", made.GetProperty("status").GetString());
        Assert.Equal("api", made.GetProperty("source").GetString());
        Assert.Equal(start, made.GetProperty("start").GetDateTime());

        using var again = await api.SendAsync(Post("/api/v1/bookings", body, key));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotency-Replayed").Single());
        Assert.Equal(id, Json(await again.Content.ReadAsStringAsync()).GetProperty("id").GetInt32());

        body["guests"] = 2;
        using var changed = await api.SendAsync(Post("/api/v1/bookings", body, key));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, changed.StatusCode);
        Assert.True(Json(await changed.Content.ReadAsStringAsync()).GetProperty("errors").TryGetProperty("Idempotency-Key", out _));

        using var taken = await api.SendAsync(Post("/api/v1/bookings", body, $"other-{Guid.NewGuid():N}"));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("application/problem+json", taken.Content.Headers.ContentType!.MediaType);
        Assert.Contains("just taken", Json(await taken.Content.ReadAsStringAsync()).GetProperty("detail").GetString());

        await using var db = app.NewDb();
        Assert.Equal(1, await db.Bookings.CountAsync(b => b.StartsAt == start && b.Status != BookingStatus.Cancelled));
        // The change is audited with the key as the actor.
        var audit = await db.AuditEntries.Where(a => a.EntityType == "Booking" && a.EntityId == id.ToString() && a.Action == "created").SingleAsync();
        var demoKey = await db.ApiKeys.SingleAsync(k => k.Name == DemoSeeder.ApiKeyName);
        Assert.Equal($"apikey:{demoKey.Id}", audit.Actor);
        Assert.Equal(DemoSeeder.ApiKeyName, audit.ActorName);
    }

    [Fact]
    public async Task Bad_bookings_get_problems_naming_their_fields_and_a_key_without_the_scope_gets_403()
    {
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        var body = await PortraitAsync(app, TestBookings.NextMonday());
        foreach (var (change, field) in new (Action<Dictionary<string, object?>>, string)[]
                 {
                     (b => b["serviceId"] = 999999, "serviceId"),
                     (b => b["start"] = "2031-03-03T10:00:00", "start"),
                     (b => b["start"] = "2001-01-01T10:00:00Z", "start"),
                     (b => b["start"] = "2031-03-03T10:00:30Z", "start"),
                     (b => b["guests"] = 99, "guests"),
                     (b => b["client"] = null, "clientId"),
                     (b => b["status"] = "Delivered", "status"),
                 })
        {
            var bad = new Dictionary<string, object?>(body);
            change(bad);
            using var response = await api.SendAsync(Post("/api/v1/bookings", bad));
            Assert.True((int)response.StatusCode is 400 or 422, $"{field}: {(int)response.StatusCode}");
            var problem = Json(await response.Content.ReadAsStringAsync());
            Assert.True(problem.GetProperty("errors").EnumerateObject().Any(e => e.Name.Equals(field, StringComparison.OrdinalIgnoreCase)
                                                                           || e.Name.EndsWith("." + field, StringComparison.OrdinalIgnoreCase)), $"{field}: {problem}");
        }
        using var broken = await api.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/bookings")
            { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") });
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);

        // A key that may only read.
        var reader = ApiKeys.NewKey();
        await using (var db = app.NewDb())
        {
            db.ApiKeys.Add(new ApiKey
            {
                Name = "Reader", Prefix = ApiKeys.PrefixOf(reader)!, SecretHash = ApiKeys.Hash(reader), Scopes = [Permissions.BookingsViewAll],
                CreatedByUserId = (await db.Users.SingleAsync(u => u.Email == "admin@demo.studio")).Id, CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        using var readOnly = ApiKeysTests.Api(app, reader);
        Assert.Equal(HttpStatusCode.OK, (await readOnly.GetAsync("/api/v1/bookings?limit=1")).StatusCode);
        using var refused = await readOnly.SendAsync(Post("/api/v1/bookings", body));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await readOnly.GetAsync("/api/v1/clients")).StatusCode);
    }

    [Fact]
    public async Task Bookings_are_read_by_id_and_code_and_listed_with_filters_a_page_at_a_time()
    {
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        await using var db = app.NewDb();
        var sample = await db.Bookings.OrderBy(b => b.Id).Skip(3).FirstAsync();
        var byId = Json(await api.GetStringAsync($"/api/v1/bookings/{sample.Id}"));
        Assert.Equal(sample.Code, byId.GetProperty("code").GetString());
        Assert.Equal(sample.Id, Json(await api.GetStringAsync($"/api/v1/bookings/by-code/{sample.Code.ToLowerInvariant()}")).GetProperty("id").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/bookings/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/bookings/by-code/{new string('X', 300)}")).StatusCode);

        // Every confirmed booking, three at a time, each once, in id order.
        var expected = await db.Bookings.Where(b => b.Status == BookingStatus.Confirmed).OrderBy(b => b.Id).Select(b => b.Id).ToListAsync();
        var seen = new List<int>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = Json(await api.GetStringAsync($"/api/v1/bookings?status=confirmed&limit=3{(cursor is null ? "" : $"&cursor={cursor}")}"));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("id").GetInt32()));
            cursor = page.GetProperty("nextCursor").GetString();
            Assert.True(++pages < 200);
        } while (cursor is not null);
        Assert.Equal(expected, seen);

        var room = sample.RoomId;
        var inRoom = Json(await api.GetStringAsync($"/api/v1/bookings?roomId={room}&limit=200")).GetProperty("items").EnumerateArray().ToList();
        Assert.All(inRoom, b => Assert.Equal(room, b.GetProperty("roomId").GetInt32()));
        var since = DateTime.UtcNow.AddYears(5).ToString("yyyy-MM-ddTHH:mm:ssZ");
        Assert.Empty(Json(await api.GetStringAsync($"/api/v1/bookings?updatedSince={since}")).GetProperty("items").EnumerateArray());
        // An instant without an offset is UTC, whatever the server's zone.
        Assert.Empty(Json(await api.GetStringAsync($"/api/v1/bookings?updatedSince={since.TrimEnd('Z')}")).GetProperty("items").EnumerateArray());

        foreach (var query in new[] { "limit=0", "limit=201", "cursor=-4", "cursor=abc", "status=Lost", "status=3" })
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.GetAsync($"/api/v1/bookings?{query}")).StatusCode);
    }

    [Fact]
    public async Task Moves_cancellations_and_reschedules_need_the_current_version_in_if_match()
    {
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        var booking = await app.AddBookingAsync(BookingStatus.Pending);
        var url = $"/api/v1/bookings/{booking.Id}";
        using var read = await api.GetAsync(url);
        var etag = read.Headers.ETag!.ToString();

        Assert.Equal(HttpStatusCode.PreconditionRequired, (await api.SendAsync(Post(url + "/status", new { status = "Confirmed" }))).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await api.SendAsync(Post(url + "/status", new { status = "Confirmed" }, ifMatch: "\"12345\""))).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await api.SendAsync(Post(url + "/status", new { status = "Confirmed" }, ifMatch: "garbage"))).StatusCode);
        using var moved = await api.SendAsync(Post(url + "/status", new { status = "Confirmed" }, ifMatch: etag));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal("Confirmed", Json(await moved.Content.ReadAsStringAsync()).GetProperty("status").GetString());
        Assert.NotEqual(etag, moved.Headers.ETag!.ToString());
        // The old version is stale now; the state machine still refuses an impossible move.
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await api.SendAsync(Post(url + "/status", new { status = "Shooting" }, ifMatch: etag))).StatusCode);
        etag = moved.Headers.ETag!.ToString();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.SendAsync(Post(url + "/status", new { status = "Delivered" }, ifMatch: etag))).StatusCode);

        // Another free Monday morning, then cancelled with a reason.
        var later = TestBookings.NextMonday();
        using var rescheduled = await api.SendAsync(Post(url + "/reschedule", new { start = later }, ifMatch: etag));
        Assert.True(rescheduled.StatusCode == HttpStatusCode.OK, await rescheduled.Content.ReadAsStringAsync());
        Assert.Equal(later, Json(await rescheduled.Content.ReadAsStringAsync()).GetProperty("start").GetDateTime());
        etag = rescheduled.Headers.ETag!.ToString();
        Assert.Equal(HttpStatusCode.BadRequest, (await api.SendAsync(Post(url + "/cancel", new { reason = "" }, ifMatch: etag))).StatusCode);
        using var cancelled = await api.SendAsync(Post(url + "/cancel", new { reason = "Client phoned" }, ifMatch: etag));
        Assert.Equal("Cancelled", Json(await cancelled.Content.ReadAsStringAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.SendAsync(Post("/api/v1/bookings/999999/cancel", new { reason = "x" }, ifMatch: etag))).StatusCode);

        // Staff see in the booking's history that the key made the moves.
        var desk = await app.SignedInClientAsync("reception@demo.studio");
        var history = (await desk.GetDocumentAsync($"/board/bookings/{booking.Id}")).Single(".booking-history").TextContent;
        Assert.True(history.Contains($"{DemoSeeder.ApiKeyName} (API)"), history);
    }
}
