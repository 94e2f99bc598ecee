using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Switchyard.Core.Requests;

/// <summary>
/// Refuses bodies whose text cannot be decoded: bytes that are not UTF-8, and <c>\uXXXX</c> escapes that leave a lone
/// UTF-16 surrogate (<c>"\ud800"</c>). <see cref="System.Text.Json.Utf8JsonReader"/> checks neither until a string is
/// decoded, where it throws <see cref="InvalidOperationException"/>; checking here, once, keeps every later reader
/// (estimator, translators, providers) safe. Both passes are vectorised searches, so the cost is a few microseconds
/// for a 48 KB body.
/// </summary>
public static class JsonTextCheck
{
    /// <summary>Throws <see cref="RequestValidationException"/> (code <c>invalid_unicode</c>) naming the first bad byte.</summary>
    public static void Validate(ReadOnlySpan<byte> body)
    {
        if (!Utf8.IsValid(body))
        {
            throw new RequestValidationException(
                $"the body is not valid UTF-8 (byte {FirstInvalidByte(body) + 1}); send JSON text encoded as UTF-8", null, "invalid_unicode");
        }

        var i = 0;
        while (true)
        {
            var k = body[i..].IndexOf((byte)'\\');
            if (k < 0)
            {
                return;
            }

            // Each backslash found here starts an escape: the previous escape was consumed whole, so a "\\" pair
            // never leaves its second backslash behind. Broken escapes are left to the JSON reader to report.
            i += k;
            if (i + 1 >= body.Length)
            {
                return;
            }

            if (body[i + 1] != (byte)'u')
            {
                i += 2;
                continue;
            }

            var unit = Hex4(body, i + 2);
            if (unit < 0)
            {
                return;
            }

            var at = i;
            i += 6;
            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                throw LoneSurrogate(at, unit);
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 1 < body.Length && body[i] == (byte)'\\' && body[i + 1] == (byte)'u' && Hex4(body, i + 2) is >= 0xDC00 and <= 0xDFFF)
                {
                    i += 6;
                    continue;
                }

                throw LoneSurrogate(at, unit);
            }
        }
    }

    private static RequestValidationException LoneSurrogate(int at, int unit)
        => new($"the body holds a lone UTF-16 surrogate escape \\u{unit:x4} (byte {at + 1}); a surrogate escape must be a high-low pair", null, "invalid_unicode");

    private static int Hex4(ReadOnlySpan<byte> body, int start)
    {
        if (start + 4 > body.Length)
        {
            return -1;
        }

        var value = 0;
        for (var j = start; j < start + 4; j++)
        {
            var d = HexDigit(body[j]);
            if (d < 0)
            {
                return -1;
            }

            value = (value << 4) | d;
        }

        return value;
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static int FirstInvalidByte(ReadOnlySpan<byte> body)
    {
        var i = 0;
        while (i < body.Length)
        {
            if (Rune.DecodeFromUtf8(body[i..], out _, out var consumed) != OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return body.Length;
    }
}
