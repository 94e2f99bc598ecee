using System.Buffers;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.OpenAI.Responses;

/// <summary>
/// Streamed chat chunks in, the Responses event stream out (<c>event:</c> line, <c>data:</c> JSON with type and
/// sequence_number): response.created and response.in_progress on the first chunk; output_item.added,
/// content_part.added and output_text.delta for text; reasoning_summary_* for <c>reasoning_content</c>;
/// function_call_arguments.delta for tool calls; the matching .done events, then response.completed (or
/// response.incomplete) with the whole response and its usage.
/// </summary>
internal sealed class ResponsesStreamTranscoder(ResponseDraft draft) : IChatStreamTranscoder, IResponsesCapture
{
    private readonly Dictionary<int, FunctionCallItem> _calls = [];
    private long _sequence;
    private bool _started;
    private MessageItem? _message;
    private ReasoningItem? _reasoning;
    private string? _finish;

    public ReadOnlyMemory<byte>? CompletedResponse { get; private set; }

    public void Chunk(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        using var doc = JsonDocument.Parse(data.ToArray());
        var root = doc.RootElement;
        if (!_started)
        {
            _started = true;
            if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
            {
                draft.Model = model.GetString()!;
            }

            WriteResponseEvent(output, "response.created");
            WriteResponseEvent(output, "response.in_progress");
        }

        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            var raw = System.Text.Encoding.UTF8.GetBytes(usage.GetRawText());
            var r = new Utf8JsonReader(raw);
            r.Read();
            draft.ReadChatUsage(ref r);
        }

        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String)
            {
                _finish = f.GetString();
            }

            if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (delta.TryGetProperty("reasoning_content", out var thought) && thought.ValueKind == JsonValueKind.String && thought.GetString() is { Length: > 0 } t)
            {
                Reasoning(t, output);
            }

            if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 } text)
            {
                Text(text, output);
            }

            if (delta.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String)
            {
                CloseReasoning(output);
                OpenMessage(output);
                _message!.Refusal += refusal.GetString();
            }

            if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    ToolCall(call, output);
                }
            }
        }
    }

    public void Done(IBufferWriter<byte> output)
    {
        if (!_started)
        {
            _started = true;
            WriteResponseEvent(output, "response.created");
            WriteResponseEvent(output, "response.in_progress");
        }

        draft.Finish(_finish);
        var status = draft.Status == "completed" ? "completed" : "incomplete";
        CloseReasoning(output, status);
        CloseMessage(output, status);
        foreach (var call in _calls.Values)
        {
            CloseCall(call, output, status);
        }

        if (draft.Output.Count == 0)
        {
            OpenMessage(output);
            CloseMessage(output, status);
        }

        CompletedResponse = ResponsesCodec.Write(draft);
        WriteResponseEvent(output, status == "completed" ? "response.completed" : "response.incomplete");
    }

    private void Reasoning(string text, IBufferWriter<byte> output)
    {
        if (_reasoning is null)
        {
            _reasoning = new ReasoningItem(ResponseDraft.NewId("rs_"));
            draft.Output.Add(_reasoning);
            WriteItemEvent(output, "response.output_item.added", _reasoning);
            Write(output, "response.reasoning_summary_part.added", w =>
            {
                ItemFields(w, _reasoning);
                w.WriteNumber("summary_index", 0);
                w.WritePropertyName("part");
                ReasoningItem.WriteSummaryPart(w, "");
            });
        }

        _reasoning.Text.Append(text);
        Write(output, "response.reasoning_summary_text.delta", w =>
        {
            ItemFields(w, _reasoning);
            w.WriteNumber("summary_index", 0);
            w.WriteString("delta", text);
        });
    }

    private void CloseReasoning(IBufferWriter<byte> output, string status = "completed")
    {
        if (_reasoning is not { Status: "in_progress" } item)
        {
            return;
        }

        var text = item.Text.ToString();
        Write(output, "response.reasoning_summary_text.done", w =>
        {
            ItemFields(w, item);
            w.WriteNumber("summary_index", 0);
            w.WriteString("text", text);
        });
        Write(output, "response.reasoning_summary_part.done", w =>
        {
            ItemFields(w, item);
            w.WriteNumber("summary_index", 0);
            w.WritePropertyName("part");
            ReasoningItem.WriteSummaryPart(w, text);
        });
        item.Status = status;
        WriteItemEvent(output, "response.output_item.done", item);
    }

    private void Text(string text, IBufferWriter<byte> output)
    {
        CloseReasoning(output);
        OpenMessage(output);
        var item = _message!;
        item.Text.Append(text);
        Write(output, "response.output_text.delta", w =>
        {
            ItemFields(w, item);
            w.WriteNumber("content_index", 0);
            w.WriteString("delta", text);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
        });
    }

    private void OpenMessage(IBufferWriter<byte> output)
    {
        if (_message is { Status: "in_progress" })
        {
            return;
        }

        var item = new MessageItem(ResponseDraft.NewId("msg_"));
        _message = item;
        draft.Output.Add(item);
        Write(output, "response.output_item.added", w =>
        {
            w.WriteNumber("output_index", draft.Output.IndexOf(item));
            w.WriteStartObject("item");
            w.WriteString("id", item.Id);
            w.WriteString("type", "message");
            w.WriteString("status", "in_progress");
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteEndObject();
        });
        Write(output, "response.content_part.added", w =>
        {
            ItemFields(w, item);
            w.WriteNumber("content_index", 0);
            w.WritePropertyName("part");
            MessageItem.WriteTextPart(w, "");
        });
    }

    private void CloseMessage(IBufferWriter<byte> output, string status = "completed")
    {
        if (_message is not { Status: "in_progress" } item)
        {
            return;
        }

        var text = item.Text.ToString();
        Write(output, "response.output_text.done", w =>
        {
            ItemFields(w, item);
            w.WriteNumber("content_index", 0);
            w.WriteString("text", text);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
        });
        Write(output, "response.content_part.done", w =>
        {
            ItemFields(w, item);
            w.WriteNumber("content_index", 0);
            w.WritePropertyName("part");
            MessageItem.WriteTextPart(w, text);
        });
        item.Status = status;
        WriteItemEvent(output, "response.output_item.done", item);
    }

    private void ToolCall(JsonElement call, IBufferWriter<byte> output)
    {
        var index = call.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : 0;
        var function = call.TryGetProperty("function", out var fn) && fn.ValueKind == JsonValueKind.Object ? fn : default;
        if (!_calls.TryGetValue(index, out var item))
        {
            CloseReasoning(output);
            CloseMessage(output);
            var callId = call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : ResponseDraft.NewId("call_");
            var name = function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var nm) && nm.ValueKind == JsonValueKind.String ? nm.GetString()! : "";
            item = new FunctionCallItem("fc_" + callId, callId, name);
            _calls[index] = item;
            draft.Output.Add(item);
            WriteItemEvent(output, "response.output_item.added", item);
        }

        if (function.ValueKind == JsonValueKind.Object && function.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String && args.GetString() is { Length: > 0 } delta)
        {
            item.Arguments.Append(delta);
            Write(output, "response.function_call_arguments.delta", w =>
            {
                ItemFields(w, item);
                w.WriteString("delta", delta);
            });
        }
    }

    private void CloseCall(FunctionCallItem item, IBufferWriter<byte> output, string status)
    {
        Write(output, "response.function_call_arguments.done", w =>
        {
            ItemFields(w, item);
            w.WriteString("name", item.Name);
            w.WriteString("arguments", item.Arguments.ToString());
        });
        item.Status = status;
        WriteItemEvent(output, "response.output_item.done", item);
    }

    private void ItemFields(Utf8JsonWriter w, OutputItem item)
    {
        w.WriteString("item_id", item.Id);
        w.WriteNumber("output_index", draft.Output.IndexOf(item));
    }

    private void WriteItemEvent(IBufferWriter<byte> output, string type, OutputItem item)
        => Write(output, type, w =>
        {
            w.WriteNumber("output_index", draft.Output.IndexOf(item));
            w.WritePropertyName("item");
            item.WriteTo(w);
        });

    private void WriteResponseEvent(IBufferWriter<byte> output, string type)
        => Write(output, type, w =>
        {
            w.WritePropertyName("response");
            draft.WriteTo(w, withUsage: type is "response.completed" or "response.incomplete");
        });

    public void Error(FailureSummary summary, IBufferWriter<byte> output) => ResponsesCodec.WriteErrorEvent(output, summary, _sequence++);

    private void Write(IBufferWriter<byte> output, string type, Action<Utf8JsonWriter> fields)
    {
        WriteAscii(output, "event: ");
        WriteAscii(output, type);
        WriteAscii(output, "\ndata: ");
        using (var w = new Utf8JsonWriter(output, FailureSummaryWriter.Options))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteNumber("sequence_number", _sequence++);
            fields(w);
            w.WriteEndObject();
        }

        WriteAscii(output, "\n\n");
    }

    private static void WriteAscii(IBufferWriter<byte> output, string s)
    {
        var span = output.GetSpan(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            span[i] = (byte)s[i];
        }

        output.Advance(s.Length);
    }

    public void Dispose()
    {
    }
}

/// <summary>An answer that can hand over the finished Responses <c>response</c> object (for the gateway's response store).</summary>
public interface IResponsesCapture
{
    /// <summary>The final response object, once the stream completed; null before or when it never did.</summary>
    ReadOnlyMemory<byte>? CompletedResponse { get; }
}
