using System.Buffers;
using System.Text.Json;
using System.Text;
using Switchyard.Core.Requests;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// A whole Anthropic Messages response -> an OpenAI chat.completion: text blocks joined into content, tool_use
/// blocks as tool_calls, stop_reason as finish_reason, usage with cache tokens counted as prompt tokens. Thinking
/// blocks become reasoning_content (their text) and thinking_blocks (with signatures, to be sent back in a tool
/// loop); the structured-output tool's input becomes the text content, with finish_reason stop. Server tool blocks
/// have no OpenAI equivalent and are left out.
/// </summary>
internal static class AnthropicResponseTranslator
{
    /// <summary>A whole Messages response kept as it is (a native Messages call): checked and its usage read.</summary>
    public static (byte[]? Body, Usage? Usage, string? Problem) Inspect(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (AnthropicJson.String(root, "type") != "message" || AnthropicJson.Get(root, "content").ValueKind != JsonValueKind.Array)
            {
                return (null, null, AnthropicJson.String(root, "type") == "error" ? "answered 200 with an error object" : "answered 200 with a body that is not a Messages response");
            }

            var tokens = new AnthropicTokenCounter();
            tokens.Observe(AnthropicJson.Get(root, "usage"));
            return (payload, tokens.ToUsage(), null);
        }
        catch (JsonException)
        {
            return (null, null, "answered 200 with a body that is not valid JSON");
        }
    }

    public static (byte[]? Body, Usage? Usage, string? Problem) Translate(ReadOnlyMemory<byte> payload, string fallbackModel, long created, string? jsonTool = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return (null, null, "answered 200 with a body that is not valid JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null, "answered 200 with a body that is not a JSON object");
            }

            if (AnthropicJson.String(root, "type") != "message" || AnthropicJson.Get(root, "content").ValueKind != JsonValueKind.Array)
            {
                return (null, null, AnthropicJson.String(root, "type") == "error" ? "answered 200 with an error object" : "answered 200 with a body that is not a Messages response");
            }

            var text = new StringBuilder();
            var hasText = false;
            string? json = null;
            foreach (var block in root.GetProperty("content").EnumerateArray())
            {
                var type = AnthropicJson.String(block, "type");
                if (type == "text")
                {
                    text.Append(AnthropicJson.String(block, "text"));
                    hasText = true;
                }
                else if (type == "tool_use" && (AnthropicJson.String(block, "id") is null || AnthropicJson.String(block, "name") is null))
                {
                    return (null, null, "answered 200 with a tool_use block lacking its id or name");
                }
                else if (type == "tool_use" && jsonTool is not null && AnthropicJson.String(block, "name") == jsonTool && json is null)
                {
                    var input = AnthropicJson.Get(block, "input");
                    json = input.ValueKind == JsonValueKind.Undefined ? "{}" : input.GetRawText();
                }
            }

            var tokens = new AnthropicTokenCounter();
            tokens.Observe(AnthropicJson.Get(root, "usage"));
            var buffer = new ArrayBufferWriter<byte>(payload.Length + 256);
            using (var w = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
            {
                Write(w, root, json ?? (hasText ? text.ToString() : null), json is null ? null : jsonTool, fallbackModel, created, tokens);
            }

            return (buffer.WrittenSpan.ToArray(), tokens.ToUsage(), null);
        }
    }

    private static void Write(Utf8JsonWriter w, JsonElement root, string? content, string? jsonTool, string fallbackModel, long created, AnthropicTokenCounter tokens)
    {
        w.WriteStartObject();
        w.WriteString("id", AnthropicJson.String(root, "id") ?? "msg_unknown");
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", created);
        w.WriteString("model", AnthropicJson.String(root, "model") ?? fallbackModel);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", content);
        WriteThinking(w, root.GetProperty("content"));
        var wroteCalls = false;
        foreach (var block in root.GetProperty("content").EnumerateArray())
        {
            if (AnthropicJson.String(block, "type") != "tool_use" || (jsonTool is not null && AnthropicJson.String(block, "name") == jsonTool))
            {
                continue;
            }

            if (!wroteCalls)
            {
                w.WriteStartArray("tool_calls");
                wroteCalls = true;
            }

            w.WriteStartObject();
            w.WriteString("id", AnthropicJson.String(block, "id"));
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", AnthropicJson.String(block, "name"));
            var input = AnthropicJson.Get(block, "input");
            w.WriteString("arguments", input.ValueKind == JsonValueKind.Undefined ? "{}" : input.GetRawText());
            w.WriteEndObject();
            w.WriteEndObject();
        }

        if (wroteCalls)
        {
            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteNull("logprobs");
        var stop = AnthropicJson.String(root, "stop_reason");
        w.WriteString("finish_reason", jsonTool is not null && !wroteCalls && stop == "tool_use" ? "stop" : AnthropicFinishReasons.Map(stop));
        w.WriteEndObject();
        w.WriteEndArray();
        w.WritePropertyName("usage");
        tokens.WriteOpenAIUsage(w);
        w.WriteEndObject();
    }

    /// <summary>reasoning_content (the thinking text) and thinking_blocks (LiteLLM's shape, signatures kept), when any.</summary>
    private static void WriteThinking(Utf8JsonWriter w, JsonElement content)
    {
        var reasoning = new StringBuilder();
        var any = false;
        foreach (var block in content.EnumerateArray())
        {
            if (AnthropicJson.String(block, "type") == "thinking")
            {
                reasoning.Append(AnthropicJson.String(block, "thinking"));
                any = true;
            }
            else if (AnthropicJson.String(block, "type") == "redacted_thinking")
            {
                any = true;
            }
        }

        if (!any)
        {
            return;
        }

        w.WriteString("reasoning_content", reasoning.ToString());
        w.WriteStartArray("thinking_blocks");
        foreach (var block in content.EnumerateArray())
        {
            var type = AnthropicJson.String(block, "type");
            if (type == "thinking")
            {
                w.WriteStartObject();
                w.WriteString("type", "thinking");
                w.WriteString("thinking", AnthropicJson.String(block, "thinking") ?? "");
                w.WriteString("signature", AnthropicJson.String(block, "signature") ?? "");
                w.WriteEndObject();
            }
            else if (type == "redacted_thinking")
            {
                w.WriteStartObject();
                w.WriteString("type", "redacted_thinking");
                w.WriteString("data", AnthropicJson.String(block, "data") ?? "");
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }
}
