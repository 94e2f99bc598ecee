using System.Buffers;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;

namespace Switchyard.Providers.Abstractions;

/// <summary>
/// One client protocol at the front door (Anthropic Messages, OpenAI Responses) as a thin codec around the one
/// inference pipeline. A deployment whose adapter speaks the protocol natively
/// (<see cref="IProviderAdapter.SpeaksNatively"/>) gets the caller's body with only the model spliced, and its answer
/// goes back as it is; every other deployment gets the request as OpenAI Chat Completions (the canonical format the
/// adapters translate from) and its answer is turned back into this protocol here, whole or event by event.
/// </summary>
public interface IIngressCodec
{
    /// <summary>The protocol this codec reads and writes (<see cref="OperationKind.Messages"/>, <see cref="OperationKind.Responses"/>).</summary>
    OperationKind Operation { get; }

    /// <summary>
    /// The caller's request as a Chat Completions body, with its schema-gate info (the chat body inspected). Called at
    /// most once per request, when the first non-native deployment is tried. A parameter with no chat equivalent is
    /// refused as a <see cref="FailureKind.CallerError"/> (400 <c>unsupported_value</c> naming it), never dropped silently.
    /// </summary>
    AttemptResult<ChatTranslation> ToChat(ReadOnlyMemory<byte> body, RequestInfo info);

    /// <summary>
    /// As <see cref="ToChat(ReadOnlyMemory{byte}, RequestInfo)"/> under the alias's or deployment's drop_params: what
    /// the protocol allows to be left out then (the Responses ingress: offered built-in tools) is dropped and listed in
    /// <see cref="ChatTranslation.Dropped"/> instead of refused.
    /// </summary>
    AttemptResult<ChatTranslation> ToChat(ReadOnlyMemory<byte> body, RequestInfo info, bool dropParams) => ToChat(body, info);

    /// <summary>
    /// A whole <c>chat.completion</c> body turned into this protocol's answer body. <paramref name="request"/> is the
    /// caller's body, for protocols whose answer echoes request fields (a Responses <c>response</c> repeats its tools,
    /// text format, instructions and sampling settings).
    /// </summary>
    byte[] FromChat(ReadOnlySpan<byte> chatCompletion, RequestInfo info, ReadOnlyMemory<byte> request = default);

    /// <summary>A transcoder for one streamed answer (chat chunks in, this protocol's events out); <paramref name="request"/> as for <see cref="FromChat"/>.</summary>
    IChatStreamTranscoder CreateTranscoder(RequestInfo info, ReadOnlyMemory<byte> request = default);

    /// <summary>A failure as this protocol's error body (status and headers are the pipeline's).</summary>
    byte[] ErrorBody(FailureSummary summary);

    /// <summary>The event that ends a stream which broke after its first byte, in this protocol's shape.</summary>
    byte[] ErrorEvent(FailureSummary summary);
}

/// <summary>A request translated to Chat Completions: the body and what the schema gate found in it.</summary>
public sealed record ChatTranslation(byte[] Body, RequestInfo Info)
{
    /// <summary>
    /// Caller fields left out of the translation by documented policy (hints a Chat deployment has no use for, such as
    /// Anthropic's <c>context_management</c>); named to the caller in <c>x-switchyard-dropped-params</c>.
    /// </summary>
    public IReadOnlyList<string> Dropped { get; init; } = [];
}

/// <summary>
/// Turns a streamed Chat Completions answer into another protocol's event stream. Fed one SSE event's data at a time
/// (the JSON of one <c>chat.completion.chunk</c>), then <see cref="Done"/> on the upstream's <c>[DONE]</c>.
/// Writes complete events only, so the pipeline may flush after every call.
/// </summary>
public interface IChatStreamTranscoder : IDisposable
{
    void Chunk(ReadOnlySpan<byte> data, IBufferWriter<byte> output);

    /// <summary>The closing events (message_delta and message_stop, response.completed), with the usage seen.</summary>
    void Done(IBufferWriter<byte> output);

    /// <summary>
    /// The event that ends a translated stream which broke after its first byte: the codec's
    /// <see cref="IIngressCodec.ErrorEvent"/>, continuing this stream's numbering where the protocol numbers its events
    /// (the Responses <c>sequence_number</c>).
    /// </summary>
    void Error(FailureSummary summary, IBufferWriter<byte> output);
}
