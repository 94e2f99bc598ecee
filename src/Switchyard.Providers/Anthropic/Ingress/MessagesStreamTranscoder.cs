using System.Buffers;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic.Ingress;

/// <summary>
/// A streamed chat answer -> Anthropic's event stream, as the Messages API frames it (<c>event: name</c> then
/// <c>data: {...}</c>): message_start on the first chunk (its usage carries the prompt estimate, since the upstream
/// reports usage only at the end), one content block per reasoning run, text run or tool call (content_block_start,
/// thinking_delta, text_delta or input_json_delta, content_block_stop), then message_delta with the stop reason and the upstream's exact usage, and
/// message_stop. Reasoning comes as <c>delta.reasoning_content</c> (or <c>delta.reasoning</c>) and, from translated
/// Anthropic answers, one <c>delta.thinking_blocks</c> entry per finished block: its signature becomes a
/// signature_delta that closes the thinking block, and a redacted block is written whole.
/// </summary>
internal sealed class MessagesStreamTranscoder(string model, long promptEstimate) : IChatStreamTranscoder
{
    private readonly Utf8JsonWriter _json = new(Stream.Null, AnthropicJson.WriterOptions);
    private readonly Dictionary<int, int> _blockOfCall = [];
    private readonly ArrayBufferWriter<byte> _scratch = new(512);
    private string _pendingName = "";
    private bool _started;
    private int _blocks;
    private int _open = -1;
    private BlockKind _openKind;
    private string? _finish;
    private ChatUsage? _usage;

    public void Chunk(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(data);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return; // the chat relay validated its chunks; nothing readable here to translate
        }

        using (document)
        {
            var root = document.RootElement;
            Start(output, AnthropicJson.String(root, "id"), AnthropicJson.String(root, "model"));
            if (AnthropicJson.Get(root, "usage") is { ValueKind: JsonValueKind.Object } usage)
            {
                _usage = ChatUsage.Read(usage);
            }

            if (AnthropicJson.Get(root, "choices") is not { ValueKind: JsonValueKind.Array } choices || choices.GetArrayLength() == 0)
            {
                return;
            }

            var choice = choices[0];
            var delta = AnthropicJson.Get(choice, "delta");
            if (ChatToMessages.Reasoning(delta) is { Length: > 0 } reasoning)
            {
                Thinking(output, reasoning);
            }

            if (AnthropicJson.Get(delta, "thinking_blocks") is { ValueKind: JsonValueKind.Array } blocks)
            {
                foreach (var block in blocks.EnumerateArray())
                {
                    ThinkingBlock(output, block);
                }
            }

            if (AnthropicJson.String(delta, "content") is { Length: > 0 } text)
            {
                Text(output, text);
            }

            if (AnthropicJson.Get(delta, "tool_calls") is { ValueKind: JsonValueKind.Array } calls)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    ToolCall(output, call);
                }
            }

            if (AnthropicJson.String(choice, "finish_reason") is { } finish)
            {
                _finish = finish;
            }
        }
    }

    public void Done(IBufferWriter<byte> output)
    {
        Start(output, null, null);
        CloseBlock(output);
        var (stop, _) = ChatToMessages.StopReason(_finish);
        Begin("message_delta");
        _json.WriteStartObject("delta");
        _json.WriteString("stop_reason", stop);
        _json.WriteNull("stop_sequence");
        _json.WriteEndObject();
        _json.WritePropertyName("usage");
        var usage = _usage ?? new ChatUsage(promptEstimate, 0, 0);
        ChatToMessages.WriteUsage(_json, usage);
        End(output);
        Begin("message_stop");
        End(output);
    }

    public void Error(FailureSummary summary, IBufferWriter<byte> output) => MessagesCodec.WriteErrorEvent(output, summary);

    public void Dispose() => _json.Dispose();

    private void Start(IBufferWriter<byte> output, string? id, string? upstreamModel)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        Begin("message_start");
        _json.WriteStartObject("message");
        _json.WriteString("id", ChatToMessages.MessageId(id));
        _json.WriteString("type", "message");
        _json.WriteString("role", "assistant");
        _json.WriteString("model", upstreamModel ?? model);
        _json.WriteStartArray("content");
        _json.WriteEndArray();
        _json.WriteNull("stop_reason");
        _json.WriteNull("stop_sequence");
        _json.WritePropertyName("usage");
        ChatToMessages.WriteUsage(_json, new ChatUsage(promptEstimate, 1, 0));
        _json.WriteEndObject();
        End(output);
    }

    private void Text(IBufferWriter<byte> output, string text)
    {
        if (_open < 0 || _openKind != BlockKind.Text)
        {
            CloseBlock(output);
            _open = _blocks++;
            _openKind = BlockKind.Text;
            Begin("content_block_start");
            _json.WriteNumber("index", _open);
            _json.WriteStartObject("content_block");
            _json.WriteString("type", "text");
            _json.WriteString("text", "");
            _json.WriteEndObject();
            End(output);
        }

        Begin("content_block_delta");
        _json.WriteNumber("index", _open);
        _json.WriteStartObject("delta");
        _json.WriteString("type", "text_delta");
        _json.WriteString("text", text);
        _json.WriteEndObject();
        End(output);
    }

    private void Thinking(IBufferWriter<byte> output, string text)
    {
        if (_open < 0 || _openKind != BlockKind.Thinking)
        {
            CloseBlock(output);
            _open = _blocks++;
            _openKind = BlockKind.Thinking;
            Begin("content_block_start");
            _json.WriteNumber("index", _open);
            _json.WriteStartObject("content_block");
            _json.WriteString("type", "thinking");
            _json.WriteString("thinking", "");
            _json.WriteString("signature", "");
            _json.WriteEndObject();
            End(output);
        }

        Begin("content_block_delta");
        _json.WriteNumber("index", _open);
        _json.WriteStartObject("delta");
        _json.WriteString("type", "thinking_delta");
        _json.WriteString("thinking", text);
        _json.WriteEndObject();
        End(output);
    }

    /// <summary>
    /// A finished block from <c>delta.thinking_blocks</c>: a thinking block's text was already streamed as reasoning
    /// when a thinking block is open (only its signature is added), else it is written here; either way it is closed,
    /// so the next reasoning starts a new block.
    /// </summary>
    private void ThinkingBlock(IBufferWriter<byte> output, JsonElement block)
    {
        switch (AnthropicJson.String(block, "type"))
        {
            case "thinking":
                if (_open < 0 || _openKind != BlockKind.Thinking)
                {
                    Thinking(output, AnthropicJson.String(block, "thinking") ?? "");
                }

                if (AnthropicJson.String(block, "signature") is { Length: > 0 } signature)
                {
                    Begin("content_block_delta");
                    _json.WriteNumber("index", _open);
                    _json.WriteStartObject("delta");
                    _json.WriteString("type", "signature_delta");
                    _json.WriteString("signature", signature);
                    _json.WriteEndObject();
                    End(output);
                }

                CloseBlock(output);
                break;
            case "redacted_thinking":
                CloseBlock(output);
                _open = _blocks++;
                _openKind = BlockKind.RedactedThinking;
                Begin("content_block_start");
                _json.WriteNumber("index", _open);
                _json.WriteStartObject("content_block");
                _json.WriteString("type", "redacted_thinking");
                _json.WriteString("data", AnthropicJson.String(block, "data") ?? "");
                _json.WriteEndObject();
                End(output);
                CloseBlock(output);
                break;
        }
    }

    private void ToolCall(IBufferWriter<byte> output, JsonElement call)
    {
        var index = AnthropicJson.Get(call, "index") is { ValueKind: JsonValueKind.Number } i && i.TryGetInt32(out var n) ? n : 0;
        var function = AnthropicJson.Get(call, "function");
        if (!_blockOfCall.TryGetValue(index, out var block))
        {
            CloseBlock(output);
            block = _open = _blocks++;
            _openKind = BlockKind.Tool;
            _blockOfCall[index] = block;
            Begin("content_block_start");
            _json.WriteNumber("index", block);
            _json.WriteStartObject("content_block");
            _json.WriteString("type", "tool_use");
            _json.WriteString("id", AnthropicJson.String(call, "id") ?? $"toolu_{index}");
            _json.WriteString("name", AnthropicJson.String(function, "name") ?? "");
            _json.WriteStartObject("input");
            _json.WriteEndObject();
            _json.WriteEndObject();
            End(output);
        }

        if (AnthropicJson.String(function, "arguments") is { Length: > 0 } arguments)
        {
            Begin("content_block_delta");
            _json.WriteNumber("index", block);
            _json.WriteStartObject("delta");
            _json.WriteString("type", "input_json_delta");
            _json.WriteString("partial_json", arguments);
            _json.WriteEndObject();
            End(output);
        }
    }

    private void CloseBlock(IBufferWriter<byte> output)
    {
        if (_open < 0)
        {
            return;
        }

        Begin("content_block_stop");
        _json.WriteNumber("index", _open);
        End(output);
        _open = -1;
    }

    private void Begin(string name)
    {
        _pendingName = name;
        _json.Reset(_scratch);
        _scratch.ResetWrittenCount();
        _json.WriteStartObject();
        _json.WriteString("type", name);
    }

    private void End(IBufferWriter<byte> output)
    {
        _json.WriteEndObject();
        _json.Flush();
        SseEvents.Write(output, _pendingName, _scratch.WrittenSpan);
    }
}

/// <summary>What the open content block holds.</summary>
internal enum BlockKind
{
    Text,
    Thinking,
    RedactedThinking,
    Tool,
}

/// <summary>Named SSE events as Anthropic writes them.</summary>
internal static class SseEvents
{
    public static void Write(IBufferWriter<byte> output, string name, ReadOnlySpan<byte> json)
    {
        Append(output, "event: "u8);
        var nameBytes = output.GetSpan(name.Length);
        var written = System.Text.Encoding.UTF8.GetBytes(name, nameBytes);
        output.Advance(written);
        Append(output, "\ndata: "u8);
        Append(output, json);
        Append(output, "\n\n"u8);
    }

    private static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }
}
