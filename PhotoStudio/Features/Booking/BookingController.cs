using Htmx;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;
using PhotoStudio.Scheduling;

namespace PhotoStudio.Features.Booking;

public record WizardStep(int Number, string? Message = null);
public record ServiceStep(WizardStep Step, IReadOnlyList<ServiceOption> Services, int? Selected);
public record WithStep(WizardStep Step, ServiceOption Service, IReadOnlyList<NamedOption> Rooms, IReadOnlyList<NamedOption> Photographers, int? RoomId, int? PhotographerId);
public record CalendarDay(DateOnly Date, bool InMonth, bool HasSlots, bool Selected);
/// <param name="PageUrl">Where the month and day links point (the wizard's step 3, or a client's reschedule page).</param>
/// <param name="PostUrl">Where a chosen time is posted.</param>
public record WhenStep(WizardStep Step, ServiceOption Service, DateOnly Month, IReadOnlyList<CalendarDay> Days, DateOnly? Day,
    IReadOnlyList<FreeSlot> Slots, DateOnly FirstBookable, DateOnly LastBookable, string TimeZone,
    string PageUrl = "/book/when", string PostUrl = "/book/when");
public record DetailsStep(WizardStep Step, ServiceOption Service, ClientDetails Details);
public record ReviewStep(WizardStep Step, ServiceOption Service, string Room, string? Photographer, DateTimeOffset LocalStart,
    DateTimeOffset LocalEnd, string Currency, string Policy, int CancelCutoffHours, ClientDetails Details);

/// <summary>
/// The public booking wizard. Each step is a GET page; each choice is a POST that stores it in the draft cookie and
/// goes on to the next step with a 303: a plain form loads the next page, a boosted one (htmx) follows the redirect
/// itself and swaps the next step into <c>#wizard</c> with its URL pushed. So the URL always names the step, refresh
/// and back work, and everything works as plain HTML forms without JavaScript.
/// </summary>
[AllowAnonymous]
[Route("book")]
public class BookingController(BookingService booking, BookingDrafts drafts, FunnelCounter funnel, TimeProvider clock, IStringLocalizer<SharedResource> T) : Controller
{
    private const string ExpiredKey = "booking-draft-expired";

    /// <summary>
    /// A draft older than <see cref="BookingDrafts.Lifetime"/> is used for nothing, whatever the step: the client starts
    /// again at step 1 with a message. A new draft keeps the service (when it is still offered) and the details typed in
    /// step 4; the room, photographer and time are chosen again, since the offer they were picked from is a day old.
    /// </summary>
    public override async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var draft = drafts.Read(Request);
        if (!drafts.IsExpired(draft))
        {
            await next();
            return;
        }
        var service = await booking.ServiceAsync(draft.ServiceId, HttpContext.RequestAborted);
        drafts.Write(Response, BookingDraft.Start(clock.GetUtcNow()) with { ServiceId = service?.Id, Details = draft.Details });
        TempData[ExpiredKey] = true;
        // Step 1 itself is shown at once: a browser that kept sending the old cookie must not be sent round in a loop.
        if (context.ActionDescriptor.RouteValues["action"] == nameof(Index)) await next();
        else context.Result = this.SeeOther("/book");
    }

    [HttpGet(""), OutputCache(PolicyName = PublicPages.BookingStart)]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        CountView(FunnelStep.Service);
        // Only a visitor with a draft can have one expire; a page for everyone leaves TempData (and its cookie) alone.
        var message = !HttpContext.MayBeShared() && TempData[ExpiredKey] is true
            ? T["Your unfinished booking expired after 24 hours. Please choose again; anything you typed is kept."].Value
            : null;
        return Step("Service", new ServiceStep(new(1, message), await booking.ServicesAsync(ct), drafts.Read(Request).ServiceId));
    }

    /// <summary>
    /// No antiforgery token: step 1 is a cached page shared by every visitor, so it carries none (<see cref="PublicPages"/>).
    /// The choice only starts the visitor's own draft cookie; every later step's post keeps its token.
    /// </summary>
    [HttpPost(""), EnableRateLimiting(RateLimits.PublicPost), IgnoreAntiforgeryToken]
    public async Task<IActionResult> ChooseService(int? serviceId, CancellationToken ct)
    {
        if (await booking.ServiceAsync(serviceId, ct) is null)
            return Again("Service", new ServiceStep(new(1, T["Choose a session to continue."]), await booking.ServicesAsync(ct), null));
        var draft = drafts.Read(Request);
        drafts.Write(Response, draft.ServiceId == serviceId && draft.Id != Guid.Empty
            ? draft
            : BookingDraft.Start(clock.GetUtcNow()) with { ServiceId = serviceId, Details = draft.Details });
        return this.SeeOther("/book/with");
    }

    [HttpGet("with")]
    public async Task<IActionResult> With(CancellationToken ct)
    {
        var draft = drafts.Read(Request);
        if (await booking.ServiceAsync(draft.ServiceId, ct) is not { } service) return this.SeeOther("/book");
        var (rooms, photographers) = await booking.ChoicesAsync(service.Id, ct);
        CountView(FunnelStep.With);
        return Step("With", new WithStep(new(2), service, rooms, photographers, draft.RoomId, draft.PhotographerId));
    }

    [HttpPost("with"), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> ChooseWith(int? roomId, int? photographerId, CancellationToken ct)
    {
        var draft = drafts.Read(Request);
        if (await booking.ServiceAsync(draft.ServiceId, ct) is not { } service) return this.SeeOther("/book");
        var (rooms, photographers) = await booking.ChoicesAsync(service.Id, ct);
        // Only what was offered: a forged id gets the page again with a message, never a booking later.
        if ((roomId is not null && rooms.All(r => r.Id != roomId)) || (photographerId is not null && photographers.All(p => p.Id != photographerId)))
            return Again("With", new WithStep(new(2, T["That choice is not available for this session. Please choose again."]), service, rooms, photographers, null, null));
        // People already given in step 4 (the client came back to change the room): a room too small offers no time at all.
        if (roomId is not null && draft.Details is { } details && await booking.CapacityAsync(service.Id, roomId, ct) is { } capacity && details.Guests > capacity)
            return Again("With", new WithStep(new(2, T["This room holds {0} people, fewer than the {1} in your details. Please choose another room.", capacity, details.Guests]),
                service, rooms, photographers, null, photographerId));
        drafts.Write(Response, draft with { RoomId = roomId, PhotographerId = service.NeedsPhotographer ? photographerId : null, StartUtc = null });
        return this.SeeOther("/book/when");
    }

    [HttpGet("when")]
    public async Task<IActionResult> When(string? month, string? day, CancellationToken ct)
    {
        var page = await WhenPage(month, day, null, ct);
        // Step 3 is reached once, on the page without a month or day: moving through months and days (htmx
        // fragments, or full pages without JavaScript) stays inside the step and is not counted again.
        if (page is ViewResult && month is null && day is null) CountView(FunnelStep.When);
        return page;
    }

    [HttpPost("when"), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> ChooseWhen(string? start, CancellationToken ct)
    {
        var draft = drafts.Read(Request);
        if (draft.ServiceId is null) return this.SeeOther("/book");
        var offered = SaneDates.TryParseUtc(start, out var startUtc)
            && await booking.InputsAsync(draft.ServiceId.Value, DateOnly.FromDateTime(startUtc.AddDays(-1)), DateOnly.FromDateTime(startUtc.AddDays(1)), ct) is { } inputs
            && inputs.ForGuests(draft.Details?.Guests ?? 1).SlotAt(startUtc, clock.GetUtcNow(), draft.RoomId, draft.PhotographerId) is not null;
        if (!offered)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return await WhenPage(null, null, T["That time is not available. Please choose another one."], ct);
        }
        drafts.Write(Response, draft with { StartUtc = startUtc });
        return this.SeeOther("/book/details");
    }

    [HttpGet("details")]
    public async Task<IActionResult> Details(CancellationToken ct)
    {
        var draft = drafts.Read(Request);
        if (await booking.ServiceAsync(draft.ServiceId, ct) is not { } service) return this.SeeOther("/book");
        if (draft.StartUtc is null) return this.SeeOther("/book/when");
        CountView(FunnelStep.Details);
        return Step("Details", new DetailsStep(new(4), service, draft.Details ?? new ClientDetails()));
    }

    [HttpPost("details"), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> SaveDetails(ClientDetails details, CancellationToken ct)
    {
        var draft = drafts.Read(Request);
        if (await booking.ServiceAsync(draft.ServiceId, ct) is not { } service) return this.SeeOther("/book");
        if (ModelState.IsValid && await booking.CapacityAsync(service.Id, draft.RoomId, ct) is { } capacity && details.Guests > capacity)
            this.AddErrors([BookingService.GuestsError(draft.RoomId, capacity)]);
        if (!ModelState.IsValid)
            return Again("Details", new DetailsStep(new(4), service, details));
        drafts.Write(Response, draft with { Details = details });
        return this.SeeOther(draft.StartUtc is null ? "/book/when" : "/book/review");
    }

    [HttpGet("review")]
    public async Task<IActionResult> Review(CancellationToken ct)
    {
        var draft = drafts.Read(Request);
        if (await booking.ServiceAsync(draft.ServiceId, ct) is not { } service) return this.SeeOther("/book");
        if (draft.StartUtc is not { } start) return this.SeeOther("/book/when");
        if (draft.Details is not { } details) return this.SeeOther("/book/details");
        var studio = (await booking.StudioAsync(ct))!;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(studio.TimeZone);
        var (rooms, photographers) = await booking.ChoicesAsync(service.Id, ct);
        var local = TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)), zone);
        CountView(FunnelStep.Review);
        return Step("Review", new ReviewStep(new(5), service,
            rooms.FirstOrDefault(r => r.Id == draft.RoomId)?.Name ?? T["Any available room"],
            service.NeedsPhotographer ? photographers.FirstOrDefault(p => p.Id == draft.PhotographerId)?.Name ?? T["Any available photographer"] : null,
            local, TimeZoneInfo.ConvertTime(local.AddMinutes(service.DurationMinutes), zone),
            studio.Currency, studio.DepositPolicy, studio.CancelCutoffHours, details));
    }

    [HttpPost("confirm"), EnableRateLimiting(RateLimits.PublicPost)]
    public async Task<IActionResult> Confirm(CancellationToken ct)
    {
        var draft = drafts.Read(Request);
        var outcome = await booking.ConfirmAsync(draft, ct);
        return await this.AnswerAsync(outcome,
            done: async result =>
            {
                var booked = ((Outcome.Done<Booked>)result).Value;
                drafts.Clear(Response);
                // The same draft again (a replay, a second click): its booking's page, and nothing new.
                if (booked.Replayed) return this.SeeOther($"/book/done/{booked.Code}");
                funnel.Count(FunnelStep.Confirmed);
                // The manage link is shown once, on this booking's page; it never appears in a URL we log.
                BookingDoneController.RememberManageLink(TempData, booked.Code, booked.ManageToken!);
                return this.SeeOther($"/book/done/{booked.Code}");
            },
            form: async message =>
            {
                // The time was taken: choose another one, the details stay in the draft.
                drafts.Write(Response, draft with { StartUtc = null });
                return await WhenPage(null, null, message, ct, conflict: true);
            },
            // The room no longer holds the people given (the errors are next to the field), or the draft is no good.
            current: async message => outcome is Outcome.Stale && await booking.ServiceAsync(draft.ServiceId, ct) is { } service
                ? Step("Details", new DetailsStep(new(4, message), service, draft.Details!))
                : this.SeeOther("/book"),
            slotTaken: "Sorry, this time was just taken. Please choose another one; your details are kept.");
    }

    private async Task<IActionResult> WhenPage(string? month, string? day, string? message, CancellationToken ct, bool conflict = false)
    {
        var draft = drafts.Read(Request);
        if (draft.ServiceId is null) return this.SeeOther("/book");
        var model = await booking.WhenAsync(draft.ServiceId.Value, draft.RoomId, draft.PhotographerId, month, day, null, ct, draft.Details?.Guests);
        if (model is null) return this.SeeOther("/book");
        model = model with { Step = new WizardStep(3, message) };
        if (Request.WantsFragment() && !conflict)
        {
            Response.VaryOnHtmx();
            return PartialView("_When", model);
        }
        return Step("When", model);
    }

    /// <summary>
    /// Counts a step page shown as a whole page (a boosted navigation included), never an htmx fragment. Step 1 served
    /// from the output cache never gets here; <see cref="PublicPages"/> counts it.
    /// </summary>
    private void CountView(FunnelStep step)
    {
        if (!Request.WantsFragment()) funnel.Count(step);
    }

    /// <summary>A step's form again, after input it cannot take: 422 with the messages (htmx swaps it like any step).</summary>
    private IActionResult Again(string view, object model)
    {
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Step(view, model);
    }

    /// <summary>
    /// A step page; a boosted request gets the step's URL pushed so the address bar follows the wizard. A step shown
    /// again by a post (a refused choice) pushes its own page, never the address it was posted to.
    /// </summary>
    private IActionResult Step(string view, object model)
    {
        Response.VaryOnHtmx();
        if (Request.IsHtmxBoosted())
        {
            var url = HttpMethods.IsGet(Request.Method)
                ? Request.Path + Request.QueryString
                : Url.Action(view == "Service" ? nameof(Index) : view)!;
            Response.Htmx(h => h.PushUrl(url));
        }
        return View(view, model);
    }
}
