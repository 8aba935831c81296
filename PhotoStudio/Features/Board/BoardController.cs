using Htmx;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Board;

/// <summary>The columns a move answer re-renders out of band, and the message it shows.</summary>
public record MoveAnswer(IReadOnlyList<BoardColumn> Columns, int BookingId);

/// <summary>The staff board: filtered columns, the details panel, moves, notes and reassignment.</summary>
[Authorize(Policy = Permissions.BookingsViewOwn)]
[ChecksPermission(Permissions.BookingsViewAll)]
public class BoardController(BoardService board, IStringLocalizer<SharedResource> T) : Controller
{
    private Staff Staff => Staff.From(User);

    [HttpGet("board")]
    public async Task<IActionResult> Index([FromQuery] BoardFilter filter, CancellationToken ct) =>
        this.PageOrFragment("Index", "_Board", await board.BoardAsync(filter.Normalized(), Staff, ct));

    /// <summary>One column: refreshed by live events, and "show more" (a page of its own without JavaScript).</summary>
    [HttpGet("board/column/{status}")]
    public async Task<IActionResult> Column(string status, [FromQuery] BoardFilter filter, int take, CancellationToken ct) =>
        Enum.TryParse<BookingStatus>(status, ignoreCase: false, out var column) && Enum.IsDefined(column) && !char.IsDigit(status[0])
            ? this.PageOrFragment("Column", "_Column", await board.ColumnAsync(column, filter.Normalized(), take, Staff, ct))
            : NotFound();

    [HttpGet("board/bookings/{id:int}")]
    public async Task<IActionResult> Details(int id, CancellationToken ct) =>
        await board.DetailsAsync(id, Staff, ct) is { } details ? this.PageOrFragment("Details", "_Details", details) : NotFound();

    /// <summary>
    /// A status change from a drag, the card's "Move to…" menu or the details panel. On the board an htmx answer
    /// re-renders the affected columns out of band, so a refused or stale move puts the card back where it really is.
    /// </summary>
    [HttpPost("board/bookings/{id:int}/move"), Authorize(Policy = Permissions.BookingsMove)]
    public async Task<IActionResult> Move(int id, BookingStatus to, uint version, BookingStatus? from, [StringLength(500)] string? reason,
        bool panel, [FromQuery] BoardFilter filter, CancellationToken ct)
    {
        filter = filter.Normalized();
        var result = await board.MoveAsync(id, to, version, reason, Staff, ct);
        if (result is BoardResult.NotFound) return NotFound();
        var card = await board.CardAsync(id, Staff, ct);
        var (status, message) = Describe(result, card, to);
        if (!Request.IsHtmx())
        {
            Flash(status, message);
            return this.GoTo(panel ? $"/board/bookings/{id}" : filter.Url("/board"));
        }
        Response.StatusCode = status;
        if (panel) return await PanelAsync(id, status, message, ct);

        // The columns the card left, was dropped on and is really in now (those shown by this filter).
        var shown = filter.Closed ? StatusFlow.Closed : StatusFlow.Active;
        var columns = new List<BoardColumn>();
        foreach (var s in new[] { from, to, card?.Status }.OfType<BookingStatus>().Distinct().Where(shown.Contains))
            columns.Add(await board.ColumnAsync(s, filter, BoardService.PageSize, Staff, ct));
        Flash(status, message, oob: true);
        // Keyboard users keep their place: focus returns to the card in its new column.
        Response.Headers["HX-Trigger-After-Settle"] = $$"""{"ps:focus":"#card-{{id}} .card-title-link"}""";
        return PartialView("_MoveAnswer", new MoveAnswer(columns, id));
    }

    [HttpPost("board/bookings/{id:int}/notes")]
    public async Task<IActionResult> Note(int id, [StringLength(2000)] string? text, CancellationToken ct)
    {
        var result = ModelState.IsValid ? await board.AddNoteAsync(id, text, Staff, ct) : new BoardResult.Refused(BoardRefusal.EmptyNote);
        if (result is BoardResult.NotFound) return NotFound();
        var (status, message) = result is BoardResult.Done ? (200, T["Note added."].Value) : Describe(result, null, null);
        return await AnswerFromPanelAsync(id, status, message, ct);
    }

    [HttpPost("board/bookings/{id:int}/reassign"), Authorize(Policy = Permissions.BookingsManage)]
    public async Task<IActionResult> Reassign(int id, uint version, int room, int? photographer, string? date, string? time, CancellationToken ct)
    {
        BoardResult result;
        if (!SaneDates.TryParseDay(date, out var day)
            || !TimeOnly.TryParseExact(time, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            result = new BoardResult.Refused(BoardRefusal.NoSuchTime);
        else
            result = await board.ReassignAsync(id, version, room, photographer, day, at, Staff, ct);
        if (result is BoardResult.NotFound) return NotFound();
        var (status, message) = result is BoardResult.Done ? (200, T["Booking updated."].Value) : Describe(result, null, null);
        return await AnswerFromPanelAsync(id, status, message, ct);
    }

    private async Task<IActionResult> AnswerFromPanelAsync(int id, int status, string message, CancellationToken ct)
    {
        if (!Request.IsHtmx())
        {
            Flash(status, message);
            return this.GoTo($"/board/bookings/{id}");
        }
        Response.StatusCode = status;
        return await PanelAsync(id, status, message, ct);
    }

    /// <summary>The details panel as it is now, with the outcome of what the user just did at its top.</summary>
    private async Task<IActionResult> PanelAsync(int id, int status, string message, CancellationToken ct)
    {
        if (await board.DetailsAsync(id, Staff, ct) is not { } details) return NotFound();
        ViewData["PanelMessage"] = new Shared.Flash(status == 200 ? "success" : "danger", message);
        return PartialView("_Details", details);
    }

    private (int Status, string Message) Describe(BoardResult result, BookingCard? card, BookingStatus? to) => result switch
    {
        BoardResult.Done when card is not null && to is { } target => (200, T["{0} moved to {1}.", card.Code, T[target.ToString()]]),
        BoardResult.Done => (200, T["Done."]),
        BoardResult.Stale => (409, T["Someone else changed this booking a moment ago. This is how it is now; please check and try again."]),
        BoardResult.SlotTaken => (409, T["Sorry, that time was just taken. Please choose another one."]),
        BoardResult.Refused { Why: var why } => (why is BoardRefusal.NotYours or BoardRefusal.NoPermission ? 403 : 422, why switch
        {
            BoardRefusal.MoveNotAllowed when card is not null && to is { } target =>
                T["A booking cannot go from {0} to {1}.", T[card.Status.ToString()], T[target.ToString()]],
            BoardRefusal.MoveNotAllowed => T["That move is not allowed."],
            BoardRefusal.NotYours => T["You can only move your own bookings."],
            BoardRefusal.NoPermission => T["You are not allowed to do that."],
            BoardRefusal.ReasonRequired => T["Please give a reason."],
            BoardRefusal.NotFree => T["That time is not free for this room and photographer, or outside opening or working hours."],
            BoardRefusal.NoSuchTime => T["Please enter a valid date and time."],
            BoardRefusal.NotLive => T["A cancelled or no-show booking cannot be changed."],
            BoardRefusal.EmptyNote => T["Please write a note of up to 2000 characters."],
            _ => T["That is not possible."],
        }),
        _ => (500, T["Something went wrong. Please try again."]),
    };

    private void Flash(int status, string message, bool oob = false)
    {
        if (status == 200) Shared.Flash.Success(TempData, message);
        else Shared.Flash.Error(TempData, message);
        if (oob) ViewData["FlashOob"] = true;
    }
}
