using System.Security.Cryptography;

namespace Switchyard.Core.Correlation;

/// <summary>
/// Correlation ids: a caller's id is kept when it is 1-128 printable ASCII characters without spaces;
/// otherwise a new sortable id (ULID layout: 48-bit milliseconds + 80 random bits, Crockford base32) replaces it.
/// </summary>
public static class CorrelationId
{
    public const string HeaderName = "X-Correlation-Id";
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > 128)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c <= ' ' || c > '~')
            {
                return false;
            }
        }

        return true;
    }

    public static string New(TimeProvider time)
    {
        var ms = (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        return string.Create(26, (ms, R: Read(random)), static (dst, s) =>
        {
            var t = s.ms;
            for (var i = 9; i >= 0; i--)
            {
                dst[i] = Alphabet[(int)(t & 31)];
                t >>= 5;
            }

            var (hi, lo) = s.R;
            for (var i = 25; i >= 10; i--)
            {
                dst[i] = Alphabet[(int)(lo & 31)];
                lo = (lo >> 5) | ((hi & 31) << 59);
                hi >>= 5;
            }
        });
    }

    /// <summary>Keeps a valid caller id, otherwise creates a new one.</summary>
    public static string FromCaller(string? callerValue, TimeProvider time)
        => callerValue is not null && IsValid(callerValue) ? callerValue : New(time);

    private static (ulong Hi, ulong Lo) Read(ReadOnlySpan<byte> b)
    {
        ulong hi = (ulong)b[0] << 8 | b[1];
        ulong lo = BitConverter.ToUInt64(b[2..]);
        return (hi, lo);
    }
}
