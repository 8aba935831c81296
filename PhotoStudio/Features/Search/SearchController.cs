using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Search;

/// <summary>
/// /search?q=: the results page, and the dropdown of the header's search box (the same results as a fragment).
/// Open to every staff member who may see clients or bookings; what it lists depends on which.
/// </summary>
[Authorize(Policy = GlobalSearch.Policy)]
[ChecksPermission(Permissions.ClientsView), ChecksPermission(Permissions.BookingsViewAll), ChecksPermission(Permissions.BookingsViewOwn)]
public class SearchController(GlobalSearch search) : Controller
{
    [HttpGet("search")]
    public async Task<IActionResult> Index(string? q, CancellationToken ct) =>
        this.PageOrFragment("Search", "_SearchResults", await search.FindAsync(q, ct));
}
