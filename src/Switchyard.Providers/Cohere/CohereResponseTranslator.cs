using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// A Cohere v2 chat answer (<c>{"id","finish_reason","message":{"content":[{"type":"text","text"}],"tool_plan",
/// "tool_calls":[…]},"usage":{…}}</c>) -> an OpenAI chat.completion: text parts joined into content, the tool plan
/// (the model's reasoning before it calls tools) as reasoning_content, tool_calls kept with their ids, the finish
/// reason mapped and the usage counted.
/// </summary>
internal static class CohereResponseTranslator
{
    public static (byte[]? Body, Usage? Usage, UpstreamFailure? Failure) Translate(ReadOnlyMemory<byte> payload, string model, long created)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return (null, null, new UpstreamFailure(FailureKind.InvalidResponse, 200, "answered 200 with a body that is not valid JSON"));
        }

        using (document)
        {
            var root = document.RootElement;
            var message = AnthropicJson.Get(root, "message");
            if (message.ValueKind != JsonValueKind.Object)
            {
                return (null, null, new UpstreamFailure(FailureKind.InvalidResponse, 200, "answered 200 without a message"));
            }

            var usage = new CohereUsage();
            usage.Observe(AnthropicJson.Get(root, "usage"));
            var text = new StringBuilder();
            if (AnthropicJson.Get(message, "content") is { ValueKind: JsonValueKind.Array } content)
            {
                foreach (var part in content.EnumerateArray())
                {
                    if (AnthropicJson.String(part, "type") == "text" && AnthropicJson.String(part, "text") is { } t)
                    {
                        text.Append(t);
                    }
                }
            }

            var buffer = new ArrayBufferWriter<byte>(payload.Length + 256);
            using (var w = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("id", "chatcmpl-" + (AnthropicJson.String(root, "id") ?? Guid.NewGuid().ToString("N")));
                w.WriteString("object", "chat.completion");
                w.WriteNumber("created", created);
                w.WriteString("model", model);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", text.Length > 0 ? text.ToString() : null);
                if (AnthropicJson.String(message, "tool_plan") is { Length: > 0 } plan)
                {
                    w.WriteString("reasoning_content", plan);
                }

                if (AnthropicJson.Get(message, "tool_calls") is { ValueKind: JsonValueKind.Array } calls && calls.GetArrayLength() > 0)
                {
                    w.WriteStartArray("tool_calls");
                    foreach (var call in calls.EnumerateArray())
                    {
                        var function = AnthropicJson.Get(call, "function");
                        w.WriteStartObject();
                        w.WriteString("id", AnthropicJson.String(call, "id") ?? "");
                        w.WriteString("type", "function");
                        w.WriteStartObject("function");
                        w.WriteString("name", AnthropicJson.String(function, "name") ?? "");
                        w.WriteString("arguments", AnthropicJson.String(function, "arguments") is { Length: > 0 } arguments ? arguments : "{}");
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
                w.WriteNull("logprobs");
                w.WriteString("finish_reason", CohereFinishReasons.Map(AnthropicJson.String(root, "finish_reason")));
                w.WriteEndObject();
                w.WriteEndArray();
                w.WritePropertyName("usage");
                usage.WriteOpenAIUsage(w);
                w.WriteEndObject();
            }

            return (buffer.WrittenSpan.ToArray(), usage.ToUsage(), null);
        }
    }
}
