using System.Buffers;
using System.Text.Json;

namespace Switchyard.Providers.Anthropic.Ingress;

/// <summary>A whole <c>chat.completion</c> -> an Anthropic <c>message</c> object.</summary>
internal static class ChatToMessages
{
    public static byte[] Translate(ReadOnlySpan<byte> chatCompletion, string fallbackModel)
    {
        var reader = new Utf8JsonReader(chatCompletion);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var choice = default(JsonElement);
        if (AnthropicJson.Get(root, "choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0)
        {
            choice = choices[0];
        }

        var message = AnthropicJson.Get(choice, "message");
        var buffer = new ArrayBufferWriter<byte>(chatCompletion.Length + 256);
        using (var w = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", MessageId(AnthropicJson.String(root, "id")));
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", AnthropicJson.String(root, "model") ?? fallbackModel);
            w.WriteStartArray("content");
            WriteThinking(w, message);
            if (AnthropicJson.String(message, "content") is { Length: > 0 } text)
            {
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", text);
                w.WriteEndObject();
            }
            else if (AnthropicJson.String(message, "refusal") is { Length: > 0 } refusal)
            {
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", refusal);
                w.WriteEndObject();
            }

            if (AnthropicJson.Get(message, "tool_calls") is { ValueKind: JsonValueKind.Array } calls)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    var function = AnthropicJson.Get(call, "function");
                    w.WriteStartObject();
                    w.WriteString("type", "tool_use");
                    w.WriteString("id", AnthropicJson.String(call, "id") ?? "toolu_unknown");
                    w.WriteString("name", AnthropicJson.String(function, "name") ?? "");
                    w.WritePropertyName("input");
                    WriteInput(w, AnthropicJson.String(function, "arguments"));
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            var (stop, _) = StopReason(AnthropicJson.String(choice, "finish_reason"));
            w.WriteString("stop_reason", stop);
            w.WriteNull("stop_sequence");
            w.WritePropertyName("usage");
            WriteUsage(w, ChatUsage.Read(AnthropicJson.Get(root, "usage")));
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The answer's reasoning as thinking blocks, before the text: <c>thinking_blocks</c> when present (signatures and
    /// redacted blocks kept, so the caller can send them back in a tool loop), else <c>reasoning_content</c> (or
    /// <c>reasoning</c>, as some OpenAI-compatible servers name it) as one unsigned block.
    /// </summary>
    private static void WriteThinking(Utf8JsonWriter w, JsonElement message)
    {
        if (AnthropicJson.Get(message, "thinking_blocks") is { ValueKind: JsonValueKind.Array } blocks && blocks.GetArrayLength() > 0)
        {
            foreach (var block in blocks.EnumerateArray())
            {
                switch (AnthropicJson.String(block, "type"))
                {
                    case "thinking":
                        w.WriteStartObject();
                        w.WriteString("type", "thinking");
                        w.WriteString("thinking", AnthropicJson.String(block, "thinking") ?? "");
                        w.WriteString("signature", AnthropicJson.String(block, "signature") ?? "");
                        w.WriteEndObject();
                        break;
                    case "redacted_thinking":
                        w.WriteStartObject();
                        w.WriteString("type", "redacted_thinking");
                        w.WriteString("data", AnthropicJson.String(block, "data") ?? "");
                        w.WriteEndObject();
                        break;
                }
            }

            return;
        }

        if (Reasoning(message) is { Length: > 0 } reasoning)
        {
            w.WriteStartObject();
            w.WriteString("type", "thinking");
            w.WriteString("thinking", reasoning);
            w.WriteString("signature", "");
            w.WriteEndObject();
        }
    }

    /// <summary>A message's or delta's reasoning text: <c>reasoning_content</c>, or <c>reasoning</c> when that is a string.</summary>
    public static string? Reasoning(JsonElement message)
        => AnthropicJson.String(message, "reasoning_content") ?? AnthropicJson.String(message, "reasoning");

    /// <summary>A chat id as a Messages id (<c>msg_...</c>).</summary>
    public static string MessageId(string? chatId)
    {
        if (string.IsNullOrEmpty(chatId))
        {
            return "msg_" + Guid.NewGuid().ToString("N");
        }

        return chatId.StartsWith("msg_", StringComparison.Ordinal) ? chatId : "msg_" + chatId.Replace("chatcmpl-", "", StringComparison.Ordinal);
    }

    /// <summary>finish_reason -> stop_reason (and whether the finish is known).</summary>
    public static (string Stop, bool Known) StopReason(string? finishReason) => finishReason switch
    {
        "stop" => ("end_turn", true),
        "length" => ("max_tokens", true),
        "tool_calls" or "function_call" => ("tool_use", true),
        "content_filter" => ("refusal", true),
        _ => ("end_turn", false),
    };

    /// <summary>Tool arguments as the input object; arguments that are not a JSON object are kept under <c>_raw</c>.</summary>
    public static void WriteInput(Utf8JsonWriter w, string? arguments)
    {
        if (!string.IsNullOrWhiteSpace(arguments))
        {
            try
            {
                using var parsed = JsonDocument.Parse(arguments);
                if (parsed.RootElement.ValueKind == JsonValueKind.Object)
                {
                    parsed.RootElement.WriteTo(w);
                    return;
                }
            }
            catch (JsonException)
            {
            }

            w.WriteStartObject();
            w.WriteString("_raw", arguments);
            w.WriteEndObject();
            return;
        }

        w.WriteStartObject();
        w.WriteEndObject();
    }

    public static void WriteUsage(Utf8JsonWriter w, ChatUsage usage)
    {
        w.WriteStartObject();
        w.WriteNumber("input_tokens", Math.Max(0, usage.Prompt - usage.Cached));
        w.WriteNumber("cache_creation_input_tokens", 0);
        w.WriteNumber("cache_read_input_tokens", usage.Cached);
        w.WriteNumber("output_tokens", usage.Completion);
        w.WriteEndObject();
    }
}

/// <summary>An OpenAI usage object's counts (prompt includes cached tokens, as OpenAI reports it).</summary>
internal readonly record struct ChatUsage(long Prompt, long Completion, long Cached)
{
    public static ChatUsage Read(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        var cached = AnthropicJson.Get(AnthropicJson.Get(usage, "prompt_tokens_details"), "cached_tokens");
        return new ChatUsage(Number(AnthropicJson.Get(usage, "prompt_tokens")), Number(AnthropicJson.Get(usage, "completion_tokens")), Number(cached));
    }

    private static long Number(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n) && n >= 0 ? n : 0;
}
