using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// A Converse answer (<c>{"output":{"message":{"content":[…]}},"stopReason":…,"usage":{…}}</c>) -> an OpenAI
/// chat.completion: text blocks joined into content, reasoningContent into reasoning_content, toolUse blocks into
/// tool_calls (the toolUseId kept as the call id), the stop reason mapped, usage with cache reads.
/// </summary>
internal static class BedrockResponseTranslator
{
    public static (byte[]? Body, Usage? Usage, UpstreamFailure? Failure) Translate(ReadOnlyMemory<byte> payload, string model, string id, long created)
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
            var content = AnthropicJson.Get(AnthropicJson.Get(AnthropicJson.Get(root, "output"), "message"), "content");
            if (content.ValueKind != JsonValueKind.Array)
            {
                return (null, null, new UpstreamFailure(FailureKind.InvalidResponse, 200, "answered 200 without output.message.content"));
            }

            var usage = new BedrockUsage();
            usage.Observe(AnthropicJson.Get(root, "usage"));
            var text = new StringBuilder();
            var reasoning = new StringBuilder();
            var calls = new List<JsonElement>();
            foreach (var block in content.EnumerateArray())
            {
                if (AnthropicJson.String(block, "text") is { } t)
                {
                    text.Append(t);
                }
                else if (AnthropicJson.String(AnthropicJson.Get(AnthropicJson.Get(block, "reasoningContent"), "reasoningText"), "text") is { } r)
                {
                    reasoning.Append(r);
                }
                else if (AnthropicJson.Get(block, "toolUse") is { ValueKind: JsonValueKind.Object } use)
                {
                    calls.Add(use);
                }
            }

            var buffer = new ArrayBufferWriter<byte>(payload.Length + 256);
            using (var w = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("id", id);
                w.WriteString("object", "chat.completion");
                w.WriteNumber("created", created);
                w.WriteString("model", model);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", text.Length > 0 ? text.ToString() : null);
                if (reasoning.Length > 0)
                {
                    w.WriteString("reasoning_content", reasoning.ToString());
                }

                if (calls.Count > 0)
                {
                    w.WriteStartArray("tool_calls");
                    foreach (var call in calls)
                    {
                        w.WriteStartObject();
                        w.WriteString("id", AnthropicJson.String(call, "toolUseId") ?? "");
                        w.WriteString("type", "function");
                        w.WriteStartObject("function");
                        w.WriteString("name", AnthropicJson.String(call, "name") ?? "");
                        w.WriteString("arguments", AnthropicJson.Get(call, "input") is { ValueKind: JsonValueKind.Object } input ? input.GetRawText() : "{}");
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
                w.WriteNull("logprobs");
                w.WriteString("finish_reason", BedrockStopReasons.Map(AnthropicJson.String(root, "stopReason")));
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
