using System.Buffers;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// ConverseStream events -> OpenAI chunks: messageStart the role chunk, contentBlockStart with toolUse a tool call's
/// start (id and name), contentBlockDelta text, reasoningContent and toolUse input fragments as deltas, messageStop
/// the finish chunk, metadata the usage; an exception message (<c>:message-type exception</c>: throttlingException,
/// modelStreamErrorException, validationException, ...) breaks the stream as a classified failure.
/// </summary>
internal sealed class BedrockStreamTranslator(string model, string id, long created, bool includeUsage) : IStreamStart<EventStreamMessage>
{
    private readonly AnthropicChunkWriter _writer = new(id, model, created);
    private readonly Dictionary<int, int> _toolIndexes = [];
    private bool _started;

    public BedrockUsage Usage { get; } = new();

    /// <summary>Whether messageStop arrived.</summary>
    public bool Finished { get; private set; }

    /// <summary>The failure an exception message means, else null.</summary>
    public static UpstreamFailure? Failure(EventStreamMessage message)
    {
        if (message.Header(":message-type") is "exception" or "error")
        {
            var type = message.Header(":exception-type") ?? message.Header(":error-code");
            var name = type is { Length: > 0 } ? char.ToUpperInvariant(type[0]) + type[1..] : null;
            var failure = BedrockErrors.Classify(name == "ThrottlingException" ? 429 : 500, name, message.Payload);
            return failure with { Detail = $"sent a {type ?? "stream"} exception event" };
        }

        return null;
    }

    public void Handle(EventStreamMessage message, IBufferWriter<byte> output, out UpstreamFailure? failure)
    {
        failure = Failure(message);
        if (failure is not null)
        {
            failure = failure with { Detail = "stream broke after it started: " + failure.Detail };
            return;
        }

        using var document = JsonDocument.Parse(message.Payload);
        var root = document.RootElement;
        if (!_started)
        {
            _writer.WriteRole(output);
            _started = true;
        }

        switch (message.Header(":event-type"))
        {
            case "contentBlockStart":
                if (AnthropicJson.Get(AnthropicJson.Get(root, "start"), "toolUse") is { ValueKind: JsonValueKind.Object } use)
                {
                    var index = _toolIndexes.Count;
                    _toolIndexes[Index(root)] = index;
                    _writer.WriteToolCallStart(output, index, AnthropicJson.String(use, "toolUseId") ?? "", AnthropicJson.String(use, "name") ?? "");
                }

                break;
            case "contentBlockDelta":
                var delta = AnthropicJson.Get(root, "delta");
                if (AnthropicJson.String(delta, "text") is { Length: > 0 } text)
                {
                    _writer.WriteText(output, text);
                }
                else if (AnthropicJson.String(AnthropicJson.Get(delta, "reasoningContent"), "text") is { Length: > 0 } reasoning)
                {
                    _writer.WriteReasoning(output, reasoning);
                }
                else if (AnthropicJson.String(AnthropicJson.Get(delta, "toolUse"), "input") is { } input && _toolIndexes.TryGetValue(Index(root), out var tool))
                {
                    _writer.WriteToolArguments(output, tool, input);
                }

                break;
            case "messageStop":
                Finished = true;
                _writer.WriteFinish(output, BedrockStopReasons.Map(AnthropicJson.String(root, "stopReason")));
                break;
            case "metadata":
                Usage.Observe(AnthropicJson.Get(root, "usage"));
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

    bool IStreamTranslator<EventStreamMessage>.EndsAtFinish => false;

    string IStreamTranslator<EventStreamMessage>.UnfinishedDetail => "stream ended before messageStop";

    string IStreamTranslator<EventStreamMessage>.InvalidFrameDetail => "sent an event that is not valid JSON";

    Usage IStreamTranslator<EventStreamMessage>.SeenUsage() => Usage.ToUsage();

    bool IStreamStart<EventStreamMessage>.IsBlank(EventStreamMessage frame) => false;

    UpstreamFailure? IStreamStart<EventStreamMessage>.StartFailure(EventStreamMessage first) => Failure(first);

    bool IStreamTranslator<EventStreamMessage>.Translate(EventStreamMessage frame, IBufferWriter<byte> output, out UpstreamFailure? failure)
    {
        Handle(frame, output, out failure);
        return true;
    }

    bool IStreamTranslator<EventStreamMessage>.Complete(IBufferWriter<byte> output)
    {
        Complete(output);
        return true;
    }

    private static int Index(JsonElement root)
        => AnthropicJson.Get(root, "contentBlockIndex") is { ValueKind: JsonValueKind.Number } i && i.TryGetInt32(out var n) ? n : 0;
}
