using Htmx;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure;

namespace PhotoStudio.Features.Admin.Audit;

/// <summary>/admin/audit: who changed what, newest first; the filters and page live in the address.</summary>
[Authorize(Policy = Permissions.AuditView)]
[Route("admin/audit")]
public class AuditController(AuditViewer audit) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var state = TableState.From(Request, "#audit-table", AuditViewer.Keys);
        // The filter form sends its empty fields too; the address bar gets the tidy form of the same view.
        if (Request.WantsFragment()) Response.Htmx(h => h.PushUrl(state.PageUrl(state.Page)));
        return this.PageOrFragment("Audit", "_AuditTable", await audit.PageAsync(state, ct));
    }
}
