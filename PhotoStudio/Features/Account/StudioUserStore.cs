using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Account;

/// <summary>Identity's EF store, except that recovery codes are kept only as salted hashes and a refused save is not left pending.</summary>
public sealed class StudioUserStore(StudioDb context, IdentityErrorDescriber? describer = null)
    : UserStore<StudioUser, StudioRole, StudioDb>(context, describer)
{
    public override Task ReplaceCodesAsync(StudioUser user, IEnumerable<string> recoveryCodes, CancellationToken ct = default) =>
        base.ReplaceCodesAsync(user, recoveryCodes.Select(code => Hash(user, code)), ct);

    public override async Task<bool> RedeemCodeAsync(StudioUser user, string code, CancellationToken ct = default)
    {
        // Not base.RedeemCodeAsync: it saves the remaining codes through ReplaceCodesAsync above, which would hash
        // the already hashed codes a second time and kill them all.
        var hash = Hash(user, code);
        var codes = (await GetTokenAsync(user, "[AspNetUserStore]", "RecoveryCodes", ct) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (!codes.Contains(hash)) return false;
        await base.ReplaceCodesAsync(user, codes.Where(c => c != hash), ct);
        return true;
    }

    /// <summary>
    /// A save Identity refuses (the row changed since this request read it: a failed attempt counted meanwhile) is
    /// dropped from the context and the user read again. Otherwise it stays pending and the request's next save, its
    /// audit entry, fails with it; and the request goes on with the fresh row, lockout included.
    /// </summary>
    public override async Task<IdentityResult> UpdateAsync(StudioUser user, CancellationToken ct = default)
    {
        var result = await base.UpdateAsync(user, ct);
        if (!result.Succeeded) await Context.Entry(user).ReloadAsync(ct);
        return result;
    }

    // Salted with the user id, so equal codes of two users never share a hash.
    private static string Hash(StudioUser user, string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{user.Id}:{code.Trim().ToUpperInvariant()}")));
}
