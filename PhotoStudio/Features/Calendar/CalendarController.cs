using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Calendar;

/// <summary>
/// Day and week grids by room or by photographer. One GET answers the page, the toolbar's and the live refresh's
/// htmx swaps (the grid partial); photographers without <c>bookings.view_all</c> see their own bookings only.
/// </summary>
[Authorize(Policy = Permissions.BookingsViewOwn)]
[ChecksPermission(Permissions.BookingsViewAll), ChecksPermission(Permissions.BookingsManage)]
public class CalendarController(CalendarService calendar) : Controller
{
    [HttpGet("calendar")]
    public async Task<IActionResult> Index(string? view, string? by, string? date, CancellationToken ct) =>
        this.PageOrFragment("Index", "_Grid", await calendar.LoadAsync(view, by, date, ct));
}
