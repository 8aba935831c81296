using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Board;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.FrontDesk;

/// <summary>
/// The front desk: staff book a session for a client on the phone or at the desk. One form, which htmx enhances with
/// client suggestions and the chosen day's free times; without JavaScript its "Search" and "Show free times" buttons
/// post it back with the matches and times filled in.
/// </summary>
[Authorize(Policy = Permissions.BookingsManage)]
[ChecksPermission(Permissions.SettingsManage)]
public class FrontDeskController(FrontDeskService desk, StudioDay studioDay, IStringLocalizer<SharedResource> T) : Controller
{
    /// <summary>The wizard's words for a time lost to someone quicker.</summary>
    public const string JustTaken = "Sorry, this time was just taken. Please choose another one; your details are kept.";

    private bool MayOverride => User.HasClaim(Permissions.ClaimType, Permissions.SettingsManage);

    /// <summary>The empty form, or pre-filled from the calendar (room or photographer, date and time) or a client's profile.</summary>
    [HttpGet("board/new")]
    public async Task<IActionResult> New(int? serviceId, int? roomId, int? photographerId, string? date, string? time, int? clientId,
        CancellationToken ct)
    {
        ModelState.Clear(); // a pre-fill that does not fit is dropped, not shown as an error
        var form = new FrontDeskForm
        {
            ServiceId = serviceId, RoomId = roomId, PhotographerId = photographerId, Date = date, ClientId = clientId,
            Time = TimeOnly.TryParseExact(time, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t.ToString("HH:mm", CultureInfo.InvariantCulture) : null,
        };
        return View("New", await desk.PageAsync(form, MayOverride, search: false, ct));
    }

    /// <summary>Suggestions for the client field: a listbox of at most <see cref="FrontDeskService.Suggestions"/> clients.</summary>
    [HttpGet("board/new/clients")]
    public async Task<IActionResult> Clients(string? q, CancellationToken ct)
    {
        Response.VaryOnHtmx();
        return PartialView("_ClientOptions", new ClientSuggestions(q?.Trim() ?? "", await desk.ClientsAsync(q, ct)));
    }

    /// <summary>The rooms, photographers and free times for what the form holds now (htmx swaps them in on every change).</summary>
    [HttpGet("board/new/times")]
    public async Task<IActionResult> Times([FromQuery] FrontDeskForm form, CancellationToken ct)
    {
        ModelState.Clear();
        Response.VaryOnHtmx();
        return PartialView("_Slot", await desk.PageAsync(form, MayOverride, search: false, ct));
    }

    [HttpPost("board/new")]
    public async Task<IActionResult> Create([FromForm] FrontDeskForm form, CancellationToken ct)
    {
        form.ApplyPick();
        if (form.Refresh)
        {
            ModelState.Clear();
            return await FormAsync(form, null, search: true, ct);
        }
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return await FormAsync(form, null, search: false, ct);
        }
        var outcome = await desk.CreateAsync(form, Staff.From(User), MayOverride, ct);
        return await this.AnswerAsync(outcome,
            done: async result =>
            {
                var booking = ((Outcome.Done<Data.Booking>)result).Value;
                var day = (await studioDay.ClockAsync(ct)).ToLocal(booking.StartsAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                Flash.Success(TempData, T["Booking {0} created.", booking.Code]);
                return this.SeeOther($"/board?range=dates&from={day}&to={day}&open={booking.Id}");
            },
            form: message =>
            {
                // A time that was just taken is not offered again; the fresh times come with the form.
                if (outcome is Outcome.SlotTaken) form.Time = form.TypedTime = null;
                return FormAsync(form, message, search: false, ct);
            },
            slotTaken: JustTaken);
    }

    private async Task<IActionResult> FormAsync(FrontDeskForm form, string? message, bool search, CancellationToken ct) =>
        this.PageOrFragment("New", "_Form", await desk.PageAsync(form, MayOverride, search, ct, message));
}
