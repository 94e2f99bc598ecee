using System.Net.ServerSentEvents;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// An Anthropic event stream relayed as OpenAI chunks by <see cref="TranslatedStreamResponse{TFrame}"/>. The stream is
/// read up to message_start before the router commits, so a stream that never starts (or starts with an error event)
/// can still fall back; the relay ends at message_stop.
/// </summary>
internal static class AnthropicStreamResponse
{
    /// <summary>Reads to message_start (skipping pings) under the first-event timeout already set on <paramref name="cts"/>.</summary>
    public static async ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstEventTimeout, AnthropicStreamTranslator translator, CancellationToken callerToken)
    {
        var (events, head, failure) = await AnthropicStreamStart.ReadAsync(response, cts, firstEventTimeout, callerToken).ConfigureAwait(false);

        // pings before message_start carry nothing to translate
        return events is null ? failure! : TranslatedStreamResponse<SseItem<byte[]>>.Started(response, events, cts, idleTimeout, translator, head[^1], callerToken);
    }
}
