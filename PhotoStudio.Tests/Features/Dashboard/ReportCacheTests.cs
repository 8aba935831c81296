using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Dashboard;

/// <summary>
/// The dashboard's figures are kept per app instance (ReportCache) until a change to what they are made of is heard of:
/// a change made by another instance arrives through PostgreSQL's notification, one made here counts at once.
/// </summary>
public class ReportCacheTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static string Total(AngleSharp.Dom.IParentNode page) => page.Single("#kpi-total").GetAttribute("data-value")!;

    private static string StatusCount(AngleSharp.Dom.IParentNode page, BookingStatus status) =>
        page.Single($"li[data-status={status}]").GetAttribute("data-value")!;

    [Fact]
    public async Task A_booking_written_by_another_instance_reaches_the_kept_figures_through_the_notification()
    {
        const string week = "/admin?range=custom&from=2033-06-06&to=2033-06-12";
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        Assert.Equal("0", Total(await admin.GetDocumentAsync(week)));
        Assert.Equal("0", Total(await admin.GetDocumentAsync(week))); // kept now

        // Straight into the database, as another instance would write it: this app only hears of it.
        await app.AddBookingAsync(BookingStatus.Confirmed, startsAt: new DateTime(2033, 6, 8, 8, 0, 0, DateTimeKind.Utc));

        string? seen = null;
        await Wait.UntilAsync(async () => (seen = Total(await admin.GetDocumentAsync(week))) == "1",
            "the dashboard to count the booking written elsewhere");
        Assert.Equal("1", seen);
    }

    [Fact]
    public async Task A_status_change_made_here_shows_on_the_next_dashboard_at_once()
    {
        const string week = "/admin?range=custom&from=2033-07-04&to=2033-07-10";
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, startsAt: new DateTime(2033, 7, 6, 8, 0, 0, DateTimeKind.Utc));
        await app.ReportsHeardAsync();
        var admin = await app.SignedInClientAsync("admin@demo.studio");
        var before = await admin.GetDocumentAsync(week);
        Assert.Equal(("1", "0"), (StatusCount(before, BookingStatus.Confirmed), StatusCount(before, BookingStatus.Shooting)));

        uint version;
        await using (var db = app.NewDb())
            version = await db.Bookings.Where(b => b.Id == booking.Id).Select(b => b.Version).SingleAsync();
        var moved = await admin.HtmxAsync(HttpMethod.Post, $"/board/bookings/{booking.Id}/move",
            new Dictionary<string, string> { ["to"] = nameof(BookingStatus.Shooting), ["version"] = version.ToString() }, tokenFromPage: "/board");
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        // No waiting: the instance that wrote drops its kept figures when it commits.
        var after = await admin.GetDocumentAsync(week);
        Assert.Equal(("0", "1"), (StatusCount(after, BookingStatus.Confirmed), StatusCount(after, BookingStatus.Shooting)));
    }

    [Fact]
    public async Task Figures_read_while_a_change_arrives_are_not_kept()
    {
        var changes = app.Services.GetRequiredService<PhotoStudio.Infrastructure.Events.ReportChanges>();
        var cache = new PhotoStudio.Features.Dashboard.ReportCache(changes);
        var reads = 0;

        // A change is heard of while the figures are read: they may be from before it, so the next call reads again.
        var first = await cache.GetAsync("week", () => { reads++; changes.Changed(); return Task.FromResult(new object()); });
        var second = await cache.GetAsync("week", () => { reads++; return Task.FromResult(new object()); });
        var third = await cache.GetAsync("week", () => { reads++; return Task.FromResult(new object()); });

        Assert.Equal(2, reads);
        Assert.NotSame(first, second);
        Assert.Same(second, third);
    }
}
