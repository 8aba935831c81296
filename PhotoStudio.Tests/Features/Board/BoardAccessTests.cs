using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Tests.Support;

namespace PhotoStudio.Tests.Features.Board;

public class BoardAccessTests(StudioApp app) : IClassFixture<StudioApp>
{
    /// <summary>Moves the app's clock to the next day on which both Anna and someone else shoot.</summary>
    private async Task<DateTime> GoToABusyDayAsync()
    {
        await using var db = app.NewDb();
        var anna = await db.Employees.SingleAsync(e => e.User!.Email == "anna@demo.studio");
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var day = await db.Bookings
            .Where(b => b.StartsAt > now && b.PhotographerId == anna.Id && b.Status != BookingStatus.Cancelled)
            .Where(b => db.Bookings.Any(o => o.PhotographerId != anna.Id && o.PhotographerId != null
                && o.StartsAt.Date == b.StartsAt.Date))
            .OrderBy(b => b.StartsAt).Select(b => b.StartsAt).FirstAsync();
        // Noon UTC of that day is the same date in the studio's zone (Europe/Berlin).
        var target = day.Date.AddHours(12);
        app.Clock.Advance(target - now);
        return target;
    }

    [Fact]
    public async Task A_photographer_sees_only_their_own_bookings_and_a_receptionist_sees_everyone()
    {
        await GoToABusyDayAsync();

        var anna = app.NewClient();
        await anna.SignInAsync("anna@demo.studio");
        var own = await anna.GetDocumentAsync("/board?range=today");
        var photographers = Photographers(own);
        Assert.NotEmpty(photographers);
        Assert.All(photographers, name => Assert.StartsWith("Anna", name));

        var reception = app.NewClient();
        await reception.SignInAsync("reception@demo.studio");
        var all = await reception.GetDocumentAsync("/board?range=today");
        Assert.Contains(Photographers(all), name => !name.StartsWith("Anna"));
        Assert.True(all.QuerySelectorAll(".board-card").Length > own.QuerySelectorAll(".board-card").Length);
    }

    /// <summary>The photographer named last on each card's "service · room · photographer" line.</summary>
    private static List<string> Photographers(AngleSharp.Dom.IDocument board) =>
        board.QuerySelectorAll(".board-card p.small").Select(p => p.TextContent.Split(" · ")).Where(parts => parts.Length == 3)
            .Select(parts => parts[2].Trim()).Distinct().ToList();
}
