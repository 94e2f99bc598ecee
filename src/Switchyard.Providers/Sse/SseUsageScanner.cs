using System.Text.Json;
using Switchyard.Core.Requests;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Providers.Sse;

/// <summary>
/// Watches relayed OpenAI SSE bytes for the final usage chunk and the [DONE] marker without holding bytes back:
/// only lines that mention "usage" are kept (in a small line buffer) and parsed. For an OpenAI Responses stream
/// (<paramref name="responses"/>) the end is the terminal <c>response.completed</c> / <c>response.incomplete</c> /
/// <c>response.failed</c> event instead of [DONE], and usage and the final response object are read from it.
/// </summary>
public sealed class SseUsageScanner(bool responses = false)
{
    private readonly List<byte> _line = new(256);
    private bool _done;

    public Usage? Usage { get; private set; }

    /// <summary>What a complete stream ends with, for the failure detail when it did not.</summary>
    public string EndMarker => responses ? "stream ended without its final response.completed event" : "stream ended without its final [DONE] event";

    /// <summary>The terminal event's <c>response</c> object (Responses streams only).</summary>
    public ReadOnlyMemory<byte>? CompletedResponse { get; private set; }

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
            else if (responses)
            {
                ReadResponsesEvent(payload);
            }
            else if (payload.IndexOf("\"usage\""u8) >= 0)
            {
                ReadUsage(payload);
            }
        }

        _line.Clear();
    }

    private void ReadResponsesEvent(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\"response.completed\""u8) < 0 && json.IndexOf("\"response.incomplete\""u8) < 0 && json.IndexOf("\"response.failed\""u8) < 0)
        {
            return;
        }

        try
        {
            var r = new Utf8JsonReader(json);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            var terminal = false;
            ReadOnlyMemory<byte>? response = null;
            Usage? usage = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("type"u8))
                {
                    r.Read();
                    terminal = r.ValueTextEquals("response.completed"u8) || r.ValueTextEquals("response.incomplete"u8) || r.ValueTextEquals("response.failed"u8);
                }
                else if (r.ValueTextEquals("response"u8))
                {
                    r.Read();
                    var start = (int)r.TokenStartIndex;
                    var copy = r;
                    r.Skip();
                    response = json[start..(int)r.BytesConsumed].ToArray();
                    if (copy.TokenType == JsonTokenType.StartObject)
                    {
                        while (copy.Read() && copy.TokenType == JsonTokenType.PropertyName)
                        {
                            var isUsage = copy.ValueTextEquals("usage"u8);
                            copy.Read();
                            if (isUsage)
                            {
                                usage = ResponseInspector.ReadUsage(ref copy);
                            }
                            else
                            {
                                copy.Skip();
                            }
                        }
                    }
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            if (terminal)
            {
                _done = true;
                CompletedResponse = response;
                Usage = usage ?? Usage;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // not JSON: not the terminal event
        }
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
