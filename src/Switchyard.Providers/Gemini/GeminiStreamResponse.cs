using System.Net.ServerSentEvents;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Sse;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// A Gemini SSE stream relayed as OpenAI chunks by <see cref="TranslatedStreamResponse{TFrame}"/>. The first event is
/// read before the router commits, so a stream that starts with an error object or a blocked prompt can still fall
/// back. Gemini sends no end marker: the stream ends cleanly when it closes after a finishReason, and as a failure
/// when it closes before one.
/// </summary>
internal static class GeminiStreamResponse
{
    /// <summary>Reads the first event under the first-event timeout already set on <paramref name="cts"/>.</summary>
    public static ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstEventTimeout, GeminiStreamTranslator translator, CancellationToken callerToken)
        => TranslatedStreamResponse<SseItem<byte[]>>.OpenAsync(response, SseFrames.Read, cts, idleTimeout, firstEventTimeout, translator, callerToken);
}
