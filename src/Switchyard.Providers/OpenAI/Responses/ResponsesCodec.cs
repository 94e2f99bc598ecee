using System.Buffers;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.OpenAI.Responses;

/// <summary>
/// The OpenAI Responses ingress (<c>POST /v1/responses</c>) as a codec: requests become Chat Completions for the
/// deployments that do not speak Responses, and their answers become <c>response</c> objects or the typed
/// <c>response.*</c> event stream. Errors keep the OpenAI error shape (the failure summary).
/// </summary>
public sealed class ResponsesCodec(TimeProvider time) : IIngressCodec
{
    public OperationKind Operation => OperationKind.Responses;

    public AttemptResult<ChatTranslation> ToChat(ReadOnlyMemory<byte> body, RequestInfo info) => ToChat(body, info, dropParams: false);

    public AttemptResult<ChatTranslation> ToChat(ReadOnlyMemory<byte> body, RequestInfo info, bool dropParams)
    {
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = RequestInspector.MaxDepth });
            var chat = ResponsesRequestTranslator.Translate(doc.RootElement, info.Model, dropParams, out var dropped);
            var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
            using (var w = new Utf8JsonWriter(buffer))
            {
                chat.WriteTo(w);
            }

            var bytes = buffer.WrittenSpan.ToArray();
            return AttemptResult<ChatTranslation>.Ok(new ChatTranslation(bytes, RequestInspector.Inspect(bytes, OperationKind.Chat)) { Dropped = dropped });
        }
        catch (ResponsesTranslationException e)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, e.Message) { UpstreamCode = e.Code, UpstreamParam = e.Param };
        }
        catch (RequestValidationException e)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, e.Message) { UpstreamCode = e.Code, UpstreamParam = e.Param };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request cannot be translated to Chat Completions: " + e.Message) { UpstreamCode = "invalid_value" };
        }
    }

    public byte[] FromChat(ReadOnlySpan<byte> chatCompletion, RequestInfo info, ReadOnlyMemory<byte> request = default)
    {
        var draft = NewDraft(info, request);
        using (var doc = JsonDocument.Parse(chatCompletion.ToArray()))
        {
            var root = doc.RootElement;
            if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
            {
                draft.Model = model.GetString()!;
            }

            string? finish = null;
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
            {
                var choice = choices[0];
                finish = choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                if (choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
                {
                    AddMessage(draft, message);
                }
            }

            draft.Finish(finish);
            foreach (var item in draft.Output)
            {
                item.Status = draft.Status == "completed" ? "completed" : "incomplete";
            }

            if (root.TryGetProperty("usage", out var usage))
            {
                var raw = System.Text.Encoding.UTF8.GetBytes(usage.GetRawText());
                var r = new Utf8JsonReader(raw);
                r.Read();
                draft.ReadChatUsage(ref r);
            }
        }

        return Write(draft);
    }

    private static void AddMessage(ResponseDraft draft, JsonElement message)
    {
        if (message.TryGetProperty("reasoning_content", out var reasoning) && reasoning.ValueKind == JsonValueKind.String && reasoning.GetString() is { Length: > 0 } thought)
        {
            var item = new ReasoningItem(ResponseDraft.NewId("rs_"));
            item.Text.Append(thought);
            draft.Output.Add(item);
        }

        var content = message.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        var refusal = message.TryGetProperty("refusal", out var rf) && rf.ValueKind == JsonValueKind.String ? rf.GetString() : null;
        if (!string.IsNullOrEmpty(content) || refusal is not null)
        {
            var item = new MessageItem(ResponseDraft.NewId("msg_")) { Refusal = refusal };
            item.Text.Append(content);
            draft.Output.Add(item);
        }

        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                var callId = call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : ResponseDraft.NewId("call_");
                var function = call.GetProperty("function");
                var item = new FunctionCallItem("fc_" + callId, callId, function.GetProperty("name").GetString() ?? "");
                if (function.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String)
                {
                    item.Arguments.Append(args.GetString());
                }

                draft.Output.Add(item);
            }
        }

        if (draft.Output.Count == 0)
        {
            draft.Output.Add(new MessageItem(ResponseDraft.NewId("msg_")));
        }
    }

    internal static byte[] Write(ResponseDraft draft)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, FailureSummaryWriter.Options))
        {
            draft.WriteTo(w);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public IChatStreamTranscoder CreateTranscoder(RequestInfo info, ReadOnlyMemory<byte> request = default)
        => new ResponsesStreamTranscoder(NewDraft(info, request));

    private ResponseDraft NewDraft(RequestInfo info, ReadOnlyMemory<byte> request)
        => new(ResponseDraft.NewId("resp_"), time.GetUtcNow().ToUnixTimeSeconds(), info.Model) { MaxOutputTokens = info.MaxTokens, Echo = RequestEcho.From(request.Span) };

    public byte[] ErrorBody(FailureSummary summary) => FailureSummaryWriter.ToUtf8(summary);

    /// <summary>
    /// <c>event: error</c> as the Responses stream defines it (type, code, message, param, sequence_number), with the
    /// failure summary's fields alongside and the OpenAI error object under <c>error</c> for clients that read that.
    /// The gateway does not count the events a native upstream sent before it, so sequence_number is 0 here; a
    /// translated stream's error continues its own numbering (<see cref="IChatStreamTranscoder.Error"/>).
    /// </summary>
    public byte[] ErrorEvent(FailureSummary summary)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        WriteErrorEvent(buffer, summary, 0);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The Responses <c>error</c> event with the given sequence number.</summary>
    internal static void WriteErrorEvent(IBufferWriter<byte> buffer, FailureSummary summary, long sequence)
    {
        buffer.Write("event: error\ndata: "u8);
        using (var w = new Utf8JsonWriter(buffer, FailureSummaryWriter.Options))
        {
            w.WriteStartObject();
            w.WriteString("type", "error");
            w.WriteString("code", summary.Code ?? summary.Type);
            w.WriteString("message", summary.Message);
            FailureSummaryWriter.WriteNullable(w, "param", summary.Param);
            w.WriteNumber("sequence_number", sequence);
            w.WriteString("error_type", summary.Type);
            FailureSummaryWriter.WriteRouting(w, summary);
            w.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
    }
}
