using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using PhotoStudio.Features.Account;
using PhotoStudio.Features.Admin.Integrations;

namespace PhotoStudio.Features.Api;

/// <summary>
/// <c>Authorization: Bearer psk_…</c> on /api/v1. The principal carries the key's name (the audit trail's actor name),
/// <c>apikey:{id}</c> as its identifier, and one permission claim per scope it may use now, so the same permission
/// policies guard the API as the pages. Cookies never authenticate the API: a browser cannot be tricked into sending
/// a bearer key, so the API needs no antiforgery token.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The actor id the audit trail records for a change made through key <paramref name="id"/>.</summary>
    public static string Actor(int id) => $"apikey:{id}";

    /// <summary>The id of the key behind an authenticated API request.</summary>
    public static int KeyId(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) is { } actor && actor.StartsWith("apikey:", StringComparison.Ordinal)
        && int.TryParse(actor.AsSpan(7), out var id) ? id : throw new InvalidOperationException("Not an API key's request.");

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeys.BearerToken(Request) is not { } token) return AuthenticateResult.NoResult();
        var keys = Context.RequestServices.GetRequiredService<ApiKeys>();
        if (await keys.AuthenticateAsync(token, Context.RequestAborted) is not { } key)
            return AuthenticateResult.Fail("The API key is unknown, revoked, or its owner may no longer use it.");

        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, Actor(key.Id)),
            new(ClaimTypes.Name, key.Name),
            .. key.Permissions.Select(p => new Claim(Permissions.ClaimType, p)),
        ];
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"PhotoStudio API\"";
        return ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            "Send a valid API key as 'Authorization: Bearer psk_…'. Keys are made at /admin/integrations.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "This key's scopes do not allow this operation.");
}
