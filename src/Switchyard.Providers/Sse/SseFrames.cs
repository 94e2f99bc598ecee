using System.Net.ServerSentEvents;

namespace Switchyard.Providers.Sse;

/// <summary>An upstream SSE body read event by event, each event's data copied out as bytes.</summary>
internal static class SseFrames
{
    public static IAsyncEnumerator<SseItem<byte[]>> Read(Stream stream, CancellationToken cancellationToken)
        => SseParser.Create(stream, static (_, data) => data.ToArray()).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
}
