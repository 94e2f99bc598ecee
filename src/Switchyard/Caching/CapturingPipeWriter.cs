using System.Buffers;
using System.IO.Pipelines;

namespace Switchyard.Caching;

/// <summary>
/// Passes every byte through to the caller's response and keeps a copy (up to <paramref name="limit"/> bytes; past it
/// the copy is dropped and <see cref="Captured"/> is null), so a stream that completes cleanly can be cached as it was sent.
/// </summary>
public sealed class CapturingPipeWriter(PipeWriter inner, int limit) : PipeWriter
{
    private ArrayBufferWriter<byte>? _copy = new(16 * 1024);
    private Memory<byte> _last;

    /// <summary>What was written, or null when it grew past the limit.</summary>
    public ReadOnlyMemory<byte>? Captured => _copy?.WrittenMemory;

    public override void Advance(int bytes)
    {
        if (_copy is not null)
        {
            if (_copy.WrittenCount + bytes > limit)
            {
                _copy = null;
            }
            else
            {
                _copy.Write(_last.Span[..bytes]);
            }
        }

        inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_last = inner.GetMemory(sizeHint)).Span;

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
}
