using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Booking;

/// <summary>
/// The confirmation page of a booking, by its public code. Apart from the wizard's controller, because it never
/// reads the draft: an old or expired draft in the browser must not stand between a client and this page.
/// </summary>
[AllowAnonymous]
[Route("book/done/{code}")]
public class BookingDoneController(BookingService booking, PublicLinks links) : Controller
{
    private const string ManageLinkKey = "manage-link";

    /// <summary>
    /// Keeps the new booking's manage token for its confirmation page, together with its code: the link is shown
    /// once, on that booking's page only, and then forgotten (a shared tablet must not offer it to the next visitor).
    /// </summary>
    public static void RememberManageLink(ITempDataDictionary tempData, string code, string token) =>
        tempData[ManageLinkKey] = $"{code} {token}";

    [HttpGet("")]
    public async Task<IActionResult> Done(string code, CancellationToken ct)
    {
        var summary = await booking.SummaryAsync(code, ct);
        if (summary is null) return NotFound();
        // Reading removes it, whichever booking's page this is.
        var token = TempData[ManageLinkKey] is string kept && kept.Split(' ') is [var forCode, var value] && forCode == summary.Code ? value : null;
        return View("Done", summary with { ManageUrl = token is null ? null : links.Absolute(Request, $"/my/{token}") });
    }

    [HttpGet("calendar.ics")]
    public async Task<IActionResult> DoneCalendar(string code, CancellationToken ct) =>
        await booking.CalendarFileAsync(code, ct) is { } ics ? File(ics, "text/calendar; charset=utf-8", $"{code}.ics") : NotFound();
}
