using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// An Anthropic event stream relayed as OpenAI chunks. The stream is read up to message_start before the router
/// commits, so a stream that never starts (or starts with an error event) can still fall back; after that each
/// upstream event is translated, written and flushed at once, with an idle timeout that resets on every event.
/// </summary>
internal sealed class AnthropicStreamResponse : UpstreamResponse
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<byte[]>> _events;
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _callerToken;
    private readonly AnthropicStreamTranslator _translator;
    private SseItem<byte[]>? _first;

    private AnthropicStreamResponse(HttpResponseMessage response, IAsyncEnumerator<SseItem<byte[]>> events, CancellationTokenSource cts, TimeSpan idleTimeout, CancellationToken callerToken, AnthropicStreamTranslator translator, SseItem<byte[]> first)
    {
        _response = response;
        _events = events;
        _cts = cts;
        _idleTimeout = idleTimeout;
        _callerToken = callerToken;
        _translator = translator;
        _first = first;
        IsStream = true;
    }

    /// <summary>Reads to message_start (skipping pings) under the first-event timeout already set on <paramref name="cts"/>.</summary>
    public static async ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstEventTimeout, AnthropicStreamTranslator translator, CancellationToken callerToken)
    {
        var (events, head, failure) = await AnthropicStreamStart.ReadAsync(response, cts, firstEventTimeout, callerToken).ConfigureAwait(false);
        if (events is null)
        {
            return failure!;
        }

        // pings before message_start carry nothing to translate
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        return AttemptResult<UpstreamResponse>.Ok(new AnthropicStreamResponse(response, events, cts, idleTimeout, callerToken, translator, head[^1]) { RequestId = UpstreamRequestId.From(response) });
#pragma warning restore CA2000
    }

    public override async ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        if (_first is { } first)
        {
            _first = null;
            _translator.Handle(first, output, out var broken);
            if (broken is not null)
            {
                Usage = _translator.Tokens.ToUsage();
                return RelayOutcome.UpstreamFailed(broken);
            }

            if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return RelayOutcome.ClientGone;
            }
        }

        while (!_translator.Finished)
        {
            bool more;
            try
            {
                _cts.CancelAfter(_idleTimeout);
                more = await _events.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                if (_callerToken.IsCancellationRequested || cancellationToken.IsCancellationRequested)
                {
                    return RelayOutcome.ClientGone;
                }

                Usage = _translator.Tokens.ToUsage();
                var failure = UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, _callerToken), _idleTimeout, "stream event");
                return RelayOutcome.UpstreamFailed(failure with { Detail = "stream broke after it started: " + failure.Detail });
            }

            if (!more)
            {
                break;
            }

            var wrote = _translator.Handle(_events.Current, output, out var error);
            if (error is not null)
            {
                Usage = _translator.Tokens.ToUsage();
                return RelayOutcome.UpstreamFailed(error);
            }

            if (wrote && !await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return RelayOutcome.ClientGone;
            }
        }

        Usage = _translator.Tokens.ToUsage();
        return _translator.Finished
            ? RelayOutcome.Completed
            : RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream ended without its final message_stop event"));
    }

    public override async ValueTask DisposeAsync()
    {
        await _events.DisposeAsync().ConfigureAwait(false);
        _translator.Dispose();
        _response.Dispose();
        _cts.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
