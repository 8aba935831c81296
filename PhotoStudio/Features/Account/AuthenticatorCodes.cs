using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PhotoStudio.Data;

namespace PhotoStudio.Features.Account;

/// <summary>
/// TOTP (RFC 6238: SHA-1, 30 s steps, 6 digits, one step of clock drift either way) that accepts each code
/// once: the accepted time step is stored per user, and a code for that step or an earlier one is refused.
/// The check-and-store is one conditional UPDATE, so two requests racing with the same code cannot both win.
/// </summary>
public sealed class AuthenticatorCodes(StudioDb db, TimeProvider clock) : IUserTwoFactorTokenProvider<StudioUser>
{
    public Task<string> GenerateAsync(string purpose, UserManager<StudioUser> manager, StudioUser user) =>
        Task.FromResult(""); // the user's app generates codes, never the server

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<StudioUser> manager, StudioUser user) =>
        !string.IsNullOrEmpty(await manager.GetAuthenticatorKeyAsync(user));

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<StudioUser> manager, StudioUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        token = token.Replace(" ", "").Replace("-", "");
        if (string.IsNullOrEmpty(key) || token.Length != 6 || !token.All(char.IsAsciiDigit)) return false;

        var secret = Base32Decode(key);
        var now = clock.GetUtcNow().ToUnixTimeSeconds() / 30;
        for (var step = now - 1; step <= now + 1; step++)
        {
            if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(secret, step)), System.Text.Encoding.ASCII.GetBytes(token)))
                continue;
            var accepted = await db.Database.ExecuteSqlAsync(
                $"UPDATE users SET last_totp_time_step = {step} WHERE id = {user.Id} AND (last_totp_time_step IS NULL OR last_totp_time_step < {step})");
            return accepted == 1;
        }
        return false;
    }

    public static string Code(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(secret, counter);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static byte[] Base32Decode(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant())
        {
            var value = alphabet.IndexOf(c);
            if (value < 0) continue; // spaces, padding
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits < 8) continue;
            bytes.Add((byte)(buffer >> (bits - 8)));
            bits -= 8;
        }
        return [.. bytes];
    }
}
