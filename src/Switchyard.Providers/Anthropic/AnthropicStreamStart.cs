using System.Net.ServerSentEvents;
using Switchyard.Core.Failures;
using Switchyard.Providers.Http;
using Switchyard.Providers.Sse;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Reads an Anthropic event stream up to its message_start, before the router commits, so a stream that never starts
/// (or starts with an error event) can still be retried or fall back. Shared by the translated and the native relay.
/// </summary>
internal static class AnthropicStreamStart
{
    /// <summary>
    /// The open event enumerator and the events read so far (pings, then message_start last); or a classified failure,
    /// with the enumerator disposed. The first-event timeout is the one already set on <paramref name="cts"/>.
    /// </summary>
    public static async ValueTask<(IAsyncEnumerator<SseItem<byte[]>>? Events, List<SseItem<byte[]>> Head, UpstreamFailure? Failure)> ReadAsync(
        HttpResponseMessage response, CancellationTokenSource cts, TimeSpan firstEventTimeout, CancellationToken callerToken)
    {
        IAsyncEnumerator<SseItem<byte[]>>? events = null;
        var head = new List<SseItem<byte[]>>(2);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            events = SseFrames.Read(stream, cts.Token);
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                var item = events.Current;
                switch (AnthropicStreamEvents.TypeOf(item))
                {
                    case "ping":
                        head.Add(item);
                        continue;
                    case "message_start" when !AnthropicStreamEvents.IsValidStart(item.Data):
                        return (null, head, new UpstreamFailure(FailureKind.InvalidResponse, 200, "sent a message_start event that is not valid"));
                    case "message_start":
                        head.Add(item);
                        var started = events;
                        events = null;
                        return (started, head, null);
                    case "error":
                        return (null, head, AnthropicStreamErrors.FromEvent(item.Data));
                    default:
                        return (null, head, new UpstreamFailure(FailureKind.InvalidResponse, 200, "sent a stream that does not begin with message_start"));
                }
            }

            return (null, head, new UpstreamFailure(FailureKind.InvalidResponse, 200, "closed the stream before its first event"));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            callerToken.ThrowIfCancellationRequested();
            return (null, head, UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, callerToken), firstEventTimeout, "first stream event"));
        }
        finally
        {
            if (events is not null)
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
