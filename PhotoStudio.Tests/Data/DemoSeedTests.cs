using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Features.Booking;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Data;

public class DemoSeedTests(StudioApp app) : IClassFixture<StudioApp>
{
    [Fact]
    public async Task Every_live_demo_booking_is_a_slot_the_availability_engine_offers_for_its_room_and_photographer()
    {
        await using var db = app.NewDb();
        var live = await db.Bookings.AsNoTracking().Where(b => b.Status != BookingStatus.Cancelled && b.Status != BookingStatus.NoShow)
            .Select(b => new { b.Id, b.ServiceId, b.StartsAt, b.RoomId, b.PhotographerId }).ToListAsync();
        var zone = TimeZoneInfo.FindSystemTimeZoneById((await db.Settings.SingleAsync()).TimeZone);
        Assert.InRange(live.Count, 150, 200);

        var refused = new List<int>();
        foreach (var b in live)
        {
            await using var scope = app.Scope();
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(b.StartsAt, zone));
            var inputs = (await scope.ServiceProvider.GetRequiredService<BookingService>()
                .InputsAsync(b.ServiceId, day, day, CancellationToken.None, excludeBookingId: b.Id))!;
            // Past sessions too: asked as of a day before the seeded weeks, without notice or horizon.
            inputs = inputs with { Rules = inputs.Rules with { MinimumNotice = TimeSpan.Zero, HorizonDays = 3660 } };
            if (inputs.SlotAt(b.StartsAt, DateTimeOffset.UtcNow.AddDays(-60), b.RoomId, b.PhotographerId) is null) refused.Add(b.Id);
        }
        Assert.Empty(refused);
    }
}
