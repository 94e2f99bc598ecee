using System.IO.Pipelines;

namespace Switchyard.Providers.Abstractions;

/// <summary>
/// A successful upstream answer in OpenAI shape: a whole JSON body, or a stream relayed as SSE.
/// Disposing it releases the upstream connection.
/// </summary>
public abstract class UpstreamResponse : IAsyncDisposable
{
    /// <summary>The whole JSON body for a non-streaming call; empty for a stream.</summary>
    public ReadOnlyMemory<byte> Body { get; protected init; }

    public bool IsStream { get; protected init; }

    /// <summary>
    /// Request parameters the adapter dropped because the provider has no equivalent and the deployment opted in
    /// (drop_params); the endpoint names them in the <c>x-switchyard-dropped-params</c> response header. Empty when
    /// nothing was dropped (without the opt-in such a parameter is refused, never dropped).
    /// </summary>
    public IReadOnlyList<string> DroppedParams { get; set; } = [];

    /// <summary>Usage when the provider reported it (after the relay for streams).</summary>
    public Usage? Usage { get; protected set; }

    /// <summary>
    /// Relays the stream as OpenAI SSE (<c>data: {chunk}\n\n</c> ... <c>data: [DONE]\n\n</c>), flushing each piece as
    /// it arrives. Throws <see cref="StreamFailedException"/> when the upstream fails after the first byte;
    /// the caller then ends the stream with one error event.
    /// </summary>
    public virtual Task RelayAsync(PipeWriter output, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A whole-body response.</summary>
public sealed class BufferedResponse : UpstreamResponse
{
    public BufferedResponse(ReadOnlyMemory<byte> body, Usage? usage)
    {
        Body = body;
        Usage = usage;
    }
}

/// <summary>The upstream broke a stream after its first byte.</summary>
public sealed class StreamFailedException(Core.Failures.UpstreamFailure failure) : Exception(failure.Detail)
{
    public Core.Failures.UpstreamFailure Failure { get; } = failure;

    /// <summary>Whether the bytes relayed so far end on an SSE event boundary.</summary>
    public bool AtEventBoundary { get; init; } = true;
}
