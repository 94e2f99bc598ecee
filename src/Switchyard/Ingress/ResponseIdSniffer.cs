using System.Buffers;
using System.IO.Pipelines;

namespace Switchyard.Ingress;

/// <summary>
/// Passes a stream's bytes to the caller's response untouched and, until it has found one, reads the <c>data:</c>
/// lines going by for the answer's id (<see cref="ResponseIds"/>). It looks at the first 64 KiB at most, then only passes
/// bytes on; nothing is held back or delayed.
/// </summary>
internal sealed class ResponseIdSniffer(PipeWriter inner) : PipeWriter
{
    private const int MaxBytesSeen = 64 * 1024;

    private ArrayBufferWriter<byte>? _seen = new(1024);
    private Memory<byte> _lent;
    private int _scanned;

    /// <summary>The answer's id, once a data line carried one.</summary>
    public string? Id { get; private set; }

    public override void Advance(int bytes)
    {
        if (_seen is not null && bytes > 0)
        {
            _seen.Write(_lent.Span[..bytes]);
            Scan();
        }

        inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_lent = inner.GetMemory(sizeHint)).Span;

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    private void Scan()
    {
        var seen = _seen!.WrittenSpan;
        while (_scanned < seen.Length)
        {
            var end = seen[_scanned..].IndexOf((byte)'\n');
            if (end < 0)
            {
                break; // the line's end has not come yet
            }

            var line = seen.Slice(_scanned, end).TrimEnd((byte)'\r');
            _scanned += end + 1;
            if (line.StartsWith("data:"u8) && ResponseIds.Of(line[5..].TrimStart((byte)' ')) is { } id)
            {
                Id = id;
                _seen = null;
                return;
            }
        }

        if (seen.Length > MaxBytesSeen)
        {
            _seen = null;
        }
    }
}
