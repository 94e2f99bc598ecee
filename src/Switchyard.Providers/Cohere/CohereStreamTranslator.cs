using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// Cohere v2 chat stream events -> OpenAI chunks: message-start the role chunk, content-delta text, tool-plan-delta
/// reasoning, tool-call-start a tool call's id and name, tool-call-delta its argument fragments, message-end the finish
/// chunk and the usage (content-start, content-end, tool-call-end and citation events carry nothing to relay). An
/// event that names no type but a <c>message</c> is an error Cohere sent in the stream.
/// </summary>
internal sealed class CohereStreamTranslator(string model, string id, long created, bool includeUsage) : IStreamStart<SseItem<byte[]>>
{
    private readonly AnthropicChunkWriter _writer = new(id, model, created);
    private readonly Dictionary<int, int> _toolIndexes = [];
    private bool _started;

    public CohereUsage Usage { get; } = new();

    /// <summary>Whether message-end arrived.</summary>
    public bool Finished { get; private set; }

    /// <summary>The failure an error event means, else null.</summary>
    public static UpstreamFailure? Failure(SseItem<byte[]> item)
    {
        using var document = JsonDocument.Parse(item.Data);
        var root = document.RootElement;
        if (item.EventType == "error" || (AnthropicJson.String(root, "type") is null && AnthropicJson.String(root, "message") is not null))
        {
            var status = AnthropicJson.Get(root, "status_code") is { ValueKind: JsonValueKind.Number } s && s.TryGetInt32(out var code) ? code : 500;
            return CohereErrors.Classify(status, item.Data) with { Detail = "sent an error event" };
        }

        return null;
    }

    public void Handle(SseItem<byte[]> item, IBufferWriter<byte> output, out UpstreamFailure? failure)
    {
        failure = Failure(item);
        if (failure is not null)
        {
            failure = failure with { Detail = "stream broke after it started: " + failure.Detail };
            return;
        }

        using var document = JsonDocument.Parse(item.Data);
        var root = document.RootElement;
        if (!_started)
        {
            _writer.WriteRole(output);
            _started = true;
        }

        var message = AnthropicJson.Get(AnthropicJson.Get(root, "delta"), "message");
        switch (AnthropicJson.String(root, "type") ?? item.EventType)
        {
            case "content-delta":
                if (AnthropicJson.String(AnthropicJson.Get(message, "content"), "text") is { Length: > 0 } text)
                {
                    _writer.WriteText(output, text);
                }

                break;
            case "tool-plan-delta":
                if (AnthropicJson.String(message, "tool_plan") is { Length: > 0 } plan)
                {
                    _writer.WriteReasoning(output, plan);
                }

                break;
            case "tool-call-start":
                var call = AnthropicJson.Get(message, "tool_calls");
                var function = AnthropicJson.Get(call, "function");
                var index = _toolIndexes.Count;
                _toolIndexes[Index(root)] = index;
                _writer.WriteToolCallStart(output, index, AnthropicJson.String(call, "id") ?? "", AnthropicJson.String(function, "name") ?? "");
                if (AnthropicJson.String(function, "arguments") is { Length: > 0 } first)
                {
                    _writer.WriteToolArguments(output, index, first);
                }

                break;
            case "tool-call-delta":
                if (AnthropicJson.String(AnthropicJson.Get(AnthropicJson.Get(message, "tool_calls"), "function"), "arguments") is { Length: > 0 } fragment
                    && _toolIndexes.TryGetValue(Index(root), out var tool))
                {
                    _writer.WriteToolArguments(output, tool, fragment);
                }

                break;
            case "message-end":
                var delta = AnthropicJson.Get(root, "delta");
                Usage.Observe(AnthropicJson.Get(delta, "usage"));
                Finished = true;
                _writer.WriteFinish(output, CohereFinishReasons.Map(AnthropicJson.String(delta, "finish_reason")));
                break;
        }
    }

    public void Complete(IBufferWriter<byte> output)
    {
        if (includeUsage)
        {
            _writer.WriteUsage(output, Usage.WriteOpenAIUsage);
        }

        AnthropicChunkWriter.WriteDone(output);
    }

    public void Dispose() => _writer.Dispose();

    bool IStreamTranslator<SseItem<byte[]>>.EndsAtFinish => false;

    string IStreamTranslator<SseItem<byte[]>>.UnfinishedDetail => "stream ended before message-end";

    string IStreamTranslator<SseItem<byte[]>>.InvalidFrameDetail => "sent an event that is not valid";

    Usage IStreamTranslator<SseItem<byte[]>>.SeenUsage() => Usage.ToUsage();

    bool IStreamStart<SseItem<byte[]>>.IsBlank(SseItem<byte[]> frame) => frame.Data.AsSpan().Trim(" \r\n\t"u8).IsEmpty;

    UpstreamFailure? IStreamStart<SseItem<byte[]>>.StartFailure(SseItem<byte[]> first) => Failure(first);

    bool IStreamTranslator<SseItem<byte[]>>.Translate(SseItem<byte[]> frame, IBufferWriter<byte> output, out UpstreamFailure? failure)
    {
        Handle(frame, output, out failure);
        return true;
    }

    bool IStreamTranslator<SseItem<byte[]>>.Complete(IBufferWriter<byte> output)
    {
        Complete(output);
        return true;
    }

    private static int Index(JsonElement root)
        => AnthropicJson.Get(root, "index") is { ValueKind: JsonValueKind.Number } i && i.TryGetInt32(out var n) ? n : 0;
}
