using System.Buffers.Binary;

namespace PhotoStudio.Tests.Support;

public static class PasswordHashes
{
    /// <summary>The PBKDF2 iteration count a stored hash was made with. Identity's V3 format: a marker byte (1), the PRF, then the count, big-endian.</summary>
    public static int Iterations(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]);
        return (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5, 4));
    }
}
