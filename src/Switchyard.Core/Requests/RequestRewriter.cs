using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Core.Requests;

/// <summary>
/// Builds the upstream body for OpenAI-shaped providers from the caller's bytes: the model value is replaced
/// in place, deployment defaults the caller did not send are added, and include_usage is asked for on streams.
/// Everything else is copied byte for byte.
/// </summary>
public static class RequestRewriter
{
    private static ReadOnlySpan<byte> StreamUsage => "\"stream_options\":{\"include_usage\":true},"u8;

    public static byte[] Rewrite(ReadOnlySpan<byte> body, RequestInfo info, string upstreamModel, IReadOnlyDictionary<string, JsonNode?> defaults, bool requestStreamUsage)
    {
        var addsStreamUsage = requestStreamUsage && info.Operation is OperationKind.Chat or OperationKind.Completions && info.Stream && !info.HasStreamOptions;
        if (defaults.Count == 0 && IsPlainModelId(upstreamModel))
        {
            return SwapModel(body, info, upstreamModel, addsStreamUsage);
        }

        var buffer = new ArrayBufferWriter<byte>(body.Length + upstreamModel.Length + 64);
        var open = body.IndexOf((byte)'{');
        buffer.Write(body[..(open + 1)]);
        if (defaults.Count > 0)
        {
            foreach (var (key, value) in defaults)
            {
                if (key == "max_tokens" && HasTopLevel(body, "max_completion_tokens"))
                {
                    continue; // the caller's max_completion_tokens wins over a default max_tokens
                }

                if (HasTopLevel(body, key))
                {
                    continue;
                }

                WriteProperty(buffer, key, value);
            }
        }

        if (addsStreamUsage)
        {
            buffer.Write(StreamUsage);
        }

        buffer.Write(body[(open + 1)..info.ModelValueStart]);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStringValue(upstreamModel);
        }

        buffer.Write(body[(info.ModelValueStart + info.ModelValueLength)..]);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The common case, no deployment defaults (a stream's include_usage at most): one exactly sized copy with the model
    /// value replaced. Only for ids made of characters that JSON writes as they are (letters, digits, - _ . : /), so the
    /// bytes equal the general path's.
    /// </summary>
    private static byte[] SwapModel(ReadOnlySpan<byte> body, RequestInfo info, string upstreamModel, bool addsStreamUsage)
    {
        var usage = addsStreamUsage ? StreamUsage : [];
        var open = addsStreamUsage ? body.IndexOf((byte)'{') + 1 : 0;
        var head = body[..info.ModelValueStart];
        var tail = body[(info.ModelValueStart + info.ModelValueLength)..];
        var result = new byte[usage.Length + head.Length + upstreamModel.Length + 2 + tail.Length];
        head[..open].CopyTo(result);
        usage.CopyTo(result.AsSpan(open));
        head[open..].CopyTo(result.AsSpan(open + usage.Length));
        var at = usage.Length + head.Length;
        result[at++] = (byte)'"';
        for (var i = 0; i < upstreamModel.Length; i++)
        {
            result[at++] = (byte)upstreamModel[i];
        }

        result[at++] = (byte)'"';
        tail.CopyTo(result.AsSpan(at));
        return result;
    }

    private static bool IsPlainModelId(string model)
    {
        foreach (var c in model)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':' or '/'))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteProperty(ArrayBufferWriter<byte> buffer, string key, JsonNode? value)
    {
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStringValue(key);
        }

        buffer.Write(":"u8);
        using (var w = new Utf8JsonWriter(buffer))
        {
            if (value is null)
            {
                w.WriteNullValue();
            }
            else
            {
                value.WriteTo(w);
            }
        }

        buffer.Write(","u8);
    }

    /// <summary>Whether the top-level object has a property with this name.</summary>
    public static bool HasTopLevel(ReadOnlySpan<byte> body, string name)
    {
        var r = new Utf8JsonReader(body);
        r.Read();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals(name))
            {
                return true;
            }

            r.Read();
            r.Skip();
        }

        return false;
    }
}
