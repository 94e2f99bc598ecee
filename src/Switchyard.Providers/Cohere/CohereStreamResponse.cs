using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// A Cohere v2 SSE chat stream relayed as OpenAI chunks. The first event is read before the router commits, so a
/// stream that starts with an error event can still fall back; after that each event is translated, written and
/// flushed at once, with an idle timeout that resets on every event. The stream ends cleanly when it closes after
/// message-end, and as a failure when it closes before one.
/// </summary>
internal sealed class CohereStreamResponse : UpstreamResponse
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<byte[]>> _events;
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _callerToken;
    private readonly CohereStreamTranslator _translator;
    private SseItem<byte[]>? _first;

    private CohereStreamResponse(HttpResponseMessage response, IAsyncEnumerator<SseItem<byte[]>> events, CancellationTokenSource cts, TimeSpan idleTimeout, CancellationToken callerToken, CohereStreamTranslator translator, SseItem<byte[]> first)
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

    /// <summary>Reads the first event under the first-event timeout already set on <paramref name="cts"/>.</summary>
    public static async ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstEventTimeout, CohereStreamTranslator translator, CancellationToken callerToken)
    {
        IAsyncEnumerator<SseItem<byte[]>>? events = null;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false);
            events = SseParser.Create(stream, static (_, data) => data.ToArray()).EnumerateAsync(cts.Token).GetAsyncEnumerator(cts.Token);
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                var item = events.Current;
                if (item.Data.AsSpan().Trim(" \r\n\t"u8).IsEmpty)
                {
                    continue;
                }

                if (CohereStreamTranslator.Failure(item) is { } failure)
                {
                    return failure;
                }

                var started = events;
                events = null;
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
                return AttemptResult<UpstreamResponse>.Ok(new CohereStreamResponse(response, started, cts, idleTimeout, callerToken, translator, item) { RequestId = UpstreamRequestId.From(response) });
#pragma warning restore CA2000
            }

            return new UpstreamFailure(FailureKind.InvalidResponse, 200, "closed the stream before its first event");
        }
        catch (System.Text.Json.JsonException)
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
            if (events is not null)
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public override async ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        if (_first is { } first)
        {
            _first = null;
            if (!Handle(first, output, out var broken))
            {
                return broken!.Value;
            }

            if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return RelayOutcome.ClientGone;
            }
        }

        while (true)
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

                Usage = _translator.Usage.ToUsage();
                var failure = UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, _callerToken), _idleTimeout, "stream event");
                return RelayOutcome.UpstreamFailed(failure with { Detail = "stream broke after it started: " + failure.Detail });
            }

            if (!more)
            {
                break;
            }

            if (!Handle(_events.Current, output, out var broken))
            {
                return broken!.Value;
            }

            if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return RelayOutcome.ClientGone;
            }
        }

        Usage = _translator.Usage.ToUsage();
        if (!_translator.Finished)
        {
            return RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream ended before message-end"));
        }

        _translator.Complete(output);
        return await FlushAsync(output, cancellationToken).ConfigureAwait(false) ? RelayOutcome.Completed : RelayOutcome.ClientGone;
    }

    /// <summary>Translates one event; false (with the outcome) when it broke the stream.</summary>
    private bool Handle(SseItem<byte[]> item, PipeWriter output, out RelayOutcome? broken)
    {
        broken = null;
        UpstreamFailure? failure;
        try
        {
            _translator.Handle(item, output, out failure);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            failure = new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream broke after it started: sent an event that is not valid");
        }

        if (failure is null)
        {
            return true;
        }

        Usage = _translator.Usage.ToUsage();
        broken = RelayOutcome.UpstreamFailed(failure);
        return false;
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
