using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data.Seeding;
using PhotoStudio.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Api;

/// <summary>The catalogue and free slots through the API: the wizard's own answers, bounded input, problem details for bad input.</summary>
[Collection(SharedStudio.Name)]
public class AvailabilityApiTests(StudioApp app)
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task Free_slots_are_the_ones_the_booking_wizard_offers_in_utc_with_the_studios_zone_named()
    {
        await using var db = app.NewDb();
        var service = await db.Services.SingleAsync(s => s.Name == "Portrait session");
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(app.Clock.GetUtcNow().UtcDateTime,
            TimeZoneInfo.FindSystemTimeZoneById(DemoSeeder.TimeZoneId)));
        var (from, to) = (today, today.AddDays(13));

        using var response = await api.GetAsync($"/api/v1/availability?serviceId={service.Id}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = Json(await response.Content.ReadAsStringAsync());
        Assert.Equal(DemoSeeder.TimeZoneId, body.GetProperty("timeZone").GetString());
        var slots = body.GetProperty("slots").EnumerateArray()
            .Select(s => (Start: s.GetProperty("start").GetDateTime(), Room: s.GetProperty("roomId").GetInt32(),
                Photographer: s.GetProperty("photographerId").ValueKind == JsonValueKind.Null ? (int?)null : s.GetProperty("photographerId").GetInt32(),
                Offset: s.GetProperty("localStart").GetDateTimeOffset()))
            .ToList();
        Assert.NotEmpty(slots);
        Assert.All(slots, s => Assert.Equal(DateTimeKind.Utc, s.Start.Kind));
        Assert.All(slots, s => Assert.Equal(s.Start, s.Offset.UtcDateTime));

        await using var scope = app.Scope();
        var booking = scope.ServiceProvider.GetRequiredService<BookingService>();
        var inputs = (await booking.InputsAsync(service.Id, from, to, default))!;
        var wizard = booking.Slots(inputs, from, to, null, null).All.Select(s => (s.StartUtc, s.RoomId, s.PhotographerId)).ToList();
        Assert.Equal(wizard, slots.Select(s => (s.Start, s.Room, s.Photographer)));

        // Narrowed to one room and one photographer: a subset, each slot theirs.
        var (room, photographer) = (slots[0].Room, slots.First(s => s.Photographer is not null).Photographer!.Value);
        using var narrowed = await api.GetAsync($"/api/v1/availability?serviceId={service.Id}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&roomId={room}&photographerId={photographer}");
        var only = Json(await narrowed.Content.ReadAsStringAsync()).GetProperty("slots").EnumerateArray().ToList();
        Assert.All(only, s => Assert.Equal(room, s.GetProperty("roomId").GetInt32()));
        Assert.All(only, s => Assert.Equal(photographer, s.GetProperty("photographerId").GetInt32()));
    }

    /// <summary>Values that are no date in the supported window are malformed (400); a question that makes no sense is 422.</summary>
    [Theory]
    [InlineData("serviceId=999999&from=2030-01-01&to=2030-01-02", "serviceId", 422)]
    [InlineData("serviceId={service}&from=2030-01-10&to=2030-01-01", "to", 422)]
    [InlineData("serviceId={service}&from=2030-01-01&to=2030-06-01", "to", 422)]
    [InlineData("serviceId={service}&to=2030-06-01", "from", 422)]
    [InlineData("serviceId={service}&from=1900-01-01&to=1900-01-02", "from", 400)]
    [InlineData("serviceId={service}&from=2030-01-01&to=9999-12-31", "to", 400)]
    [InlineData("serviceId={service}&from=2030-01-01&to=2030-01-02&roomId=999999", "roomId", 422)]
    [InlineData("serviceId={service}&from=2030-01-01&to=2030-01-02&photographerId=999999", "photographerId", 422)]
    public async Task A_bad_availability_question_gets_a_problem_naming_the_field(string query, string field, int status)
    {
        await using var db = app.NewDb();
        var service = await db.Services.Where(s => s.Name == "Portrait session").Select(s => s.Id).SingleAsync();
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        using var response = await api.GetAsync("/api/v1/availability?" + query.Replace("{service}", service.ToString()));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = Json(await response.Content.ReadAsStringAsync());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("/api/v1/availability?serviceId=abc&from=2030-01-01&to=2030-01-02")]
    [InlineData("/api/v1/availability?serviceId=1&from=yesterday&to=2030-01-02")]
    [InlineData("/api/v1/availability?serviceId=99999999999999999999&from=2030-01-01&to=2030-01-02")]
    [InlineData("/api/v1/availability")]
    public async Task Unparseable_input_gets_a_4xx_problem_never_a_500(string url)
    {
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        using var response = await api.GetAsync(url);
        Assert.InRange((int)response.StatusCode, 400, 422);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Rooms_and_photographers_are_the_active_ones_and_an_unknown_address_is_a_404_problem()
    {
        using var api = ApiKeysTests.Api(app, DemoSeeder.ApiKey);
        var rooms = Json(await api.GetStringAsync("/api/v1/rooms")).EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        await using var db = app.NewDb();
        Assert.Equal(await db.Rooms.Where(r => r.IsActive).OrderBy(r => r.Name).Select(r => (string?)r.Name).ToListAsync(), rooms);
        var photographers = Json(await api.GetStringAsync("/api/v1/photographers")).EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains(photographers, p => p!.StartsWith("Anna"));
        Assert.DoesNotContain(photographers, p => p!.Contains("Reception", StringComparison.OrdinalIgnoreCase));

        using var missing = await api.GetAsync("/api/v1/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        // An operation's address with a method it does not take: 405, naming the ones it does.
        using var wrongMethod = await api.DeleteAsync("/api/v1/clients/1");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal(["GET", "PUT"], wrongMethod.Content.Headers.Allow.Order());
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType!.MediaType);
        using var put = await api.PutAsync("/api/v1/services", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
    }
}
