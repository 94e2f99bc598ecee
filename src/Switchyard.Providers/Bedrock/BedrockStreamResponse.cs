using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// A ConverseStream answer relayed as OpenAI chunks by <see cref="TranslatedStreamResponse{TFrame}"/>, message by
/// message of the AWS event stream. The first message is read before the router commits (so a stream that opens with
/// an exception can still fall back). Broken framing (CRC, lengths, a cut message) and a stream that closes before
/// messageStop end the relay as typed upstream failures.
/// </summary>
internal static class BedrockStreamResponse
{
    public static ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstTimeout, BedrockStreamTranslator translator, CancellationToken callerToken)
        => TranslatedStreamResponse<EventStreamMessage>.OpenAsync(response, static (stream, token) => new BedrockEventStream(stream, token), cts, idleTimeout, firstTimeout, translator, callerToken);
}
