using System.IO.Pipelines;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Abstractions;

/// <summary>
/// A provider's stream relayed as OpenAI chunks through its <see cref="IStreamTranslator{TFrame}"/>. The first frame
/// is read before the router commits, so a stream that never starts (or starts with an error) can still fall back;
/// after that each frame is translated, written and flushed at once, with an idle timeout that resets on every frame.
/// A stream that closes before the provider's end frame, broken framing, a frame that is not valid and a mid-stream
/// error all end the relay as typed upstream failures, with the usage seen so far.
/// </summary>
internal sealed class TranslatedStreamResponse<TFrame> : UpstreamResponse
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<TFrame> _frames;
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _callerToken;
    private readonly IStreamTranslator<TFrame> _translator;
    private TFrame? _first;
    private bool _firstPending = true;

    private TranslatedStreamResponse(HttpResponseMessage response, IAsyncEnumerator<TFrame> frames, CancellationTokenSource cts, TimeSpan idleTimeout, CancellationToken callerToken, IStreamTranslator<TFrame> translator, TFrame first)
    {
        _response = response;
        _frames = frames;
        _cts = cts;
        _idleTimeout = idleTimeout;
        _callerToken = callerToken;
        _translator = translator;
        _first = first;
        IsStream = true;
    }

    /// <summary>A stream whose first frame the caller has read and checked; ownership of everything passes to it.</summary>
    public static AttemptResult<UpstreamResponse> Started(HttpResponseMessage response, IAsyncEnumerator<TFrame> frames, CancellationTokenSource cts, TimeSpan idleTimeout, IStreamTranslator<TFrame> translator, TFrame first, CancellationToken callerToken)
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        => AttemptResult<UpstreamResponse>.Ok(new TranslatedStreamResponse<TFrame>(response, frames, cts, idleTimeout, callerToken, translator, first) { RequestId = UpstreamRequestId.From(response) });
#pragma warning restore CA2000

    /// <summary>
    /// Opens the body as frames (<paramref name="read"/>), skips blank ones and checks the first under the first-event
    /// timeout already set on <paramref name="cts"/>.
    /// </summary>
    public static async ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, Func<Stream, CancellationToken, IAsyncEnumerator<TFrame>> read, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstEventTimeout, IStreamStart<TFrame> translator, CancellationToken callerToken)
    {
        IAsyncEnumerator<TFrame>? frames = null;
        try
        {
            frames = read(await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false), cts.Token);
            while (await frames.MoveNextAsync().ConfigureAwait(false))
            {
                var first = frames.Current;
                if (translator.IsBlank(first))
                {
                    continue;
                }

                if (translator.StartFailure(first) is { } failure)
                {
                    return failure;
                }

                var started = frames;
                frames = null;
                return Started(response, started, cts, idleTimeout, translator, first, callerToken);
            }

            return new UpstreamFailure(FailureKind.InvalidResponse, 200, "closed the stream before its first event");
        }
        catch (StreamFormatException e)
        {
            return new UpstreamFailure(FailureKind.InvalidResponse, 200, "sent a broken event stream: " + e.Message);
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.InvalidResponse, 200, "sent a first stream event that is not valid JSON");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            callerToken.ThrowIfCancellationRequested();
            return UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, callerToken), firstEventTimeout, "first stream event");
        }
        finally
        {
            if (frames is not null)
            {
                await frames.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public override async ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        if (_firstPending)
        {
            _firstPending = false;
            var first = _first!;
            _first = default;
            if (Translate(first, output, out var flush) is { } broken)
            {
                return broken;
            }

            if (flush && !await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return RelayOutcome.ClientGone;
            }
        }

        while (!(_translator.EndsAtFinish && _translator.Finished))
        {
            bool more;
            try
            {
                _cts.CancelAfter(_idleTimeout);
                more = await _frames.MoveNextAsync().ConfigureAwait(false);
            }
            catch (StreamFormatException e)
            {
                Usage = _translator.SeenUsage();
                return RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream broke after it started: " + e.Message));
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                if (_callerToken.IsCancellationRequested || cancellationToken.IsCancellationRequested)
                {
                    return RelayOutcome.ClientGone;
                }

                Usage = _translator.SeenUsage();
                var failure = UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, _callerToken), _idleTimeout, "stream event");
                return RelayOutcome.UpstreamFailed(failure with { Detail = "stream broke after it started: " + failure.Detail });
            }

            if (!more)
            {
                break;
            }

            if (Translate(_frames.Current, output, out var flush) is { } broken)
            {
                return broken;
            }

            if (flush && !await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return RelayOutcome.ClientGone;
            }
        }

        Usage = _translator.SeenUsage();
        if (!_translator.Finished)
        {
            return RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.InvalidResponse, 200, _translator.UnfinishedDetail));
        }

        return !_translator.Complete(output) || await FlushAsync(output, cancellationToken).ConfigureAwait(false) ? RelayOutcome.Completed : RelayOutcome.ClientGone;
    }

    /// <summary>Translates one frame; the outcome when it broke the stream, else null (with whether to flush).</summary>
    private RelayOutcome? Translate(TFrame frame, PipeWriter output, out bool flush)
    {
        UpstreamFailure? failure;
        try
        {
            flush = _translator.Translate(frame, output, out failure);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            flush = false;
            failure = new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream broke after it started: " + _translator.InvalidFrameDetail);
        }

        if (failure is null)
        {
            return null;
        }

        Usage = _translator.SeenUsage();
        return RelayOutcome.UpstreamFailed(failure);
    }

    public override async ValueTask DisposeAsync()
    {
        await _frames.DisposeAsync().ConfigureAwait(false);
        _translator.Dispose();
        _response.Dispose();
        _cts.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
