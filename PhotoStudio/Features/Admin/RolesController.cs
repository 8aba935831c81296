using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Admin;

/// <summary>/admin/roles: which role may do what, and which roles must use two-factor sign-in.</summary>
[Authorize(Policy = Permissions.RolesManage)]
[Route("admin/roles")]
public class RolesController(RoleMatrix matrix, IStringLocalizer<SharedResource> T) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) =>
        this.PageOrFragment("Roles", "_RoleMatrix", await matrix.LoadAsync(ct: ct));

    [HttpPost("")]
    public async Task<IActionResult> Save([FromForm] string[]? grant, [FromForm] string[]? twoFactor, CancellationToken ct)
    {
        var page = await matrix.SaveAsync(grant ?? [], twoFactor ?? [], ct);
        page = page with { Errors = page.Errors.Select(e => T[e].Value).ToList() };
        if (page.Errors.Count == 0)
            Flash.Success(TempData, T["Saved {0} change(s).", page.Changes]);
        // Plain form: back to the page (it shows the flash). htmx: the matrix fragment, the flash out of band.
        if (!Request.WantsFragment())
            return page.Errors.Count == 0 ? this.GoTo("/admin/roles") : View("Roles", page);
        ViewData["FlashOob"] = true;
        return this.PageOrFragment("Roles", "_RoleMatrix", page);
    }
}
