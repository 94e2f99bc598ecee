using System.IO.Pipelines;
using Switchyard.Core.Requests;

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

    /// <summary>The provider's id for this answer (its <c>x-request-id</c> or <c>request-id</c> header), passed on to the caller.</summary>
    public Http.UpstreamRequestId? RequestId { get; init; }

    /// <summary>Usage when the provider reported it (after the relay for streams).</summary>
    public Usage? Usage { get; protected set; }

    /// <summary>
    /// Relays the stream as OpenAI SSE (<c>data: {chunk}\n\n</c> ... <c>data: [DONE]\n\n</c>), flushing each piece as
    /// it arrives. Returns how it ended: <see cref="RelayOutcome.Completed"/>; <see cref="RelayOutcome.UpstreamFailed"/>
    /// when the upstream broke after the first byte (the caller then ends the stream with one error event); or
    /// <see cref="RelayOutcome.ClientGone"/> when the caller left (its token was cancelled or the output completed).
    /// It does not throw for any of these. <see cref="Usage"/> holds what was seen by the time it returns.
    /// </summary>
    public virtual ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
        => ValueTask.FromResult(RelayOutcome.Completed);

    /// <summary>
    /// Flushes what was written; false when the caller is gone (the flush was cancelled, the reader completed, or
    /// <paramref name="cancellationToken"/> fired), which the relay reports as <see cref="RelayOutcome.ClientGone"/>.
    /// </summary>
    protected static async ValueTask<bool> FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return !flush.IsCanceled && !flush.IsCompleted;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

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
