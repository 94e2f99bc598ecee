using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Anthropic stream events -> OpenAI chunks, one upstream event at a time: message_start gives the role chunk,
/// text and input_json deltas give content and tool_calls deltas, message_delta the finish reason and output usage,
/// message_stop the optional usage chunk and [DONE]. Thinking deltas become delta.reasoning_content and each finished
/// thinking block one delta.thinking_blocks entry with its signature; the structured-output tool's input_json deltas
/// become content deltas. Each call writes whole SSE events only.
/// </summary>
internal sealed class AnthropicStreamTranslator(string fallbackModel, long created, bool includeUsage, string? jsonTool = null) : IStreamTranslator<SseItem<byte[]>>
{
    private readonly Dictionary<int, int> _toolCalls = [];
    private readonly HashSet<int> _jsonBlocks = [];
    private readonly Dictionary<int, (System.Text.StringBuilder Text, string? Signature)> _thinking = [];
    private AnthropicChunkWriter? _writer;
    private bool _finishWritten;

    public AnthropicTokenCounter Tokens { get; } = new();

    /// <summary>Whether message_stop arrived (and [DONE] was written).</summary>
    public bool Finished { get; private set; }

    /// <summary>
    /// Translates one event; returns whether anything was written (and so wants a flush). <paramref name="failure"/> is
    /// set (and nothing written) when the event breaks the stream: an error event, or one that is not valid.
    /// </summary>
    public bool Handle(SseItem<byte[]> item, IBufferWriter<byte> output, out UpstreamFailure? failure)
    {
        failure = null;
        var type = AnthropicStreamEvents.TypeOf(item);
        if (!AnthropicStreamEvents.IsKnown(type) || type is "ping" || (type is "content_block_stop" && _thinking.Count == 0))
        {
            return false; // keep-alives, block ends and event types added after this adapter was written
        }

        if (type == "error")
        {
            var error = AnthropicStreamErrors.FromEvent(item.Data);
            failure = error with { Detail = "stream broke after it started: " + error.Detail };
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(item.Data);
            return Handle(type, document.RootElement, output);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            failure = new UpstreamFailure(FailureKind.InvalidResponse, 200, $"stream broke after it started: sent a {type} event that is not valid");
            return false;
        }
    }

    public void Dispose() => _writer?.Dispose();

    bool IStreamTranslator<SseItem<byte[]>>.EndsAtFinish => true;

    string IStreamTranslator<SseItem<byte[]>>.UnfinishedDetail => "stream ended without its final message_stop event";

    string IStreamTranslator<SseItem<byte[]>>.InvalidFrameDetail => "sent an event that is not valid";

    Usage IStreamTranslator<SseItem<byte[]>>.SeenUsage() => Tokens.ToUsage();

    bool IStreamTranslator<SseItem<byte[]>>.Translate(SseItem<byte[]> frame, IBufferWriter<byte> output, out UpstreamFailure? failure) => Handle(frame, output, out failure);

    bool IStreamTranslator<SseItem<byte[]>>.Complete(IBufferWriter<byte> output) => false; // message_stop already wrote [DONE]

    private bool Handle(string type, JsonElement root, IBufferWriter<byte> output)
    {
        switch (type)
        {
            case "message_start" when _writer is null:
                var message = root.GetProperty("message");
                Tokens.Observe(AnthropicJson.Get(message, "usage"));
                _writer = new AnthropicChunkWriter(AnthropicJson.String(message, "id") ?? "msg_unknown", AnthropicJson.String(message, "model") ?? fallbackModel, created);
                _writer.WriteRole(output);
                return true;
            case "content_block_start":
                return BlockStart(root.GetProperty("index").GetInt32(), root.GetProperty("content_block"), output);
            case "content_block_delta":
                return BlockDelta(root.GetProperty("index").GetInt32(), root.GetProperty("delta"), output);
            case "content_block_stop":
                if (_thinking.Remove(root.GetProperty("index").GetInt32(), out var thought))
                {
                    Writer.WriteThinkingBlock(output, "thinking", thought.Text.ToString(), thought.Signature);
                    return true;
                }

                return false;
            case "message_delta":
                Tokens.Observe(AnthropicJson.Get(root, "usage"));
                if (AnthropicJson.String(AnthropicJson.Get(root, "delta"), "stop_reason") is not { } stop)
                {
                    return false;
                }

                Writer.WriteFinish(output, _jsonBlocks.Count > 0 && _toolCalls.Count == 0 && stop == "tool_use" ? "stop" : AnthropicFinishReasons.Map(stop));
                _finishWritten = true;
                return true;
            case "message_stop":
                if (!_finishWritten)
                {
                    Writer.WriteFinish(output, "stop");
                    _finishWritten = true;
                }

                if (includeUsage)
                {
                    Writer.WriteUsage(output, Tokens);
                }

                AnthropicChunkWriter.WriteDone(output);
                Finished = true;
                return true;
            default:
                return false;
        }
    }

    private AnthropicChunkWriter Writer => _writer ?? throw new InvalidOperationException("event before message_start");

    private bool BlockStart(int index, JsonElement block, IBufferWriter<byte> output)
    {
        switch (AnthropicJson.String(block, "type"))
        {
            case "tool_use" when jsonTool is not null && AnthropicJson.String(block, "name") == jsonTool && _jsonBlocks.Count == 0:
                _jsonBlocks.Add(index);
                return false;
            case "tool_use":
                var id = AnthropicJson.String(block, "id") ?? throw new InvalidOperationException("tool_use without id");
                var name = AnthropicJson.String(block, "name") ?? throw new InvalidOperationException("tool_use without name");
                var call = _toolCalls.Count;
                _toolCalls[index] = call;
                Writer.WriteToolCallStart(output, call, id, name);
                return true;
            case "text" when AnthropicJson.String(block, "text") is { Length: > 0 } text:
                Writer.WriteText(output, text);
                return true;
            case "thinking":
                var first = AnthropicJson.String(block, "thinking") ?? "";
                _thinking[index] = (new System.Text.StringBuilder(first), AnthropicJson.String(block, "signature"));
                if (first.Length > 0)
                {
                    Writer.WriteReasoning(output, first);
                    return true;
                }

                return false;
            case "redacted_thinking" when AnthropicJson.String(block, "data") is { Length: > 0 } data:
                Writer.WriteThinkingBlock(output, "redacted_thinking", data, null);
                return true;
            default:
                return false; // server tool blocks have no OpenAI counterpart
        }
    }

    private bool BlockDelta(int index, JsonElement delta, IBufferWriter<byte> output)
    {
        switch (AnthropicJson.String(delta, "type"))
        {
            case "text_delta" when AnthropicJson.String(delta, "text") is { Length: > 0 } text:
                Writer.WriteText(output, text);
                return true;
            case "input_json_delta" when _jsonBlocks.Contains(index) && AnthropicJson.String(delta, "partial_json") is { Length: > 0 } json:
                Writer.WriteText(output, json);
                return true;
            case "thinking_delta" when _thinking.TryGetValue(index, out var thought) && AnthropicJson.String(delta, "thinking") is { Length: > 0 } thinking:
                thought.Text.Append(thinking);
                Writer.WriteReasoning(output, thinking);
                return true;
            case "signature_delta" when _thinking.TryGetValue(index, out var signed) && AnthropicJson.String(delta, "signature") is { } signature:
                _thinking[index] = (signed.Text, signature);
                return false;
            case "input_json_delta" when _toolCalls.TryGetValue(index, out var call) && AnthropicJson.String(delta, "partial_json") is { Length: > 0 } arguments:
                Writer.WriteToolArguments(output, call, arguments);
                return true;
            default:
                return false;
        }
    }
}
