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
        return string.Create(26, (ms, R: Read(NextRandom())), static (dst, s) =>
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

    private const int RandomBytes = 10;
    private const int IdsPerRefill = 64;

    // Each call to the OS/OpenSSL CSPRNG costs about 2 µs, so every thread draws bytes for 64 ids at once and hands
    // them out in order; each byte is still used once, and ids stay as unpredictable as before.
    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_randomOffset;

    private static ReadOnlySpan<byte> NextRandom()
    {
        var pool = t_random;
        var offset = t_randomOffset;
        if (pool is null || offset == pool.Length)
        {
            pool ??= t_random = new byte[RandomBytes * IdsPerRefill];
            RandomNumberGenerator.Fill(pool);
            offset = 0;
        }

        t_randomOffset = offset + RandomBytes;
        return pool.AsSpan(offset, RandomBytes);
    }

    private static (ulong Hi, ulong Lo) Read(ReadOnlySpan<byte> b)
    {
        var hi = (ulong)b[0] << 8 | b[1];
        var lo = BitConverter.ToUInt64(b[2..]);
        return (hi, lo);
    }
}
