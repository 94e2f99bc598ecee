using System.Net.ServerSentEvents;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Sse;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// A Cohere v2 SSE chat stream relayed as OpenAI chunks by <see cref="TranslatedStreamResponse{TFrame}"/>. The first
/// event is read before the router commits, so a stream that starts with an error event can still fall back. The
/// stream ends cleanly when it closes after message-end, and as a failure when it closes before one.
/// </summary>
internal static class CohereStreamResponse
{
    /// <summary>Reads the first event under the first-event timeout already set on <paramref name="cts"/>.</summary>
    public static ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstEventTimeout, CohereStreamTranslator translator, CancellationToken callerToken)
        => TranslatedStreamResponse<SseItem<byte[]>>.OpenAsync(response, SseFrames.Read, cts, idleTimeout, firstEventTimeout, translator, callerToken);
}
