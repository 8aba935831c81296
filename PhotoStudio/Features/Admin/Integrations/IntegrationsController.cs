using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Shared;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Integrations;

/// <summary>The form for a new key: a name and the permissions it gets.</summary>
public class ApiKeyForm
{
    public string? Name { get; set; }
    public List<string> Scopes { get; set; } = [];
}

/// <summary>The form for a new webhook endpoint: where, and which events.</summary>
public class WebhookForm
{
    public string? Url { get; set; }
    public List<string> Events { get; set; } = [];
}

/// <param name="Grantable">The permissions the signed-in admin holds, which a new key may get.</param>
/// <param name="NewKey">The key just made: shown on this page once, never again.</param>
/// <param name="NewSecret">The signing secret of the endpoint just added: shown on this page once, never again.</param>
public record IntegrationsPage(IReadOnlyList<ApiKeyRow> Keys, IReadOnlyList<string> Grantable, ApiKeyForm Form,
    IReadOnlyList<WebhookRow> Endpoints, IReadOnlyList<DeliveryRow> Deliveries, WebhookForm Hook, string? NewKey = null,
    string? NewKeyName = null, string? NewSecret = null, string? Message = null);

/// <summary>/admin/integrations: API keys for the studio's website, accounting and automation tools.</summary>
[Authorize(Policy = Permissions.IntegrationsManage)]
[Route("admin/integrations")]
public class IntegrationsController(ApiKeys keys, Webhooks webhooks, IStringLocalizer<SharedResource> T) : Controller
{
    private const string Page = "/admin/integrations";

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken ct) => View("Integrations", await PageAsync(new ApiKeyForm(), ct));

    [HttpPost("keys")]
    public async Task<IActionResult> Create(ApiKeyForm form, CancellationToken ct)
    {
        form.Scopes = form.Scopes.Take(Permissions.All.Count + 1).ToList();
        return await this.AnswerAsync(await keys.CreateAsync(User, form.Name, form.Scopes, ct),
            async done =>
            {
                // The key is in this answer only: it is not stored anywhere it could be read again.
                Response.Headers.CacheControl = "no-store";
                var name = form.Name!.Trim();
                return View("Integrations", await PageAsync(new ApiKeyForm(), ct) with { NewKey = ((Outcome.Done<string>)done).Value, NewKeyName = name });
            },
            form: async message => View("Integrations", await PageAsync(form, ct) with { Message = message }));
    }

    [HttpPost("keys/{id:int}/revoke")]
    public async Task<IActionResult> Revoke(int id, CancellationToken ct) =>
        await this.AnswerAsync(await keys.RevokeAsync(id, ct),
            done =>
            {
                Flash.Success(TempData, T["The key {0} is revoked: requests with it are refused from now on.", ((Outcome.Done<string>)done).Value]);
                return this.SeeOther(Page);
            },
            form: async message => View("Integrations", await PageAsync(new ApiKeyForm(), ct) with { Message = message }));

    [HttpPost("webhooks")]
    public async Task<IActionResult> CreateWebhook(WebhookForm hook, CancellationToken ct)
    {
        hook.Events = hook.Events.Take(Webhooks.EventTypes.Count + 1).ToList();
        return await this.AnswerAsync(await webhooks.CreateAsync(User, hook.Url, hook.Events, ct),
            async done =>
            {
                Response.Headers.CacheControl = "no-store";
                return View("Integrations", await PageAsync(new ApiKeyForm(), ct) with { NewSecret = ((Outcome.Done<string>)done).Value });
            },
            form: async message => View("Integrations", await PageAsync(new ApiKeyForm(), ct, hook) with { Message = message }));
    }

    [HttpPost("webhooks/{id:int}/enable")]
    public Task<IActionResult> Enable(int id, CancellationToken ct) => EndpointAsync(webhooks.SetEnabledAsync(id, true, ct), "The endpoint {0} is on again.", ct);

    [HttpPost("webhooks/{id:int}/disable")]
    public Task<IActionResult> Disable(int id, CancellationToken ct) => EndpointAsync(webhooks.SetEnabledAsync(id, false, ct), "The endpoint {0} is off: it gets no events until it is switched on.", ct);

    [HttpPost("webhooks/{id:int}/delete")]
    public Task<IActionResult> Delete(int id, CancellationToken ct) => EndpointAsync(webhooks.DeleteAsync(id, ct), "The endpoint {0} is removed.", ct);

    [HttpPost("deliveries/{id:long}/redeliver")]
    public async Task<IActionResult> Redeliver(long id, CancellationToken ct) =>
        await this.AnswerAsync(await webhooks.RedeliverAsync(id, ct),
            _ =>
            {
                Flash.Success(TempData, T["The event is sent again with the next sweep."]);
                return this.SeeOther(Page);
            },
            form: async message => View("Integrations", await PageAsync(new ApiKeyForm(), ct) with { Message = message }));

    private async Task<IActionResult> EndpointAsync(Task<Outcome> change, string done, CancellationToken ct) =>
        await this.AnswerAsync(await change,
            success =>
            {
                Flash.Success(TempData, T[done, ((Outcome.Done<string>)success).Value]);
                return this.SeeOther(Page);
            },
            form: async message => View("Integrations", await PageAsync(new ApiKeyForm(), ct) with { Message = message }));

    private async Task<IntegrationsPage> PageAsync(ApiKeyForm form, CancellationToken ct, WebhookForm? hook = null) =>
        new(await keys.ListAsync(ct), ApiKeys.Grantable(User), form, await webhooks.EndpointsAsync(ct), await webhooks.LogAsync(ct),
            hook ?? new WebhookForm());
}
