using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;
using PhotoStudio.Features.Account;
using PhotoStudio.Infrastructure.Writes;

namespace PhotoStudio.Features.Admin.Integrations;

/// <summary>One key as /admin/integrations lists it: never the secret, which only its creator saw, once.</summary>
public record ApiKeyRow(int Id, string Name, string Prefix, IReadOnlyList<string> Scopes, string CreatedBy, DateTime CreatedAt,
    DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>Who a valid key acts as: its name for the audit trail, and what it may do now.</summary>
public record ApiKeyIdentity(int Id, string Name, string Prefix, IReadOnlyList<string> Permissions);

/// <summary>
/// API keys: <c>psk_</c>, eight characters that identify the key (shown in lists and logs), <c>_</c>, then 32 secret
/// characters (160 random bits), all lowercase base32 so a key survives copying from any screen. Only the SHA-256 of
/// the whole key is stored: a key is random enough that no slow hash is needed, and each request can check it cheaply.
/// A key does what its scopes allow and, whatever they say, never more than its creator may do at that moment: a key
/// dies with its creator's deactivation or lock-out, and shrinks with their role.
/// </summary>
public sealed class ApiKeys(StudioDb db, StudioWrites writes, TimeProvider clock)
{
    public const string Scheme = "ApiKey";
    private const string Marker = "psk_";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int PrefixLength = 8, SecretLength = 32;

    /// <summary>How often at most the "last used" time is written for one key.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>The prefix of a well-formed key, or null: a cheap check before any database work.</summary>
    public static string? PrefixOf(string? key) =>
        key is { Length: 4 + PrefixLength + 1 + SecretLength } && key.StartsWith(Marker, StringComparison.Ordinal)
        && key[4 + PrefixLength] == '_' && key.AsSpan(4, PrefixLength).ContainsAnyExcept(Alphabet) is false
        && key.AsSpan(4 + PrefixLength + 1).ContainsAnyExcept(Alphabet) is false
            ? key.Substring(4, PrefixLength)
            : null;

    /// <summary>The token of an <c>Authorization: Bearer …</c> header, or null.</summary>
    public static string? BearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString() is var header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header["Bearer ".Length..].Trim()
            : null;

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.ASCII.GetBytes(key));

    /// <summary>A new random key.</summary>
    public static string NewKey() => Marker + Random(PrefixLength) + "_" + Random(SecretLength);

    private static string Random(int length) => string.Create(length, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++) span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
    });

    /// <summary>The permissions a user may hand to a key: their own, as their roles grant them now.</summary>
    public static IReadOnlyList<string> Grantable(ClaimsPrincipal user) =>
        [.. Permissions.All.Where(p => user.HasClaim(Permissions.ClaimType, p))];

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(CancellationToken ct) =>
        await db.ApiKeys.AsNoTracking()
            .OrderBy(k => k.RevokedAt != null).ThenBy(k => k.Name).ThenByDescending(k => k.Id)
            .Select(k => new ApiKeyRow(k.Id, k.Name, k.Prefix, k.Scopes,
                db.Employees.Where(e => e.UserId == k.CreatedByUserId).Select(e => e.FullName).FirstOrDefault()
                    ?? db.Users.Where(u => u.Id == k.CreatedByUserId).Select(u => u.Email).FirstOrDefault() ?? "",
                k.CreatedAt, k.LastUsedAt, k.RevokedAt))
            .ToListAsync(ct);

    /// <summary>Creates a key with a name and scopes (each one the creator holds); the key itself is in the result, and nowhere else ever.</summary>
    public async Task<Outcome> CreateAsync(ClaimsPrincipal creator, string? name, IReadOnlyCollection<string> scopes, CancellationToken ct, string? key = null)
    {
        name = name?.Trim() ?? "";
        if (name.Length == 0) return Outcome.Field("Name", "Give the key a name that says who uses it.");
        if (name.Length > ApiKey.NameLength) return Outcome.Field("Name", "Keep the name to {0} characters.", ApiKey.NameLength);
        var grantable = Grantable(creator);
        if (scopes.Count == 0) return Outcome.Field("Scopes", "Choose at least one scope.");
        if (scopes.Except(grantable).Any()) return Outcome.Field("Scopes", "A key can only get permissions you have yourself.");
        var userId = creator.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null) return Outcome.Forbid("Sign in again, please.");

        key ??= NewKey();
        var row = new ApiKey
        {
            Name = name, Prefix = PrefixOf(key) ?? throw new ArgumentException("Not a key", nameof(key)), SecretHash = Hash(key),
            Scopes = [.. Permissions.All.Where(scopes.Contains)], CreatedByUserId = userId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        return await writes.RunAsync(scope =>
        {
            scope.OnViolation("ix_api_keys_name", Outcome.Field("Name", "A key with this name is in use. Choose another name or revoke that key first."));
            scope.Db.ApiKeys.Add(row);
            return Outcome.With(key);
        }, ct);
    }

    /// <summary>Revokes a key: it answers 401 from the moment this commits. Revoking twice changes nothing.</summary>
    public async Task<Outcome> RevokeAsync(int id, CancellationToken ct) =>
        await writes.RunAsync(async scope =>
        {
            var key = await scope.Db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, ct);
            if (key is null) return Outcome.Missing;
            key.RevokedAt ??= clock.GetUtcNow().UtcDateTime;
            return Outcome.With(key.Name);
        }, ct);

    /// <summary>
    /// The key's identity when it is valid now: known, not revoked, its creator active and not locked out; its
    /// permissions are its scopes that the creator's roles still grant. One query; "last used" is written at most
    /// once a minute per key, outside the audit trail (it is bookkeeping, not a change anyone made).
    /// </summary>
    public async Task<ApiKeyIdentity?> AuthenticateAsync(string? key, CancellationToken ct)
    {
        if (PrefixOf(key) is not { } prefix) return null;
        var now = clock.GetUtcNow();
        var found = await db.ApiKeys.AsNoTracking().Where(k => k.Prefix == prefix && k.RevokedAt == null).Select(k => new
        {
            k.Id, k.Name, k.SecretHash, k.Scopes, k.LastUsedAt,
            Active = db.Users.Any(u => u.Id == k.CreatedByUserId && (u.LockoutEnd == null || u.LockoutEnd <= now))
                && !db.Employees.Any(e => e.UserId == k.CreatedByUserId && !e.IsActive),
            Granted = db.UserRoles.Where(r => r.UserId == k.CreatedByUserId)
                .SelectMany(r => db.RoleClaims.Where(c => c.RoleId == r.RoleId && c.ClaimType == Permissions.ClaimType).Select(c => c.ClaimValue))
                .ToList(),
        }).SingleOrDefaultAsync(ct);
        if (found is null || !CryptographicOperations.FixedTimeEquals(found.SecretHash, Hash(key!)) || !found.Active) return null;

        if (found.LastUsedAt is null || found.LastUsedAt < now.UtcDateTime - LastUsedResolution)
            await db.Database.ExecuteSqlAsync(
                $"UPDATE api_keys SET last_used_at = {now.UtcDateTime} WHERE id = {found.Id} AND (last_used_at IS NULL OR last_used_at < {now.UtcDateTime - LastUsedResolution})", ct);
        return new ApiKeyIdentity(found.Id, found.Name, prefix, [.. found.Scopes.Where(s => found.Granted.Contains(s))]);
    }
}
