using System.Text.Json;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Providers.Sse;

/// <summary>
/// Watches relayed OpenAI SSE bytes for the final usage chunk and the [DONE] marker without holding bytes back:
/// only lines that mention "usage" are kept (in a small line buffer) and parsed.
/// </summary>
public sealed class SseUsageScanner
{
    private readonly List<byte> _line = new(256);
    private bool _done;

    public Usage? Usage { get; private set; }

    /// <summary>Feeds relayed bytes; returns true once [DONE] was seen.</summary>
    public bool Scan(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var nl = data.IndexOf((byte)'\n');
            var part = nl < 0 ? data : data[..nl];
            if (_line.Count < 1024 * 1024)
            {
                _line.AddRange(part);
            }

            if (nl < 0)
            {
                break;
            }

            EndLine();
            data = data[(nl + 1)..];
        }

        return _done;
    }

    private void EndLine()
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_line).TrimEnd((byte)'\r');
        if (span.StartsWith("data:"u8))
        {
            var payload = span[5..].TrimStart((byte)' ');
            if (payload.SequenceEqual("[DONE]"u8))
            {
                _done = true;
            }
            else if (payload.IndexOf("\"usage\""u8) >= 0)
            {
                ReadUsage(payload);
            }
        }

        _line.Clear();
    }

    private void ReadUsage(ReadOnlySpan<byte> json)
    {
        try
        {
            var r = new Utf8JsonReader(json);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("usage"u8))
                {
                    r.Read();
                    if (ResponseInspector.ReadUsage(ref r) is { } u)
                    {
                        Usage = u;
                    }
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // not JSON, or text that cannot be decoded (a lone surrogate escape in a name): no usage on this line
        }
    }
}
