using System.Buffers;
using System.IO.Pipelines;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Ingress;

/// <summary>
/// Sits between a relay that writes OpenAI Chat SSE (<c>data: {chunk}\n\n</c> ... <c>data: [DONE]\n\n</c>) and the
/// caller's response: on every flush it cuts the bytes written so far into whole events, hands each event's data to
/// the protocol's <see cref="IChatStreamTranscoder"/> and flushes what that wrote, so translated streams stay as
/// unbuffered as relayed ones. An event split across flushes waits for its end.
/// </summary>
public sealed class TranscodingPipeWriter(PipeWriter inner, IChatStreamTranscoder transcoder) : PipeWriter
{
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private int _consumed;
    private bool _done;

    public override void Advance(int bytes) => _pending.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Drain();
        return inner.FlushAsync(cancellationToken);
    }

    private void Drain()
    {
        while (true)
        {
            var rest = _pending.WrittenSpan[_consumed..];
            var end = rest.IndexOf("\n\n"u8);
            if (end < 0)
            {
                break;
            }

            Event(rest[..end]);
            _consumed += end + 2;
        }

        if (_consumed == 0)
        {
            return;
        }

        // keep only the unfinished event's start, at the front
        var tail = _pending.WrittenSpan[_consumed..].ToArray();
        _pending.ResetWrittenCount();
        _pending.Write(tail);
        _consumed = 0;
    }

    private void Event(ReadOnlySpan<byte> sseEvent)
    {
        // A chat relay writes one data line per event; comments (": keep-alive") and other fields carry nothing to translate.
        foreach (var range in sseEvent.Split((byte)'\n'))
        {
            var line = sseEvent[range].TrimEnd((byte)'\r');
            if (!line.StartsWith("data:"u8))
            {
                continue;
            }

            var data = line[5..].TrimStart((byte)' ');
            if (data.SequenceEqual("[DONE]"u8))
            {
                if (!_done)
                {
                    _done = true;
                    transcoder.Done(inner);
                }
            }
            else if (!_done)
            {
                transcoder.Chunk(data, inner);
            }
        }
    }
}
