using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// A whole <c>GenerateContentResponse</c> -> an OpenAI chat.completion: the first candidate's text parts joined into
/// content, thought parts into reasoning_content, functionCall parts into tool_calls (ids made here, thought signatures
/// carried in them), finishReason mapped, usageMetadata as usage. A blocked prompt is a failure, not an answer.
/// </summary>
internal static class GeminiResponseTranslator
{
    public static (byte[]? Body, Usage? Usage, UpstreamFailure? Failure) Translate(ReadOnlyMemory<byte> payload, string fallbackModel, long created)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return (null, null, Invalid("answered 200 with a body that is not valid JSON"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null, Invalid("answered 200 with a body that is not a JSON object"));
            }

            if (GeminiBlocked.Check(root) is { } blocked)
            {
                return (null, null, blocked);
            }

            var candidates = AnthropicJson.Get(root, "candidates");
            if (candidates.ValueKind != JsonValueKind.Array || candidates.GetArrayLength() == 0)
            {
                return (null, null, Invalid("answered 200 without candidates"));
            }

            var usage = new GeminiUsage();
            usage.Observe(AnthropicJson.Get(root, "usageMetadata"));
            var buffer = new ArrayBufferWriter<byte>(payload.Length + 256);
            using (var w = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
            {
                Write(w, root, candidates[0], fallbackModel, created, usage);
            }

            return (buffer.WrittenSpan.ToArray(), usage.ToUsage(), null);
        }
    }

    private static UpstreamFailure Invalid(string detail) => new(FailureKind.InvalidResponse, 200, detail);

    private static void Write(Utf8JsonWriter w, JsonElement root, JsonElement candidate, string fallbackModel, long created, GeminiUsage usage)
    {
        var parts = AnthropicJson.Get(AnthropicJson.Get(candidate, "content"), "parts");
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        bool hasText = false, hasReasoning = false;
        foreach (var part in Items(parts))
        {
            if (AnthropicJson.String(part, "text") is not { } t)
            {
                continue;
            }

            if (AnthropicJson.Get(part, "thought").ValueKind == JsonValueKind.True)
            {
                reasoning.Append(t);
                hasReasoning = true;
            }
            else
            {
                text.Append(t);
                hasText = true;
            }
        }

        w.WriteStartObject();
        w.WriteString("id", "chatcmpl-" + (AnthropicJson.String(root, "responseId") ?? "gemini"));
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", created);
        w.WriteString("model", AnthropicJson.String(root, "modelVersion") ?? fallbackModel);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", hasText ? text.ToString() : null);
        if (hasReasoning)
        {
            w.WriteString("reasoning_content", reasoning.ToString());
        }

        var calls = 0;
        foreach (var part in Items(parts))
        {
            if (AnthropicJson.Get(part, "functionCall") is not { ValueKind: JsonValueKind.Object } call)
            {
                continue;
            }

            if (calls++ == 0)
            {
                w.WriteStartArray("tool_calls");
            }

            WriteCall(w, part, call);
        }

        if (calls > 0)
        {
            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteNull("logprobs");
        w.WriteString("finish_reason", GeminiFinishReasons.Map(AnthropicJson.String(candidate, "finishReason"), calls > 0));
        w.WriteEndObject();
        w.WriteEndArray();
        w.WritePropertyName("usage");
        usage.WriteOpenAIUsage(w);
        w.WriteEndObject();
    }

    private static void WriteCall(Utf8JsonWriter w, JsonElement part, JsonElement call)
    {
        w.WriteStartObject();
        w.WriteString("id", GeminiToolCallIds.Create(AnthropicJson.String(call, "id"), AnthropicJson.String(part, "thoughtSignature")));
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", AnthropicJson.String(call, "name") ?? "");
        w.WriteString("arguments", Arguments(call));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static IEnumerable<JsonElement> Items(JsonElement array)
        => array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];

    /// <summary>A functionCall's args as an arguments string ("{}" when it has none).</summary>
    public static string Arguments(JsonElement call)
        => AnthropicJson.Get(call, "args") is { ValueKind: JsonValueKind.Object } args ? args.GetRawText() : "{}";
}
