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

/// <param name="Grantable">The permissions the signed-in admin holds, which a new key may get.</param>
/// <param name="NewKey">The key just made: shown on this page once, never again.</param>
public record IntegrationsPage(IReadOnlyList<ApiKeyRow> Keys, IReadOnlyList<string> Grantable, ApiKeyForm Form, string? NewKey = null,
    string? NewKeyName = null, string? Message = null);

/// <summary>/admin/integrations: API keys for the studio's website, accounting and automation tools.</summary>
[Authorize(Policy = Permissions.IntegrationsManage)]
[Route("admin/integrations")]
public class IntegrationsController(ApiKeys keys, IStringLocalizer<SharedResource> T) : Controller
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

    private async Task<IntegrationsPage> PageAsync(ApiKeyForm form, CancellationToken ct) =>
        new(await keys.ListAsync(ct), ApiKeys.Grantable(User), form);
}
