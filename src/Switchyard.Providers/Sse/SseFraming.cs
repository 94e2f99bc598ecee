namespace Switchyard.Providers.Sse;

/// <summary>Tracks whether relayed SSE bytes end on an event boundary (a blank line).</summary>
public struct SseFraming
{
    private byte _last;
    private byte _beforeLast;
    private bool _any;

    public readonly bool AtBoundary => !_any || (_last == (byte)'\n' && _beforeLast == (byte)'\n');

    public void Observe(ReadOnlySpan<byte> data)
    {
        foreach (var b in data.Length > 4 ? data[^4..] : data)
        {
            if (b == (byte)'\r')
            {
                continue; // CRLF framing counts like LF
            }

            _beforeLast = _last;
            _last = b;
            _any = true;
        }
    }

    /// <summary>Whether the first bytes of a stream look like server-sent events.</summary>
    public static bool LooksLikeSse(ReadOnlySpan<byte> first)
    {
        var s = first.TrimStart("\r\n\t "u8);
        return s.StartsWith("data:"u8) || s.StartsWith("event:"u8) || s.StartsWith(":"u8) || s.StartsWith("id:"u8) || s.StartsWith("retry:"u8);
    }
}
