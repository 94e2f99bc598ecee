using System.IO.Pipelines;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// A ConverseStream answer relayed as OpenAI chunks. The first message is read before the router commits (so a stream
/// that opens with an exception can still fall back); then each message is translated and flushed at once, with an
/// idle timeout that resets on every message. Broken framing (CRC, lengths, a cut message) and a stream that closes
/// before messageStop end the relay as typed upstream failures.
/// </summary>
internal sealed class BedrockStreamResponse : UpstreamResponse
{
    private readonly HttpResponseMessage _response;
    private readonly BedrockEventStream _events;
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _callerToken;
    private readonly BedrockStreamTranslator _translator;
    private EventStreamMessage? _first;

    private BedrockStreamResponse(HttpResponseMessage response, BedrockEventStream events, CancellationTokenSource cts, TimeSpan idleTimeout, CancellationToken callerToken, BedrockStreamTranslator translator, EventStreamMessage first)
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

    public static async ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstTimeout, BedrockStreamTranslator translator, CancellationToken callerToken)
    {
        try
        {
            var events = new BedrockEventStream(await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false));
            var first = await events.ReadAsync(cts.Token).ConfigureAwait(false);
            if (first is null)
            {
                return new UpstreamFailure(FailureKind.InvalidResponse, 200, "closed the stream before its first event");
            }

            if (BedrockStreamTranslator.Failure(first) is { } failure)
            {
                return failure;
            }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
            return AttemptResult<UpstreamResponse>.Ok(new BedrockStreamResponse(response, events, cts, idleTimeout, callerToken, translator, first) { RequestId = UpstreamRequestId.From(response) });
#pragma warning restore CA2000
        }
        catch (EventStreamFormatException e)
        {
            return new UpstreamFailure(FailureKind.InvalidResponse, 200, "sent a broken event stream: " + e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            callerToken.ThrowIfCancellationRequested();
            return UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, callerToken), firstTimeout, "first stream event");
        }
    }

    public override async ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        while (true)
        {
            EventStreamMessage? message;
            if (_first is not null)
            {
                (message, _first) = (_first, null);
            }
            else
            {
                try
                {
                    _cts.CancelAfter(_idleTimeout);
                    message = await _events.ReadAsync(_cts.Token).ConfigureAwait(false);
                }
                catch (EventStreamFormatException e)
                {
                    Usage = _translator.Usage.ToUsage();
                    return RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream broke after it started: " + e.Message));
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
            }

            if (message is null)
            {
                break;
            }

            UpstreamFailure? broken;
            try
            {
                _translator.Handle(message, output, out broken);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                broken = new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream broke after it started: sent an event that is not valid JSON");
            }

            if (broken is not null)
            {
                Usage = _translator.Usage.ToUsage();
                return RelayOutcome.UpstreamFailed(broken);
            }

            if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                return RelayOutcome.ClientGone;
            }
        }

        Usage = _translator.Usage.ToUsage();
        if (!_translator.Finished)
        {
            return RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream ended before messageStop"));
        }

        _translator.Complete(output);
        return await FlushAsync(output, cancellationToken).ConfigureAwait(false) ? RelayOutcome.Completed : RelayOutcome.ClientGone;
    }

    public override async ValueTask DisposeAsync()
    {
        _translator.Dispose();
        _response.Dispose();
        _cts.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
