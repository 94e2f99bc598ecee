using System.Buffers;
using System.Text.Unicode;

namespace Switchyard.Core.Requests;

/// <summary>
/// A compact stand-in for a large body, for the schema gate: each JSON string of <see cref="MinLength"/> bytes or more
/// (an agent's system prompt, a tool result) is checked here with vectorized searches and replaced by a fixed
/// 300-character placeholder string, so Utf8JsonReader, which validates a string byte by byte once it holds an escape
/// such as \n (~1 ns per byte), reads ~300 bytes instead of tens of KB. Everything else is copied as it is.
/// </summary>
/// <remarks>
/// The placeholder keeps every verdict the gate can reach on such a string: it is a valid string, too long for a model
/// id (256 characters), not a role, not "function", and not empty. A body whose long strings are not valid JSON
/// strings (bad escape, control character, unterminated) or whose value is not valid Unicode (invalid UTF-8, a lone
/// surrogate escape) is not compacted, so the reader reports it as before; callers
/// also re-inspect the original body when the compact one fails, so errors and their positions are the original's.
/// </remarks>
internal sealed class LongStringElision : IDisposable
{
    /// <summary>Shortest string (bytes between the quotes) replaced: longer than any value the gate reads (6 x 256 + 2).</summary>
    public const int MinLength = 2048;

    private static readonly byte[] Placeholder = BuildPlaceholder();
    private static readonly SearchValues<byte> QuoteOrBackslash = SearchValues.Create("\"\\"u8);

    private readonly byte[] _buffer;
    private readonly List<int> _elided; // pairs: position in the compact body just after the placeholder, bytes removed up to there

    private LongStringElision(byte[] buffer, int length, List<int> elided)
    {
        _buffer = buffer;
        Length = length;
        _elided = elided;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The compact body, or null when nothing is long enough or a long string is not a valid JSON string.</summary>
    public static LongStringElision? TryCreate(ReadOnlySpan<byte> body)
    {
        if (body.Length < MinLength)
        {
            return null;
        }

        List<int>? ranges = null; // pairs: start and end (exclusive) of each long string with its quotes, in the body
        var i = 0;
        while (true)
        {
            var open = body[i..].IndexOfAny(QuoteOrBackslash);
            if (open < 0)
            {
                break;
            }

            open += i;
            if (body[open] == '\\')
            {
                return null; // outside a string: invalid, the reader says where
            }

            var close = StringEnd(body, open + 1);
            if (close < 0)
            {
                return null;
            }

            if (close - open - 1 >= MinLength)
            {
                var content = body[(open + 1)..close];
                if (content.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || !Utf8.IsValid(content))
                {
                    return null; // an unescaped control character or invalid UTF-8: the reader and the gate judge the original
                }

                (ranges ??= []).Add(open);
                ranges.Add(close + 1);
            }

            i = close + 1;
        }

        if (ranges is null)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(body.Length);
        var elided = new List<int>(ranges.Count);
        int from = 0, at = 0, removed = 0;
        for (var r = 0; r < ranges.Count; r += 2)
        {
            body[from..ranges[r]].CopyTo(buffer.AsSpan(at));
            at += ranges[r] - from;
            Placeholder.CopyTo(buffer.AsSpan(at));
            at += Placeholder.Length;
            removed += ranges[r + 1] - ranges[r] - Placeholder.Length;
            elided.Add(at);
            elided.Add(removed);
            from = ranges[r + 1];
        }

        body[from..].CopyTo(buffer.AsSpan(at));
        at += body.Length - from;
        return new LongStringElision(buffer, at, elided);
    }

    /// <summary>Maps a position in the compact body (outside any placeholder) to the same byte in the original.</summary>
    public int ToOriginal(int position)
    {
        var removed = 0;
        for (var e = 0; e < _elided.Count && _elided[e] <= position; e += 2)
        {
            removed = _elided[e + 1];
        }

        return position + removed;
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

    /// <summary>Index of the quote closing the string whose content starts at <paramref name="start"/>; -1 when invalid.</summary>
    private static int StringEnd(ReadOnlySpan<byte> body, int start)
    {
        var j = start;
        while (true)
        {
            var k = body[j..].IndexOfAny(QuoteOrBackslash);
            if (k < 0)
            {
                return -1;
            }

            j += k;
            if (body[j] == '"')
            {
                return j;
            }

            if (j + 1 >= body.Length)
            {
                return -1;
            }

            switch (body[j + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    j += 2;
                    break;
                case (byte)'u' when Hex4(body, j + 2) is >= 0 and var unit:
                    if (unit is >= 0xDC00 and <= 0xDFFF)
                    {
                        return -1; // a lone low surrogate: left to the reader on the original body
                    }

                    if (unit is >= 0xD800 and <= 0xDBFF)
                    {
                        if (j + 7 >= body.Length || body[j + 6] != '\\' || body[j + 7] != 'u' || Hex4(body, j + 8) is not (>= 0xDC00 and <= 0xDFFF))
                        {
                            return -1; // a high surrogate without its low half
                        }

                        j += 6;
                    }

                    j += 6;
                    break;
                default:
                    return -1;
            }
        }
    }

    /// <summary>The UTF-16 unit of four hex digits at <paramref name="at"/>, or -1.</summary>
    private static int Hex4(ReadOnlySpan<byte> body, int at)
    {
        if (at + 4 > body.Length)
        {
            return -1;
        }

        var value = 0;
        for (var k = at; k < at + 4; k++)
        {
            var b = body[k];
            var digit = b is >= (byte)'0' and <= (byte)'9' ? b - '0' : (b | 0x20) is >= 'a' and <= 'f' ? (b | 0x20) - 'a' + 10 : -1;
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }

    private static byte[] BuildPlaceholder()
    {
        var p = new byte[302];
        p.AsSpan().Fill((byte)'x');
        p[0] = (byte)'"';
        p[^1] = (byte)'"';
        return p;
    }
}
