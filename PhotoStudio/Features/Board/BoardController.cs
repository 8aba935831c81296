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
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Board;

/// <summary>The columns a move answer re-renders out of band, and the message it shows.</summary>
public record MoveAnswer(IReadOnlyList<BoardColumn> Columns, int BookingId);

/// <summary>The staff board: filtered columns, the details panel, moves, notes and reassignment.</summary>
[Authorize(Policy = Permissions.BookingsViewOwn)]
[ChecksPermission(Permissions.BookingsViewAll)]
public class BoardController(BoardService board, IStringLocalizer<SharedResource> T) : Controller
{
    private Staff Staff => Staff.From(User);

    /// <param name="open">A booking whose details open with the page (where the front desk lands after booking).</param>
    [HttpGet("board")]
    public async Task<IActionResult> Index([FromQuery] BoardFilter filter, int? open, CancellationToken ct)
    {
        var page = await board.BoardAsync(filter.Normalized(), Staff, ct);
        if (open is { } id) page = page with { Open = await board.DetailsAsync(id, Staff, ct) };
        return this.PageOrFragment("Index", "_Board", page);
    }

    /// <summary>One column: refreshed by live events, and "show more" (a page of its own without JavaScript).</summary>
    [HttpGet("board/column/{status}")]
    public async Task<IActionResult> Column(string status, [FromQuery] BoardFilter filter, int take, CancellationToken ct) =>
        Enum.TryParse<BookingStatus>(status, ignoreCase: false, out var column) && Enum.IsDefined(column) && !char.IsDigit(status[0])
            ? this.PageOrFragment("Column", "_Column", await board.ColumnAsync(column, filter.Normalized(), take, Staff, ct))
            : NotFound();

    [HttpGet("board/bookings/{id:int}")]
    [ChecksPermission(Permissions.ClientsView)]
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
        var outcome = await board.MoveAsync(id, to, version, reason, Staff, ct);
        async Task<IActionResult> Answer(string message)
        {
            if (!Request.IsHtmx()) return Back(message, panel ? $"/board/bookings/{id}" : filter.Url("/board"));
            if (panel) return await PanelAsync(id, message, ct);

            // The columns the card left, was dropped on and is really in now (those shown by this filter).
            var card = await board.CardAsync(id, Staff, ct);
            var shown = filter.Closed ? StatusFlow.Closed : StatusFlow.Active;
            var columns = new List<BoardColumn>();
            foreach (var s in new[] { from, to, card?.Status }.OfType<BookingStatus>().Distinct().Where(shown.Contains))
                columns.Add(await board.ColumnAsync(s, filter, BoardService.PageSize, Staff, ct));
            Flash(message, oob: true);
            // Keyboard users keep their place: focus returns to the card in its new column.
            Response.Headers["HX-Trigger-After-Settle"] = $$"""{"ps:focus":"#card-{{id}} .card-title-link"}""";
            return PartialView("_MoveAnswer", new MoveAnswer(columns, id));
        }
        return await this.AnswerAsync(outcome,
            done: async _ => await board.CardAsync(id, Staff, ct) is { } moved
                ? await Answer(T["{0} moved to {1}.", moved.Code, T[to.ToString()]])
                : await Answer(T["Done."]),
            form: message => Answer(message!), stale: BoardService.StaleBooking);
    }

    [HttpPost("board/bookings/{id:int}/notes")]
    public async Task<IActionResult> Note(int id, [StringLength(2000)] string? text, CancellationToken ct) =>
        await AnswerFromPanelAsync(id, ModelState.IsValid ? await board.AddNoteAsync(id, text, Staff, ct) : Outcome.Because(BoardService.EmptyNote),
            T["Note added."], ct);

    [HttpPost("board/bookings/{id:int}/reassign"), Authorize(Policy = Permissions.BookingsManage)]
    public async Task<IActionResult> Reassign(int id, uint version, int room, int? photographer, string? date, string? time, CancellationToken ct)
    {
        var outcome = SaneDates.TryParseDay(date, out var day)
            && TimeOnly.TryParseExact(time, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                ? await board.ReassignAsync(id, version, room, photographer, day, at, Staff, ct)
                : Outcome.Because(BoardService.NoSuchTime);
        return await AnswerFromPanelAsync(id, outcome, T["Booking updated."], ct);
    }

    /// <summary>The details panel under htmx, else back to its page with a flash; the message says how it went.</summary>
    private Task<IActionResult> AnswerFromPanelAsync(int id, Outcome outcome, string done, CancellationToken ct)
    {
        Task<IActionResult> Answer(string message) => Request.IsHtmx()
            ? PanelAsync(id, message, ct)
            : Task.FromResult(Back(message, $"/board/bookings/{id}"));
        return this.AnswerAsync(outcome, done: _ => Answer(done), form: message => Answer(message!), stale: BoardService.StaleBooking);
    }

    private IActionResult Back(string message, string url)
    {
        Flash(message);
        return this.GoTo(url);
    }

    /// <summary>The details panel as it is now, with the outcome of what the user just did at its top.</summary>
    private async Task<IActionResult> PanelAsync(int id, string message, CancellationToken ct)
    {
        if (await board.DetailsAsync(id, Staff, ct) is not { } details) return NotFound();
        ViewData["PanelMessage"] = new Shared.Flash(Succeeded ? "success" : "danger", message);
        return PartialView("_Details", details);
    }

    /// <summary>Answers set the status before rendering: anything but 200 is a change that did not happen.</summary>
    private bool Succeeded => Response.StatusCode == StatusCodes.Status200OK;

    private void Flash(string message, bool oob = false)
    {
        if (Succeeded) Shared.Flash.Success(TempData, message);
        else Shared.Flash.Error(TempData, message);
        if (oob) ViewData["FlashOob"] = true;
    }
}
