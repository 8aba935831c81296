using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Calendar;

/// <summary>/feeds/{token}.ics: staff calendar subscriptions, listed and rotated on /account/security.</summary>
public class FeedTests(StudioApp app) : IClassFixture<StudioApp>
{
    private static int day;

    private record Feed(string Scope, string Label, string Path);

    private record Event(string Uid, int Sequence, DateTime Start, DateTime End, string Summary, string Url);

    /// <summary>A session time of its own at 01:00 UTC in the coming weeks, inside the feeds' window and outside the demo's hours.</summary>
    private static DateTime Slot() => DateTime.UtcNow.Date.AddDays(3 + Interlocked.Increment(ref day)).AddHours(1);

    /// <summary>The feeds /account/security lists for this demo account.</summary>
    private async Task<List<Feed>> FeedsOfAsync(string email, HttpClient? client = null)
    {
        client ??= await app.SignedInClientAsync(email);
        var page = await client.GetDocumentAsync("/account/security");
        var feeds = page.QuerySelectorAll("#calendar-feeds li.calendar-feed").Select(li => new Feed(
            li.GetAttribute("data-scope")!, li.QuerySelector("label")!.TextContent.Trim(),
            new Uri(li.QuerySelector("input.feed-url")!.GetAttribute("value")!).AbsolutePath)).ToList();
        foreach (var feed in feeds)
        {
            TestSecrets.Remember(feed.Path["/feeds/".Length..^".ics".Length]);
            Assert.Equal(feed.Path, new Uri(page.QuerySelector($"li.calendar-feed a[href$='{feed.Path}']")!.GetAttribute("href")!.Replace("webcal://", "http://")).AbsolutePath);
        }
        return feeds;
    }

    /// <summary>The calendar's name and events as python3-icalendar reads them.</summary>
    private static async Task<(string Name, List<Event> Events)> ParseAsync(string ics)
    {
        var lines = await Python.RunAsync("""
            import sys, icalendar
            cal = icalendar.Calendar.from_ical(sys.stdin.read())
            print(cal['X-WR-CALNAME'])
            for ev in cal.walk('VEVENT'):
                print('\t'.join([str(ev['UID']), str(ev['SEQUENCE']), ev.decoded('DTSTART').isoformat(), ev.decoded('DTEND').isoformat(), str(ev['SUMMARY']), str(ev['URL'])]))
            """, ics);
        return (lines[0].Trim(), [.. lines.Skip(1).Where(l => l.Length > 0).Select(l => l.TrimEnd('\r').Split('\t')).Select(f => new Event(
            f[0], int.Parse(f[1]), DateTimeOffset.Parse(f[2]).UtcDateTime, DateTimeOffset.Parse(f[3]).UtcDateTime, f[4], f[5]))]);
    }

    private async Task<string> ReadAsync(string path)
    {
        var response = await app.NewClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<HttpStatusCode> StatusAsync(string path) => (await app.NewClient().GetAsync(path)).StatusCode;

    private static string Code(Event e) => e.Uid[..e.Uid.IndexOf('@')];

    [Fact]
    public async Task An_employee_feed_is_valid_icalendar_with_only_their_own_sessions_and_only_the_clients_first_name()
    {
        var own = await app.AddBookingAsync(BookingStatus.Confirmed, "anna@demo.studio", Slot(), "Olga Smirnova");
        var pending = await app.AddBookingAsync(BookingStatus.Pending, "anna@demo.studio", Slot(), "Pyotr Sidorov-Vasin");
        var colleagues = await app.AddBookingAsync(BookingStatus.Confirmed, "ivan@demo.studio", Slot(), "Boris Kuznetsov");
        await using var db = app.NewDb();
        await db.Clients.Where(c => c.Id == own.ClientId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Phone, "+7 900 123-45-67"));
        var anna = await db.Employees.SingleAsync(e => e.User!.Email == "anna@demo.studio");

        // A photographer holds bookings.view_own only: their own feed and no room's or studio's.
        var feed = Assert.Single(await FeedsOfAsync("anna@demo.studio"));
        Assert.Equal("Employee", feed.Scope);
        var response = await app.NewClient().GetAsync(feed.Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var cache = response.Headers.CacheControl!;
        Assert.True(cache is { Private: true, NoStore: false, NoCache: false, Public: false });
        Assert.Equal(TimeSpan.FromMinutes(5), cache.MaxAge);
        var ics = await response.Content.ReadAsStringAsync();
        var (name, events) = await ParseAsync(ics);

        Assert.Equal($"PhotoStudio: {anna.FullName}", name.Replace((await db.Settings.SingleAsync()).Name, "PhotoStudio"));
        var first = Assert.Single(events, e => e.Uid == $"{own.Code}@localhost");
        Assert.Equal(own.Revision, first.Sequence);
        Assert.Equal(DateTime.SpecifyKind(own.StartsAt, DateTimeKind.Utc), first.Start);
        Assert.Equal(DateTime.SpecifyKind(own.EndsAt, DateTimeKind.Utc), first.End);
        Assert.Equal($"{own.Code} · Portrait session · Daylight Loft · Olga", first.Summary);
        Assert.Equal($"http://localhost:5080/board/bookings/{own.Id}", first.Url);
        Assert.Contains(events, e => e.Uid == $"{pending.Code}@localhost");
        Assert.DoesNotContain(events, e => e.Uid == $"{colleagues.Code}@localhost");

        var codes = events.Select(Code).ToList();
        var shown = await db.Bookings.Where(b => codes.Contains(b.Code))
            .Select(b => new { b.PhotographerId, b.Client!.Name, b.Client.Email, b.Client.Phone }).ToListAsync();
        Assert.Equal(codes.Count, shown.Count);
        Assert.All(shown, b => Assert.Equal(anna.Id, b.PhotographerId));
        // The events, unfolded (the calendar's own name is the photographer's, who may share a surname with a client).
        var unfolded = ics.Replace("\r\n ", "");
        unfolded = unfolded[unfolded.IndexOf("BEGIN:VEVENT", StringComparison.Ordinal)..];
        foreach (var client in shown)
        {
            foreach (var surname in client.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(w => w.Any(char.IsLetter)))
                Assert.DoesNotContain(surname, unfolded);
            Assert.DoesNotContain(client.Email, unfolded);
            if (client.Phone.Length > 0) Assert.DoesNotContain(client.Phone, unfolded);
        }
        Assert.DoesNotContain("Kuznetsov", unfolded);
    }

    [Fact]
    public async Task A_cancelled_session_leaves_the_feed_and_the_etag_answers_304_until_something_changes()
    {
        var booking = await app.AddBookingAsync(BookingStatus.Confirmed, "maria@demo.studio", Slot(), "Anna Kareva");
        var feed = Assert.Single(await FeedsOfAsync("maria@demo.studio"));
        var client = app.NewClient();
        var first = await client.GetAsync(feed.Path);
        Assert.Contains($"{booking.Code}@localhost", await first.Content.ReadAsStringAsync());
        var etag = first.Headers.ETag!;
        Assert.False(etag.IsWeak);

        var again = new HttpRequestMessage(HttpMethod.Get, feed.Path);
        again.Headers.IfNoneMatch.Add(etag);
        var unchanged = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, unchanged.Headers.ETag);

        await using (var db = app.NewDb())
            await db.Bookings.Where(b => b.Id == booking.Id).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.Status, BookingStatus.Cancelled).SetProperty(b => b.Revision, b => b.Revision + 1));
        var afterCancel = new HttpRequestMessage(HttpMethod.Get, feed.Path);
        afterCancel.Headers.IfNoneMatch.Add(etag);
        var changed = await client.SendAsync(afterCancel);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.DoesNotContain(booking.Code, await changed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_feed_is_one_query_with_one_booking_and_with_many()
    {
        var room = $"Feed Room {Guid.NewGuid():N}"[..20];
        await using (var db = app.NewDb())
        {
            db.Rooms.Add(new Room { Name = room, Capacity = 4 });
            await db.SaveChangesAsync();
        }
        await app.AddBookingAsync(BookingStatus.Confirmed, "anna@demo.studio", Slot(), room: room);
        var feed = Assert.Single(await FeedsOfAsync("reception@demo.studio"), f => f.Label.EndsWith(room));
        var database = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;

        async Task<(int Queries, int Events)> CountAsync()
        {
            await ReadAsync(feed.Path); // warm: the data-protection key ring and the caches settle first
            using var counter = new CommandCounter(database);
            var ics = await ReadAsync(feed.Path);
            return (counter.Count, (await ParseAsync(ics)).Events.Count);
        }

        Assert.Equal((1, 1), await CountAsync());
        for (var i = 0; i < 30; i++) await app.AddBookingAsync(BookingStatus.Confirmed, "anna@demo.studio", Slot(), room: room);
        Assert.Equal((1, 31), await CountAsync());
    }

    [Fact]
    public async Task Rotating_gives_every_feed_a_new_address_and_the_old_ones_404_at_once()
    {
        var client = await app.SignedInClientAsync("reception@demo.studio");
        var before = await FeedsOfAsync("reception@demo.studio", client);
        Assert.Contains(before, f => f.Scope == "Studio");
        Assert.Contains(before, f => f.Scope == "Room");
        Assert.Equal(before, await FeedsOfAsync("reception@demo.studio", client)); // shown again, not made again

        var response = await client.SubmitAsync("/account/security", "#rotate-feeds-form");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var after = await FeedsOfAsync("reception@demo.studio", client);

        Assert.Equal(before.Select(f => (f.Scope, f.Label)), after.Select(f => (f.Scope, f.Label)));
        Assert.Empty(before.Select(f => f.Path).Intersect(after.Select(f => f.Path)));
        foreach (var feed in before) Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(feed.Path));
        foreach (var feed in after) Assert.Equal(HttpStatusCode.OK, await StatusAsync(feed.Path));
    }

    [Fact]
    public async Task A_studio_feed_404s_once_its_owner_no_longer_holds_bookings_view_all()
    {
        var studio = Assert.Single(await FeedsOfAsync("reception@demo.studio"), f => f.Scope == "Studio");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(studio.Path));
        await using var db = app.NewDb();
        var role = await db.Roles.SingleAsync(r => r.Name == Roles.Receptionist);
        var grant = await db.RoleClaims.SingleAsync(c => c.RoleId == role.Id && c.ClaimValue == Permissions.BookingsViewAll);
        db.RoleClaims.Remove(grant);
        await db.SaveChangesAsync();
        try
        {
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(studio.Path));
        }
        finally
        {
            db.RoleClaims.Add(new IdentityRoleClaim<string> { RoleId = role.Id, ClaimType = Permissions.ClaimType, ClaimValue = Permissions.BookingsViewAll });
            await db.SaveChangesAsync();
        }
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(studio.Path));
    }

    [Fact]
    public async Task A_deactivated_or_locked_out_employees_feed_404s()
    {
        var feed = Assert.Single(await FeedsOfAsync("ivan@demo.studio"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(feed.Path));
        await using var db = app.NewDb();
        var ivan = db.Employees.Where(e => e.User!.Email == "ivan@demo.studio");
        var user = db.Users.Where(u => u.Email == "ivan@demo.studio");
        try
        {
            await ivan.ExecuteUpdateAsync(s => s.SetProperty(e => e.IsActive, false));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(feed.Path));
            await ivan.ExecuteUpdateAsync(s => s.SetProperty(e => e.IsActive, true));
            await user.ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, DateTimeOffset.UtcNow.AddHours(1)));
            Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(feed.Path));
        }
        finally
        {
            await ivan.ExecuteUpdateAsync(s => s.SetProperty(e => e.IsActive, true));
            await user.ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, (DateTimeOffset?)null));
        }
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(feed.Path));
    }

    [Theory]
    [InlineData("/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics")]
    [InlineData("/feeds/x.ics")]
    [InlineData("/feeds/%E2%80%AE%2F..%2F.ics")]
    public async Task An_unknown_token_is_a_404(string path)
    {
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(path));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync("/feeds/" + new string('A', 5000) + ".ics"));
    }
}
