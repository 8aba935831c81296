using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PhotoStudio.Features.Booking;

/// <summary>The public booking code, e.g. <c>PS-7K3QX</c>: short enough to read over the phone.</summary>
public static class BookingCode
{
    // No 0/O, 1/I/L: nothing a client can misread on a screen or mishear on the phone (31 symbols).
    private const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public const int Length = 5;

    /// <summary>A fresh random code; about 28.6 million exist, so callers still retry on the unique key.</summary>
    public static string New() => "PS-" + new string(RandomNumberGenerator.GetItems<char>(Alphabet, Length));
}

/// <summary>
/// The secret in a client's "manage my booking" link. Only its SHA-256 is stored, so a database leak
/// does not hand out working links; 256 random bits make a plain (unsalted) hash enough.
/// </summary>
public static class ManageToken
{
    /// <summary>32 random bytes as base64url without padding (43 URL-safe characters).</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>SHA-256 of the token's UTF-8 bytes: what <c>bookings.manage_token_hash</c> holds.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
