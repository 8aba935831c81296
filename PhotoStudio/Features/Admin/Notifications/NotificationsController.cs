using Htmx;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Notifications;

/// <summary>/admin/notifications: every message the studio owes or sent, whether mail leaves, and "send again" for failures.</summary>
[Authorize(Policy = Permissions.NotificationsManage)]
[Route("admin/notifications")]
public class NotificationsController(NotificationLog log, IStringLocalizer<SharedResource> T) : Controller
{
    private const string Page = "/admin/notifications";
    private const string Target = "#notifications-table";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct)
    {
        var state = State();
        // The filter form sends its empty fields too; the address bar gets the tidy form of the same view.
        if (Request.WantsFragment()) Response.Htmx(h => h.PushUrl(state.PageUrl(state.Page)));
        return this.PageOrFragment("Notifications", "_NotificationsTable", await log.PageAsync(state, ct));
    }

    /// <summary>The post carries the view's filters in its address, so the admin lands back on the same view.</summary>
    [HttpPost("{id:long}/send-again")]
    public async Task<IActionResult> SendAgain(long id, CancellationToken ct)
    {
        var state = State();
        return await this.AnswerAsync(await log.SendAgainAsync(id, ct),
            _ =>
            {
                Flash.Success(TempData, T["The message is queued and goes out with the next sweep."]);
                return this.SeeOther(state.PageUrl(state.Page));
            },
            form: async message => this.PageOrFragment("Notifications", "_NotificationsTable", await log.PageAsync(state, ct) with { Message = message }));
    }

    /// <summary>In Development, the .eml file a sent message became, so a newcomer can open every email the demo sends.</summary>
    [HttpGet("{id:long}/eml")]
    public async Task<IActionResult> Eml(long id, CancellationToken ct) =>
        await log.EmlPathAsync(id, ct) is { } path ? PhysicalFile(path, "message/rfc822", $"notification-{id}.eml") : NotFound();

    private TableState State() => TableState.From(Request, Target, NotificationLog.Keys) with { Path = Page };
}
