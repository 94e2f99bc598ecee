using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Gemini stream chunks (each a whole <c>GenerateContentResponse</c>, as <c>streamGenerateContent?alt=sse</c> sends
/// them) -> OpenAI chunks: the first gives the role chunk, text parts content deltas, thought parts reasoning_content
/// deltas, each functionCall part one whole tool call, the finishReason the finish chunk; the stream's end the usage
/// chunk (when asked for) and [DONE]. An error object or a blocked prompt breaks the stream. Writes whole SSE events only.
/// </summary>
internal sealed class GeminiStreamTranslator(string fallbackModel, long created, bool includeUsage) : IStreamStart<SseItem<byte[]>>
{
    private AnthropicChunkWriter? _writer;
    private int _calls;

    public GeminiUsage Usage { get; } = new();

    /// <summary>Whether a finishReason arrived (the stream may end cleanly after it).</summary>
    public bool Finished { get; private set; }

    /// <summary>The failure <paramref name="data"/> means when it is an error object or a blocked prompt; else null.</summary>
    public static UpstreamFailure? Failure(ReadOnlySpan<byte> data)
    {
        try
        {
            var reader = new Utf8JsonReader(data);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new UpstreamFailure(FailureKind.InvalidResponse, 200, "sent a stream event that is not a JSON object");
            }

            if (root.TryGetProperty("error", out _))
            {
                var error = GeminiErrors.FromBody(500, data);
                return error with { Detail = $"sent an error event ({error.UpstreamCode ?? "unknown status"})" };
            }

            return GeminiBlocked.Check(root);
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.InvalidResponse, 200, "sent a stream event that is not valid JSON");
        }
    }

    /// <summary>Translates one event; returns whether anything was written. <paramref name="failure"/> is set (nothing written) when it breaks the stream.</summary>
    public bool Handle(SseItem<byte[]> item, IBufferWriter<byte> output, out UpstreamFailure? failure)
    {
        failure = null;
        if (item.Data.AsSpan().Trim(" \r\n\t"u8).IsEmpty)
        {
            return false;
        }

        if (Failure(item.Data) is { } broken)
        {
            failure = broken with { Detail = "stream broke after it started: " + broken.Detail };
            return false;
        }

        using var document = JsonDocument.Parse(item.Data);
        var root = document.RootElement;
        Usage.Observe(AnthropicJson.Get(root, "usageMetadata"));
        var wrote = false;
        if (_writer is null)
        {
            _writer = new AnthropicChunkWriter("chatcmpl-" + (AnthropicJson.String(root, "responseId") ?? "gemini"), AnthropicJson.String(root, "modelVersion") ?? fallbackModel, created);
            _writer.WriteRole(output);
            wrote = true;
        }

        var candidate = GeminiResponseTranslator.Items(AnthropicJson.Get(root, "candidates")).FirstOrDefault();
        foreach (var part in GeminiResponseTranslator.Items(AnthropicJson.Get(AnthropicJson.Get(candidate, "content"), "parts")))
        {
            wrote |= Part(part, output);
        }

        if (!Finished && AnthropicJson.String(candidate, "finishReason") is { } finish)
        {
            _writer.WriteFinish(output, GeminiFinishReasons.Map(finish, _calls > 0));
            Finished = true;
            wrote = true;
        }

        return wrote;
    }

    /// <summary>The end of a finished stream: the usage chunk when the caller asked for it, then [DONE].</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        if (includeUsage && _writer is not null)
        {
            _writer.WriteUsage(output, Usage.WriteOpenAIUsage);
        }

        AnthropicChunkWriter.WriteDone(output);
    }

    public void Dispose() => _writer?.Dispose();

    bool IStreamTranslator<SseItem<byte[]>>.EndsAtFinish => false;

    string IStreamTranslator<SseItem<byte[]>>.UnfinishedDetail => "stream ended before a finishReason";

    string IStreamTranslator<SseItem<byte[]>>.InvalidFrameDetail => "sent an event that is not valid";

    Usage IStreamTranslator<SseItem<byte[]>>.SeenUsage() => Usage.ToUsage();

    bool IStreamStart<SseItem<byte[]>>.IsBlank(SseItem<byte[]> frame) => frame.Data.AsSpan().Trim(" \r\n\t"u8).IsEmpty;

    UpstreamFailure? IStreamStart<SseItem<byte[]>>.StartFailure(SseItem<byte[]> first) => Failure(first.Data);

    bool IStreamTranslator<SseItem<byte[]>>.Translate(SseItem<byte[]> frame, IBufferWriter<byte> output, out UpstreamFailure? failure)
    {
        Handle(frame, output, out failure);
        return true; // every event is flushed, written or not
    }

    bool IStreamTranslator<SseItem<byte[]>>.Complete(IBufferWriter<byte> output)
    {
        Complete(output);
        return true;
    }

    private bool Part(JsonElement part, IBufferWriter<byte> output)
    {
        if (AnthropicJson.Get(part, "functionCall") is { ValueKind: JsonValueKind.Object } call)
        {
            var index = _calls++;
            _writer!.WriteToolCallStart(output, index, GeminiToolCallIds.Create(AnthropicJson.String(call, "id"), AnthropicJson.String(part, "thoughtSignature")), AnthropicJson.String(call, "name") ?? "");
            _writer.WriteToolArguments(output, index, GeminiResponseTranslator.Arguments(call));
            return true;
        }

        if (AnthropicJson.String(part, "text") is not { Length: > 0 } text)
        {
            return false;
        }

        if (AnthropicJson.Get(part, "thought").ValueKind == JsonValueKind.True)
        {
            _writer!.WriteReasoning(output, text);
        }
        else
        {
            _writer!.WriteText(output, text);
        }

        return true;
    }
}
