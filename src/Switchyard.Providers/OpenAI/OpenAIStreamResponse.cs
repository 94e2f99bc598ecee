using System.Buffers;
using System.IO.Pipelines;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;
using Switchyard.Providers.Sse;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// An OpenAI event stream relayed byte for byte: each upstream read is written and flushed at once, with an idle
/// timeout that resets on progress. Each read is preceded by a zero-byte read, so no buffer is held while idle. The first read happens before the router commits, so a stream that never
/// starts can still fall back. Usage is picked out of the passing events without holding them back.
/// </summary>
public sealed class OpenAIStreamResponse : UpstreamResponse, Responses.IResponsesCapture
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _stream;
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _callerToken;
    private readonly SseUsageScanner _scanner;
    private readonly bool _stripUsage;
    private byte[]? _first;
    private readonly int _firstLength;

    private OpenAIStreamResponse(HttpResponseMessage response, Stream stream, CancellationTokenSource cts, TimeSpan idleTimeout, CancellationToken callerToken, byte[] first, int firstLength, bool stripUsage, bool responses)
    {
        _scanner = new SseUsageScanner(responses);
        _stripUsage = stripUsage;
        _response = response;
        _stream = stream;
        _cts = cts;
        _idleTimeout = idleTimeout;
        _callerToken = callerToken;
        _first = first;
        _firstLength = firstLength;
        IsStream = true;
    }

    /// <param name="stripUsage">The gateway asked upstream for usage the caller did not ask for: drop the usage-only chunk.</param>
    /// <param name="responses">An OpenAI Responses event stream: it ends with response.completed (or incomplete/failed), not [DONE].</param>
    public static async ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstByteTimeout, bool stripUsage, CancellationToken callerToken, bool responses = false)
    {
        Stream stream;
        byte[]? first = null;
        int n;
        try
        {
            stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            await WaitForDataAsync(stream, cts.Token).ConfigureAwait(false);
            first = ArrayPool<byte>.Shared.Rent(16 * 1024);
            n = await stream.ReadAsync(first, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            if (first is not null)
            {
                ArrayPool<byte>.Shared.Return(first);
            }

            callerToken.ThrowIfCancellationRequested();
            return UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, callerToken), firstByteTimeout, "first stream event");
        }

        if (n == 0 || !SseFraming.LooksLikeSse(first.AsSpan(0, n)))
        {
            ArrayPool<byte>.Shared.Return(first);
            return new UpstreamFailure(FailureKind.InvalidResponse, 200, n == 0 ? "closed the stream before its first event" : "sent a stream that is not server-sent events");
        }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        var result = new OpenAIStreamResponse(response, stream, cts, idleTimeout, callerToken, first, n, stripUsage, responses) { RequestId = UpstreamRequestId.From(response) };
#pragma warning restore CA2000
        return AttemptResult<UpstreamResponse>.Ok(result);
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte>? CompletedResponse => _scanner.CompletedResponse;

    public override ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
        => _stripUsage ? RelayByEventAsync(output, cancellationToken) : RelayBytesAsync(output, cancellationToken);

    private async ValueTask<RelayOutcome> RelayBytesAsync(PipeWriter output, CancellationToken cancellationToken)
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
            if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return RelayOutcome.ClientGone;
            }
        }

        while (true)
        {
            Memory<byte> memory;
            int n;
            try
            {
                _cts.CancelAfter(_idleTimeout);
                await WaitForDataAsync(_stream, _cts.Token).ConfigureAwait(false);
                memory = output.GetMemory(8192);
                n = await _stream.ReadAsync(memory, _cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                if (_callerToken.IsCancellationRequested || cancellationToken.IsCancellationRequested)
                {
                    return RelayOutcome.ClientGone;
                }

                return Broke(e, boundary.AtBoundary);
            }

            if (n == 0)
            {
                break;
            }

            var written = memory.Span[..n];
            boundary.Observe(written);
            sawDone |= _scanner.Scan(written);
            output.Advance(n);
            if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return RelayOutcome.ClientGone;
            }
        }

        Usage = _scanner.Usage;
        return sawDone ? RelayOutcome.Completed : EndedEarly(boundary.AtBoundary);
    }

    /// <summary>
    /// Event-at-a-time relay: each complete event is written and flushed as soon as its blank line arrives; the
    /// usage-only chunk the gateway asked for on the caller's behalf is dropped (its usage is still recorded).
    /// </summary>
    private async ValueTask<RelayOutcome> RelayByEventAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        var pending = new ArrayBufferWriter<byte>(1024);
        var sawDone = false;
        byte[]? read = null;
        try
        {
            if (_first is { } first)
            {
                pending.Write(first.AsSpan(0, _firstLength));
                ArrayPool<byte>.Shared.Return(first);
                _first = null;
                sawDone |= WriteCompleteEvents(pending, output);
                if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
                {
                    return RelayOutcome.ClientGone;
                }
            }

            while (true)
            {
                int n;
                try
                {
                    _cts.CancelAfter(_idleTimeout);
                    await WaitForDataAsync(_stream, _cts.Token).ConfigureAwait(false);
                    read = ArrayPool<byte>.Shared.Rent(16 * 1024);
                    n = await _stream.ReadAsync(read, _cts.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    if (_callerToken.IsCancellationRequested || cancellationToken.IsCancellationRequested)
                    {
                        return RelayOutcome.ClientGone;
                    }

                    return Broke(e, atEventBoundary: true); // only whole events are written
                }

                if (n == 0)
                {
                    break;
                }

                pending.Write(read.AsSpan(0, n));
                ArrayPool<byte>.Shared.Return(read); // held only while bytes are there to read, not while the stream idles
                read = null;
                sawDone |= WriteCompleteEvents(pending, output);
                if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
                {
                    return RelayOutcome.ClientGone;
                }
            }
        }
        finally
        {
            if (read is not null)
            {
                ArrayPool<byte>.Shared.Return(read);
            }
        }

        Usage = _scanner.Usage;
        return sawDone ? RelayOutcome.Completed : EndedEarly(atEventBoundary: true);
    }

    private RelayOutcome Broke(Exception e, bool atEventBoundary)
    {
        var failure = UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, _callerToken), _idleTimeout, "stream event");
        return RelayOutcome.UpstreamFailed(failure with { Detail = "stream broke after it started: " + failure.Detail }, atEventBoundary);
    }

    private RelayOutcome EndedEarly(bool atEventBoundary)
        => RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.InvalidResponse, 200, _scanner.EndMarker), atEventBoundary);

    /// <summary>
    /// A zero-byte read: completes when the upstream has bytes to read (or at its end) without holding a buffer, so
    /// an idle stream costs no pooled memory while it waits (as YARP's StreamCopier does). A stream that does not
    /// support it completes at once, and the real read that follows waits instead.
    /// </summary>
    private static async ValueTask WaitForDataAsync(Stream stream, CancellationToken cancellationToken)
        => await stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);

    private bool WriteCompleteEvents(ArrayBufferWriter<byte> pending, PipeWriter output)
    {
        var data = pending.WrittenSpan;
        var consumed = 0;
        var done = false;
        while (true)
        {
            var rest = data[consumed..];
            var end = rest.IndexOf("\n\n"u8);
            var sep = 2;
            var crlf = rest.IndexOf("\r\n\r\n"u8);
            if (crlf >= 0 && (end < 0 || crlf < end))
            {
                end = crlf;
                sep = 4;
            }

            if (end < 0)
            {
                break;
            }

            var evt = rest[..(end + sep)];
            done |= _scanner.Scan(evt);
            if (!IsUsageOnlyChunk(evt))
            {
                output.Write(evt);
            }

            consumed += end + sep;
        }

        if (consumed > 0)
        {
            var left = data[consumed..].ToArray();
            pending.ResetWrittenCount();
            pending.Write(left);
        }

        return done;
    }

    private static bool IsUsageOnlyChunk(ReadOnlySpan<byte> evt)
        => evt.IndexOf("\"choices\":[]"u8) >= 0 && evt.IndexOf("\"usage\""u8) >= 0;

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
