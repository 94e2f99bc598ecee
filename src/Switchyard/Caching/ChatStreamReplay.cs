using System.Buffers;
using System.Text.Json;

namespace Switchyard.Caching;

/// <summary>
/// A whole cached Chat Completions answer replayed as the stream OpenAI would have sent: per choice a role and content
/// (and tool calls) chunk, then its finish_reason chunk, the usage chunk when the caller asked for it
/// (<c>stream_options.include_usage</c>), and <c>data: [DONE]</c>.
/// </summary>
public static class ChatStreamReplay
{
    /// <summary>The SSE bytes, or null when the stored answer is not a chat completion this can replay.</summary>
    public static byte[]? ToSse(ReadOnlyMemory<byte> whole, bool includeUsage)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(whole);
        }
        catch (JsonException)
        {
            return null;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var output = new ArrayBufferWriter<byte>(whole.Length * 2 + 256);
            foreach (var choice in choices.EnumerateArray())
            {
                var index = choice.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : 0;
                var message = choice.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
                Event(output, root, w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", index);
                    w.WriteStartObject("delta");
                    w.WriteString("role", "assistant");
                    if (message.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var name in (ReadOnlySpan<string>)["content", "refusal"])
                        {
                            if (message.TryGetProperty(name, out var value))
                            {
                                w.WritePropertyName(name);
                                value.WriteTo(w);
                            }
                        }

                        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                        {
                            w.WriteStartArray("tool_calls");
                            var k = 0;
                            foreach (var call in calls.EnumerateArray())
                            {
                                w.WriteStartObject();
                                w.WriteNumber("index", k++);
                                foreach (var p in call.EnumerateObject())
                                {
                                    p.WriteTo(w);
                                }

                                w.WriteEndObject();
                            }

                            w.WriteEndArray();
                        }
                    }

                    w.WriteEndObject();
                    if (choice.TryGetProperty("logprobs", out var logprobs))
                    {
                        w.WritePropertyName("logprobs");
                        logprobs.WriteTo(w);
                    }

                    w.WriteNull("finish_reason");
                    w.WriteEndObject();
                }, usage: false);
                Event(output, root, w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", index);
                    w.WriteStartObject("delta");
                    w.WriteEndObject();
                    w.WritePropertyName("finish_reason");
                    if (choice.TryGetProperty("finish_reason", out var finish))
                    {
                        finish.WriteTo(w);
                    }
                    else
                    {
                        w.WriteStringValue("stop");
                    }

                    w.WriteEndObject();
                }, usage: false);
            }

            if (includeUsage && root.TryGetProperty("usage", out _))
            {
                Event(output, root, null, usage: true);
            }

            output.Write("data: [DONE]\n\n"u8);
            return output.WrittenSpan.ToArray();
        }
    }

    private static void Event(ArrayBufferWriter<byte> output, JsonElement root, Action<Utf8JsonWriter>? choice, bool usage)
    {
        output.Write("data: "u8);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            foreach (var name in (ReadOnlySpan<string>)["id", "created", "model", "system_fingerprint", "service_tier"])
            {
                if (root.TryGetProperty(name, out var value))
                {
                    w.WritePropertyName(name);
                    value.WriteTo(w);
                }
            }

            w.WriteString("object", "chat.completion.chunk");
            w.WriteStartArray("choices");
            choice?.Invoke(w);
            w.WriteEndArray();
            if (usage)
            {
                w.WritePropertyName("usage");
                root.GetProperty("usage").WriteTo(w);
            }

            w.WriteEndObject();
        }

        output.Write("\n\n"u8);
    }
}
