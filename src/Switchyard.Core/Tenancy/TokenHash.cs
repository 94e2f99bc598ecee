using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Core.Tenancy;

/// <summary>A token's SHA-256, as four words: the in-memory key of the token cache (no string per lookup).</summary>
public readonly record struct TokenHash(ulong A, ulong B, ulong C, ulong D)
{
    public static TokenHash Of(ReadOnlySpan<char> token)
    {
        var max = Encoding.UTF8.GetMaxByteCount(token.Length);
        var raw = max <= 1024 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.UTF8.GetBytes(token, raw);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(raw[..n], hash);
        return FromBytes(hash);
    }

    public static TokenHash FromBytes(ReadOnlySpan<byte> hash) => new(
        BinaryPrimitives.ReadUInt64BigEndian(hash),
        BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));

    public static bool TryParse(string hex, out TokenHash hash)
    {
        hash = default;
        if (hex.Length != 64)
        {
            return false;
        }

        try
        {
            hash = FromBytes(Convert.FromHexString(hex));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public string ToHex()
    {
        Span<byte> b = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(b, A);
        BinaryPrimitives.WriteUInt64BigEndian(b[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(b[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(b[24..], D);
        return Convert.ToHexStringLower(b);
    }

    /// <summary>A new random token: "sk-" and 48 hex characters.</summary>
    public static string NewToken() => "sk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>How a token is shown after creation: "sk-...abcd".</summary>
    public static string Mask(string token) => token.Length <= 8 ? "sk-..." : "sk-..." + token[^4..];
}
