using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Access;

/// <summary>/admin/roles: which role may do what, and which roles must use two-factor sign-in.</summary>
[Authorize(Policy = Permissions.RolesManage)]
[Route("admin/roles")]
public class RolesController(RoleMatrix matrix, IStringLocalizer<SharedResource> T) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) =>
        this.PageOrFragment("Roles", "_RoleMatrix", await matrix.LoadAsync(ct: ct));

    [HttpPost("")]
    public async Task<IActionResult> Save(RoleMatrixForm form, CancellationToken ct)
    {
        var outcome = ModelState.IsValid ? await matrix.SaveAsync(form, ct) : new Outcome.Invalid();
        if (outcome is Outcome.Done<int> { Value: var changes })
        {
            Flash.Success(TempData, T["Saved {0} change(s).", changes]);
            // htmx saves on every change: the matrix as stored, the flash out of band, and the user stays where they were.
            if (Request.WantsFragment())
            {
                ViewData["FlashOob"] = true;
                return this.PageOrFragment("Roles", "_RoleMatrix", await matrix.LoadAsync(ct: ct));
            }
        }
        return await this.AnswerAsync(outcome, _ => this.SeeOther("/admin/roles"),
            form: async message => this.PageOrFragment("Roles", "_RoleMatrix", await matrix.LoadAsync(
                [.. ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage), .. message is null ? [] : new[] { message }], ct: ct)));
    }
}
