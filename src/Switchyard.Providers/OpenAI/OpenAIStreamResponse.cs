using System.Buffers;
using System.IO.Pipelines;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;
using Switchyard.Providers.Sse;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// An OpenAI event stream relayed byte for byte: each upstream read is written and flushed at once, with an idle
/// timeout that resets on progress. The first read happens before the router commits, so a stream that never
/// starts can still fall back. Usage is picked out of the passing events without holding them back.
/// </summary>
public sealed class OpenAIStreamResponse : UpstreamResponse
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _stream;
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _callerToken;
    private readonly SseUsageScanner _scanner = new();
    private byte[]? _first;
    private int _firstLength;

    private OpenAIStreamResponse(HttpResponseMessage response, Stream stream, CancellationTokenSource cts, TimeSpan idleTimeout, CancellationToken callerToken, byte[] first, int firstLength)
    {
        _response = response;
        _stream = stream;
        _cts = cts;
        _idleTimeout = idleTimeout;
        _callerToken = callerToken;
        _first = first;
        _firstLength = firstLength;
        IsStream = true;
    }

    public static async ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstByteTimeout, CancellationToken callerToken)
    {
        Stream stream;
        var first = ArrayPool<byte>.Shared.Rent(16 * 1024);
        int n;
        try
        {
            stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            n = await stream.ReadAsync(first, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            ArrayPool<byte>.Shared.Return(first);
            callerToken.ThrowIfCancellationRequested();
            return UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, callerToken), firstByteTimeout, "first stream event");
        }

        if (n == 0 || !SseFraming.LooksLikeSse(first.AsSpan(0, n)))
        {
            ArrayPool<byte>.Shared.Return(first);
            return new UpstreamFailure(FailureKind.InvalidResponse, 200, n == 0 ? "closed the stream before its first event" : "sent a stream that is not server-sent events");
        }

        var result = new OpenAIStreamResponse(response, stream, cts, idleTimeout, callerToken, first, n);
        return AttemptResult<UpstreamResponse>.Ok(result);
    }

    public override async Task RelayAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        var boundary = new SseFraming();
        var sawDone = false;
        if (_first is { } first)
        {
            var span = first.AsSpan(0, _firstLength);
            output.Write(span);
            boundary.Observe(span);
            sawDone = _scanner.Scan(span);
            ArrayPool<byte>.Shared.Return(first);
            _first = null;
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            var memory = output.GetMemory(8192);
            int n;
            try
            {
                _cts.CancelAfter(_idleTimeout);
                n = await _stream.ReadAsync(memory, _cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                _callerToken.ThrowIfCancellationRequested();
                cancellationToken.ThrowIfCancellationRequested();
                var failure = UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, _callerToken), _idleTimeout, "stream event");
                throw new StreamFailedException(failure with { Detail = "stream broke after it started: " + failure.Detail }) { AtEventBoundary = boundary.AtBoundary };
            }

            if (n == 0)
            {
                break;
            }

            var written = memory.Span[..n];
            boundary.Observe(written);
            sawDone |= _scanner.Scan(written);
            output.Advance(n);
            var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCanceled || flush.IsCompleted)
            {
                return;
            }
        }

        Usage = _scanner.Usage;
        if (!sawDone)
        {
            throw new StreamFailedException(new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream ended without its final [DONE] event"))
            {
                AtEventBoundary = boundary.AtBoundary,
            };
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_first is { } first)
        {
            ArrayPool<byte>.Shared.Return(first);
            _first = null;
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        _cts.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
