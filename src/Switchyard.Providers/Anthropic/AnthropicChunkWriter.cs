using System.Buffers;
using System.Text.Json;

namespace Switchyard.Providers.Anthropic;

/// <summary>Writes OpenAI <c>chat.completion.chunk</c> SSE events (<c>data: {...}\n\n</c>) and the final <c>[DONE]</c>.</summary>
internal sealed class AnthropicChunkWriter(string id, string model, long created) : IDisposable
{
    private readonly Utf8JsonWriter _json = new(Stream.Null, AnthropicJson.WriterOptions);

    public void WriteRole(IBufferWriter<byte> output)
    {
        Begin(output, "assistant");
        _json.WriteString("content", "");
        End(output, null);
    }

    public void WriteText(IBufferWriter<byte> output, string text)
    {
        Begin(output, null);
        _json.WriteString("content", text);
        End(output, null);
    }

    /// <summary>A piece of the model's thinking, as <c>delta.reasoning_content</c>.</summary>
    public void WriteReasoning(IBufferWriter<byte> output, string text)
    {
        Begin(output, null);
        _json.WriteString("reasoning_content", text);
        End(output, null);
    }

    /// <summary>
    /// A finished thinking block with its signature (or a redacted one with its data) as <c>delta.thinking_blocks</c>,
    /// so the caller can send it back on the assistant message of a tool loop.
    /// </summary>
    public void WriteThinkingBlock(IBufferWriter<byte> output, string type, string value, string? signature)
    {
        Begin(output, null);
        _json.WriteStartArray("thinking_blocks");
        _json.WriteStartObject();
        _json.WriteString("type", type);
        if (type == "thinking")
        {
            _json.WriteString("thinking", value);
            _json.WriteString("signature", signature ?? "");
        }
        else
        {
            _json.WriteString("data", value);
        }

        _json.WriteEndObject();
        _json.WriteEndArray();
        End(output, null);
    }

    /// <summary>The first delta of a tool call: index, id, type and name, with empty arguments.</summary>
    public void WriteToolCallStart(IBufferWriter<byte> output, int index, string callId, string name)
    {
        Begin(output, null);
        _json.WriteStartArray("tool_calls");
        _json.WriteStartObject();
        _json.WriteNumber("index", index);
        _json.WriteString("id", callId);
        _json.WriteString("type", "function");
        _json.WriteStartObject("function");
        _json.WriteString("name", name);
        _json.WriteString("arguments", "");
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteEndArray();
        End(output, null);
    }

    public void WriteToolArguments(IBufferWriter<byte> output, int index, string fragment)
    {
        Begin(output, null);
        _json.WriteStartArray("tool_calls");
        _json.WriteStartObject();
        _json.WriteNumber("index", index);
        _json.WriteStartObject("function");
        _json.WriteString("arguments", fragment);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteEndArray();
        End(output, null);
    }

    public void WriteFinish(IBufferWriter<byte> output, string finishReason)
    {
        Begin(output, null);
        End(output, finishReason);
    }

    /// <summary>The usage chunk OpenAI sends last when stream_options.include_usage is set: no choices.</summary>
    public void WriteUsage(IBufferWriter<byte> output, AnthropicTokenCounter tokens)
    {
        StartChunk(output);
        _json.WriteStartArray("choices");
        _json.WriteEndArray();
        _json.WritePropertyName("usage");
        tokens.WriteOpenAIUsage(_json);
        EndChunk(output);
    }

    /// <summary>The usage chunk, with the usage object written by <paramref name="writeUsage"/> (another provider's counter).</summary>
    public void WriteUsage(IBufferWriter<byte> output, Action<Utf8JsonWriter> writeUsage)
    {
        ArgumentNullException.ThrowIfNull(writeUsage);
        StartChunk(output);
        _json.WriteStartArray("choices");
        _json.WriteEndArray();
        _json.WritePropertyName("usage");
        writeUsage(_json);
        EndChunk(output);
    }

    public static void WriteDone(IBufferWriter<byte> output) => output.Write("data: [DONE]\n\n"u8);

    public void Dispose() => _json.Dispose();

    private void StartChunk(IBufferWriter<byte> output)
    {
        output.Write("data: "u8);
        _json.Reset(output);
        _json.WriteStartObject();
        _json.WriteString("id", id);
        _json.WriteString("object", "chat.completion.chunk");
        _json.WriteNumber("created", created);
        _json.WriteString("model", model);
    }

    private void EndChunk(IBufferWriter<byte> output)
    {
        _json.WriteEndObject();
        _json.Flush();
        output.Write("\n\n"u8);
    }

    private void Begin(IBufferWriter<byte> output, string? role)
    {
        StartChunk(output);
        _json.WriteStartArray("choices");
        _json.WriteStartObject();
        _json.WriteNumber("index", 0);
        _json.WriteStartObject("delta");
        if (role is not null)
        {
            _json.WriteString("role", role);
        }
    }

    private void End(IBufferWriter<byte> output, string? finishReason)
    {
        _json.WriteEndObject();
        _json.WriteNull("logprobs");
        _json.WriteString("finish_reason", finishReason);
        _json.WriteEndObject();
        _json.WriteEndArray();
        EndChunk(output);
    }
}
