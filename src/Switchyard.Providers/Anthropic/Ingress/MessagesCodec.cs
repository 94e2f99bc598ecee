using System.Buffers;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Core.Usage;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic.Ingress;

/// <summary>
/// Anthropic Messages at the front door (<c>POST /v1/messages</c>). Anthropic deployments take the caller's body as it
/// is (<see cref="AnthropicAdapter.SpeaksNatively"/>); every other deployment gets it as Chat Completions
/// (<see cref="MessagesToChat"/>) and its answer comes back as a Messages object or event stream. Errors are written
/// in Anthropic's shape, <c>{"type":"error","error":{"type":...,"message":...}}</c>, with the failure summary's fields
/// beside type and message.
/// </summary>
public sealed class MessagesCodec : IIngressCodec
{
    public OperationKind Operation => OperationKind.Messages;

    public AttemptResult<ChatTranslation> ToChat(ReadOnlyMemory<byte> body, RequestInfo info)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var chat = MessagesToChat.Translate(document.RootElement, out var dropped);
            var chatInfo = RequestInspector.Inspect(chat, OperationKind.Chat);
            var estimate = PromptEstimator.Estimate(chat, chatInfo, EstimateProfile.OpenAI, CancellationToken.None).PromptTokens;
            return AttemptResult<ChatTranslation>.Ok(new ChatTranslation(chat, chatInfo with { PromptTokensEstimate = estimate }) { Dropped = dropped });
        }
        catch (TranslationException e)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, e.Message) { UpstreamCode = e.Code, UpstreamParam = e.Param };
        }
        catch (RequestValidationException e)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, e.Message) { UpstreamCode = e.Code, UpstreamParam = e.Param };
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body is not valid JSON") { UpstreamCode = "invalid_json" };
        }
    }

    public byte[] FromChat(ReadOnlySpan<byte> chatCompletion, RequestInfo info, ReadOnlyMemory<byte> request = default) => ChatToMessages.Translate(chatCompletion, info.Model);

    public IChatStreamTranscoder CreateTranscoder(RequestInfo info, ReadOnlyMemory<byte> request = default) => new MessagesStreamTranscoder(info.Model, info.PromptTokensEstimate ?? 1);

    public byte[] ErrorBody(FailureSummary summary) => Body(summary);

    public byte[] ErrorEvent(FailureSummary summary)
    {
        var buffer = new ArrayBufferWriter<byte>(400);
        WriteErrorEvent(buffer, summary);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>event: error</c> Anthropic ends a broken stream with.</summary>
    internal static void WriteErrorEvent(IBufferWriter<byte> output, FailureSummary summary) => SseEvents.Write(output, "error", Body(summary));

    private static byte[] Body(FailureSummary summary)
    {
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var w = new Utf8JsonWriter(buffer, FailureSummaryWriter.Options))
        {
            Write(w, summary);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Anthropic's error type for an HTTP status (docs.anthropic.com/en/api/errors).</summary>
    public static string ErrorType(int status) => status switch
    {
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        504 => "timeout_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    private static void Write(Utf8JsonWriter w, FailureSummary s)
    {
        w.WriteStartObject();
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", ErrorType(s.Status));
        w.WriteString("message", s.Message);
        FailureSummaryWriter.WriteNullable(w, "code", s.Code);
        FailureSummaryWriter.WriteNullable(w, "param", s.Param);
        FailureSummaryWriter.WriteRouting(w, s);
        w.WriteString("gateway_type", s.Type);
        w.WriteEndObject();
        FailureSummaryWriter.WriteNullable(w, "request_id", s.CorrelationId);
        w.WriteEndObject();
    }
}
