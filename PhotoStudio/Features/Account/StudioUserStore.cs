using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Account;

/// <summary>Identity's EF store, except that recovery codes are kept only as salted hashes.</summary>
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

    // Salted with the user id, so equal codes of two users never share a hash.
    private static string Hash(StudioUser user, string code) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{user.Id}:{code.Trim().ToUpperInvariant()}")));
}
