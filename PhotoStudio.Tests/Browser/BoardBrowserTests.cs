using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PhotoStudio.Data;
using PhotoStudio.Infrastructure.Events;
using PhotoStudio.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PhotoStudio.Tests.Browser;

// Every test puts its own bookings on its own Monday in early 2031 (far beyond the demo data, before the clocks
// change) and opens the board on that one day, so the tests of this class share one app and database.

/// <summary>
/// The staff board in a desktop browser: drag and drop, the keyboard's "Move to…" menu, live updates between
/// pages, users and app processes, re-sync after a dropped event stream, accessibility, and the phone layout.
/// </summary>
[Collection("browser")]
public class BoardBrowserTests(LiveStudioApp app, BrowserFixture browser) : IClassFixture<LiveStudioApp>
{
    private const string Receptionist = "reception@demo.studio";
    private const string Anna = "anna@demo.studio";
    private static readonly Regex OnBoard = new("/board$");
    private static readonly DateOnly FirstMonday = new(2031, 1, 6);

    [Fact]
    public async Task A_card_dragged_from_pending_to_confirmed_stays_there_after_a_reload()
    {
        var day = Monday(0);
        var (id, _) = (await SeedAsync(day, BookingStatus.Pending))[0];
        await using var desk = await DeskAsync(day);
        var page = desk.Page;
        await Expect(page.Locator($"#col-Pending #card-{id}")).ToBeVisibleAsync();

        var answer = await page.RunAndWaitForResponseAsync(
            () => DragAsync(page, id, "Confirmed"), r => IsMove(r, id));
        Assert.Equal(200, answer.Status);
        await Expect(page.Locator($"#col-Confirmed #card-{id}")).ToBeVisibleAsync();
        await Expect(page.Locator($"#col-Pending #card-{id}")).ToHaveCountAsync(0);
        await Expect(page.Locator("#flash")).ToContainTextAsync("moved to Confirmed.");

        await page.ReloadAsync();
        await Expect(page.Locator($"#col-Confirmed #card-{id}")).ToBeVisibleAsync();
        Assert.Equal(BookingStatus.Confirmed, await StatusAsync(id));

        desk.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task With_the_keyboard_alone_the_move_menu_moves_a_card_and_focus_lands_on_the_moved_card()
    {
        var day = Monday(1);
        var seeded = await SeedAsync(day, BookingStatus.Pending, BookingStatus.Confirmed);
        var (id, other) = (seeded[0].Id, seeded[1].Id);
        await using var desk = await DeskAsync(day);
        var page = desk.Page;

        var menu = page.Locator($"#card-{id} details.move-menu");
        await TabUntilFocusedAsync(page, menu.Locator("summary"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(menu).ToHaveJSPropertyAsync("open", true);
        await page.Keyboard.PressAsync("Tab");
        var confirmed = menu.Locator("button[name=to][value=Confirmed]");
        await Expect(confirmed).ToBeFocusedAsync();
        await Expect(confirmed).ToHaveTextAsync("Confirmed");

        var answer = await page.RunAndWaitForResponseAsync(() => page.Keyboard.PressAsync("Enter"), r => IsMove(r, id));
        Assert.Equal(200, answer.Status);
        await Expect(page.Locator($"#col-Confirmed #card-{id}")).ToBeVisibleAsync();
        await Expect(page.Locator($"#card-{id}-open")).ToBeFocusedAsync();
        // A colleague's change refreshes the column (its HTML replaced): the keyboard user's place survives it.
        await page.Locator("#col-Confirmed").EvaluateAsync("e => e.dataset.beforeRefresh = 'true'");
        await ChangeStatusAsync(other, BookingStatus.Shooting);
        await Expect(page.Locator($"#col-Shooting #card-{other}")).ToBeVisibleAsync();
        await Expect(page.Locator("#col-Confirmed[data-before-refresh]")).ToHaveCountAsync(0);
        await Expect(page.Locator($"#card-{id}-open")).ToBeFocusedAsync();
        Assert.Equal(BookingStatus.Confirmed, await StatusAsync(id));

        desk.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_refused_drag_from_pending_to_delivered_puts_the_card_back_and_says_why()
    {
        var day = Monday(2);
        var (id, _) = (await SeedAsync(day, BookingStatus.Pending))[0];
        await using var desk = await DeskAsync(day);
        var page = desk.Page;

        var answer = await page.RunAndWaitForResponseAsync(() => DragAsync(page, id, "Delivered"), r => IsMove(r, id));
        Assert.Equal(422, answer.Status);
        await Expect(page.Locator("#flash [role=status], #flash [role=alert]"))
            .ToHaveTextAsync("A booking cannot go from Pending to Delivered.");
        await Expect(page.Locator($"#col-Pending #card-{id}")).ToBeVisibleAsync();
        await Expect(page.Locator($"#col-Delivered #card-{id}")).ToHaveCountAsync(0);
        Assert.Equal(BookingStatus.Pending, await StatusAsync(id));

        // The refusal is a 422 by design (htmx swaps it, see the layout's responseHandling); Chromium logs every 4xx.
        desk.AssertNoConsoleErrors(RefusedMove(answer.Url));
    }

    [Fact]
    public async Task A_move_by_the_receptionist_shows_on_the_photographers_open_board_within_two_seconds()
    {
        var day = Monday(3);
        var (id, _) = (await SeedAsync(day, BookingStatus.Pending))[0];
        await using var desk = await DeskAsync(day);
        await using var photographer = await DeskAsync(day, Anna);
        await Expect(photographer.Page.Locator($"#col-Pending #card-{id}")).ToBeVisibleAsync();

        var answer = await desk.Page.RunAndWaitForResponseAsync(() => MoveWithMenuAsync(desk.Page, id, "Confirmed"), r => IsMove(r, id));
        Assert.Equal(200, answer.Status);

        await Expect(photographer.Page.Locator($"#col-Confirmed #card-{id}")).ToBeVisibleAsync(new() { Timeout = 2000 });
        await Expect(photographer.Page.Locator($"#col-Pending #card-{id}")).ToHaveCountAsync(0);

        desk.AssertNoConsoleErrors();
        photographer.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_move_through_one_app_process_shows_on_a_board_served_by_another_process_on_the_same_database()
    {
        var day = Monday(4);
        // The second process takes seconds to start: arrange the rest meanwhile.
        await using var second = AppProcess.Start(app.ConnectionString);
        var (id, version) = (await SeedAsync(day, BookingStatus.Pending))[0];
        // The move goes through the in-process app, over its Kestrel port, as htmx would send it.
        using var first = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true })
            { BaseAddress = new Uri(app.BaseUrl) };
        await first.SignInAsync(Receptionist);

        await second.WaitUntilReadyAsync();
        await using var watcher = await DeskAsync(day, baseUrl: second.BaseUrl);
        await Expect(watcher.Page.Locator($"#col-Pending #card-{id}")).ToBeVisibleAsync();

        var moved = await first.HtmxAsync(HttpMethod.Post, $"/board/bookings/{id}/move", new Dictionary<string, string>
        {
            ["to"] = "Confirmed", ["from"] = "Pending", ["version"] = version.ToString(CultureInfo.InvariantCulture),
        }, tokenFromPage: "/board");
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        await Expect(watcher.Page.Locator($"#col-Confirmed #card-{id}")).ToBeVisibleAsync(new() { Timeout = 5000 });
        await Expect(watcher.Page.Locator($"#col-Pending #card-{id}")).ToHaveCountAsync(0);

        watcher.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task After_the_event_stream_drops_the_board_catches_up_with_a_change_made_while_it_was_away()
    {
        var day = Monday(5);
        var (id, _) = (await SeedAsync(day, BookingStatus.Pending))[0];
        await using var desk = await DeskAsync(day);
        var page = desk.Page;
        var hub = app.Services.GetRequiredService<BoardEventHub>();

        hub.DisconnectAll();
        Assert.Equal(0, hub.Subscribers);
        using var published = hub.Subscribe();
        var state = page.Locator("[data-live-state]");
        await Expect(state).ToHaveAttributeAsync("data-live-state", "offline");
        await Expect(state).ToHaveTextAsync("Reconnecting…");

        var eventId = await ChangeStatusAsync(id, BookingStatus.Confirmed);
        // The app heard of it while this page had no stream (the browser waits 2 s before it reconnects):
        // only the replay on reconnect, or the re-sync after it, can bring the change to the page.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            while ((await published.Reader.ReadAsync(timeout.Token)).EventId < eventId) { }
        Assert.Equal(1, hub.Subscribers); // this test's own: the page has not reconnected yet

        await Expect(page.Locator($"#col-Confirmed #card-{id}")).ToBeVisibleAsync(new() { Timeout = 6000 });
        await Expect(page.Locator($"#col-Pending #card-{id}")).ToHaveCountAsync(0);
        await Expect(state).ToHaveAttributeAsync("data-live-state", "live");

        desk.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_board_and_its_details_panel_are_accessible_in_light_and_dark_mode()
    {
        // /calendar is not checked here: this tree has no Features/Calendar yet.
        var day = Monday(6);
        var seeded = await SeedAsync(day, BookingStatus.Pending, BookingStatus.Confirmed, BookingStatus.Editing);
        var (id, _) = seeded[0];

        await using var light = await DeskAsync(day);
        await OpenDetailsAsync(light.Page, id);
        await AssertAccessibleAtRestAsync(light.Page, "board with the details panel, light mode");
        var menu = light.Page.Locator($"#card-{id} details.move-menu");
        await menu.Locator("summary").ClickAsync();
        await Expect(menu).ToHaveJSPropertyAsync("open", true);
        await AssertAccessibleAtRestAsync(light.Page, "board with the details panel and a move menu open, light mode");
        light.AssertNoConsoleErrors();

        await using var dark = await DeskAsync(day, scheme: ColorScheme.Dark);
        await Expect(dark.Page.Locator("html")).ToHaveAttributeAsync("data-bs-theme", "dark");
        await OpenDetailsAsync(dark.Page, id);
        await AssertAccessibleAtRestAsync(dark.Page, "board with the details panel, dark mode");
        dark.AssertNoConsoleErrors();
    }

    [Fact]
    public async Task On_a_phone_the_columns_scroll_inside_the_board_and_the_page_never_scrolls_sideways()
    {
        var day = Monday(7);
        var (id, _) = (await SeedAsync(day, BookingStatus.Pending, BookingStatus.Shooting))[0];
        await using var phone = await browser.NewPhonePageAsync(app.BaseUrl);
        var page = phone.Page;
        await page.SignInAsync(Receptionist);
        await OpenBoardAsync(page, day);

        await page.AssertNoHorizontalScrollAsync("board");
        var columns = page.Locator(".board-columns");
        Assert.True(await columns.EvaluateAsync<bool>("e => e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX === 'auto'"),
            "The five columns should scroll sideways inside .board-columns on a phone");

        await OpenDetailsAsync(page, id);
        await page.AssertNoHorizontalScrollAsync("board with the details panel");

        phone.AssertNoConsoleErrors();
    }

    // ---- Arrange -------------------------------------------------------------------

    private static DateOnly Monday(int week) => FirstMonday.AddDays(7 * week);

    /// <summary>
    /// Anna's portrait sessions on <paramref name="day"/>, one per status given, at 10:00, 12:00, 14:00… studio time,
    /// each with a client of its own. Returns the ids and row versions in that order.
    /// </summary>
    private async Task<List<(int Id, uint Version)>> SeedAsync(DateOnly day, params BookingStatus[] statuses)
    {
        await using var db = app.NewDb();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(await db.Settings.Select(s => s.TimeZone).SingleAsync());
        var service = await db.Services.SingleAsync(s => s.Name == "Portrait session");
        var rooms = await db.Rooms.Where(r => r.Name == "Daylight Loft" || r.Name == "Black Box").OrderBy(r => r.Name).ToListAsync();
        var anna = await db.Employees.SingleAsync(e => e.User!.Email == Anna);
        var now = DateTime.UtcNow;

        var bookings = new List<Booking>();
        for (var i = 0; i < statuses.Length; i++)
        {
            var client = new Client
            {
                Name = $"Board Client {day:MMdd}-{i}", Email = $"board.{day:yyyyMMdd}.{i}.{Guid.NewGuid():N}@example.org", CreatedAt = now,
            };
            var start = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(10 + 2 * i, 0)), zone);
            var booking = new Booking
            {
                Code = $"PS-B{day:MMdd}{i}",
                Client = client,
                ServiceId = service.Id,
                RoomId = rooms[i % rooms.Count].Id,
                PhotographerId = anna.Id,
                Status = statuses[i],
                Price = service.Price,
                Currency = "EUR",
                ManageTokenHash = RandomNumberGenerator.GetBytes(32),
                CreatedAt = now,
                UpdatedAt = now,
                History = [new BookingStatusChange { To = statuses[i], By = "system", At = now }],
            };
            booking.Block(start, start.AddMinutes(service.DurationMinutes), rooms[i % rooms.Count]);
            bookings.Add(booking);
        }
        db.Bookings.AddRange(bookings);
        await db.SaveChangesAsync();
        // xmin is read back only on update: read the versions the board will put into its forms.
        var ids = bookings.Select(b => b.Id).ToList();
        var versions = await db.Bookings.AsNoTracking().Where(b => ids.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Version);
        return ids.Select(id => (id, versions[id])).ToList();
    }

    /// <summary>
    /// Someone else's change, as the app makes it: the new status with its history entry, a board event and
    /// pg_notify in one transaction. Returns the board event's id.
    /// </summary>
    private async Task<long> ChangeStatusAsync(int id, BookingStatus to)
    {
        await using var db = app.NewDb();
        var booking = await db.Bookings.SingleAsync(b => b.Id == id);
        var now = DateTime.UtcNow;
        booking.History.Add(new BookingStatusChange { From = booking.Status, To = to, By = "system", At = now });
        booking.Status = to;
        booking.UpdatedAt = now;
        await using var tx = await db.Database.BeginTransactionAsync();
        db.AddBoardEvent(id, "moved", now);
        await db.SaveChangesAsync();
        await db.NotifyBoardAsync([id], CancellationToken.None);
        await tx.CommitAsync();
        return await db.BoardEvents.Where(e => e.BookingId == id).MaxAsync(e => e.Id);
    }

    private async Task<BookingStatus> StatusAsync(int id)
    {
        await using var db = app.NewDb();
        return await db.Bookings.Where(b => b.Id == id).Select(b => b.Status).SingleAsync();
    }

    // ---- Act -------------------------------------------------------------------------

    /// <summary>A 1280×900 desktop page signed in as <paramref name="email"/>, on the live board of <paramref name="day"/>.</summary>
    private async Task<PhonePage> DeskAsync(DateOnly day, string email = Receptionist, string? baseUrl = null,
        ColorScheme scheme = ColorScheme.Light)
    {
        var desk = await browser.NewPhonePageAsync(baseUrl ?? app.BaseUrl, o =>
        {
            o.ViewportSize = new() { Width = 1280, Height = 900 };
            o.IsMobile = false;
            o.HasTouch = false;
            o.ColorScheme = scheme;
        });
        try
        {
            await desk.Page.SignInAsync(email, app.Clock);
            await OpenBoardAsync(desk.Page, day);
            return desk;
        }
        catch
        {
            await desk.DisposeAsync();
            throw;
        }
    }

    /// <summary>The board on one day; returns once the event stream is open (so board.js and SortableJS have run).</summary>
    private static async Task OpenBoardAsync(IPage page, DateOnly day)
    {
        var date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await page.GotoAsync($"/board?range=dates&from={date}&to={date}");
        await Expect(page.Locator("[data-live-state]")).ToHaveAttributeAsync("data-live-state", "live");
        await Expect(page.Locator("[data-live-state]")).ToHaveTextAsync("Live");
    }

    /// <summary>
    /// Drags the card by its top edge (the date line, away from the title link and the menu) onto another column.
    /// SortableJS uses native HTML5 drag and drop on a desktop, which Playwright's DragTo drives with real mouse moves.
    /// </summary>
    private static Task DragAsync(IPage page, int id, string toStatus) =>
        page.Locator($"#card-{id}").DragToAsync(page.Locator($"#col-{toStatus} ol.board-cards"),
            new() { SourcePosition = new() { X = 6, Y = 6 } });

    private static async Task MoveWithMenuAsync(IPage page, int id, string toStatus)
    {
        var menu = page.Locator($"#card-{id} details.move-menu");
        await menu.Locator("summary").ClickAsync();
        await menu.Locator($"button[name=to][value={toStatus}]").ClickAsync();
    }

    private static async Task OpenDetailsAsync(IPage page, int id)
    {
        await page.Locator($"#card-{id}-open").ClickAsync();
        await Expect(page.Locator($"#panel #details-{id}")).ToBeVisibleAsync();
        await Expect(page.Locator("#details-title")).ToBeFocusedAsync();
    }

    /// <summary>
    /// axe on the page at rest: the mouse off the controls it clicked and every transition finished, since a
    /// button caught halfway through its hover transition has colours of neither state.
    /// </summary>
    private static async Task AssertAccessibleAtRestAsync(IPage page, string state)
    {
        await page.Mouse.MoveAsync(1, 1);
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running')");
        await page.AssertAccessibleAsync(state);
    }

    /// <summary>Presses Tab from where focus is until <paramref name="target"/> has it (at most 80 times).</summary>
    private static async Task TabUntilFocusedAsync(IPage page, ILocator target)
    {
        for (var i = 0; i < 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement")) return;
        }
        Assert.Fail("80 presses of Tab never reached the card's \"Move to…\" menu");
    }

    // ---- Assert ----------------------------------------------------------------------

    private static bool IsMove(IResponse response, int id) =>
        response.Request.Method == "POST" && new Uri(response.Url).AbsolutePath == $"/board/bookings/{id}/move";

    /// <summary>What PhonePage and Chromium record for a move the server refused with 422, and nothing else.</summary>
    private static Regex[] RefusedMove(string url) =>
    [
        new($"^request answered 422: POST {Regex.Escape(url)}$"),
        new($"^console error: Failed to load resource: the server responded with a status of 422 \\(Unprocessable (Entity|Content)\\) \\(at {Regex.Escape(url)}:"),
    ];
}
