using System.Buffers;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// An Anthropic event stream relayed to a Messages caller as it is: each event written back with its name and data
/// unchanged and flushed at once, while the usage in message_start (input and cache tokens) and message_delta (output
/// tokens) is read for settlement. As for the translated stream, the events up to message_start are read before the
/// router commits; an upstream error event after that ends the relay as <see cref="RelayOutcome.UpstreamFailed"/> (the
/// pipeline writes the gateway's own error event; the upstream's body never reaches the caller).
/// </summary>
internal sealed class AnthropicNativeStream : UpstreamResponse
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<byte[]>> _events;
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _callerToken;
    private readonly AnthropicTokenCounter _tokens = new();
    private List<SseItem<byte[]>>? _head;

    private AnthropicNativeStream(HttpResponseMessage response, IAsyncEnumerator<SseItem<byte[]>> events, CancellationTokenSource cts, TimeSpan idleTimeout, CancellationToken callerToken, List<SseItem<byte[]>> head)
    {
        _response = response;
        _events = events;
        _cts = cts;
        _idleTimeout = idleTimeout;
        _callerToken = callerToken;
        _head = head;
        IsStream = true;
    }

    public static async ValueTask<AttemptResult<UpstreamResponse>> OpenAsync(HttpResponseMessage response, CancellationTokenSource cts, TimeSpan idleTimeout, TimeSpan firstEventTimeout, CancellationToken callerToken)
    {
        var (events, head, failure) = await AnthropicStreamStart.ReadAsync(response, cts, firstEventTimeout, callerToken).ConfigureAwait(false);
        if (events is null)
        {
            return failure!;
        }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        return AttemptResult<UpstreamResponse>.Ok(new AnthropicNativeStream(response, events, cts, idleTimeout, callerToken, head) { RequestId = UpstreamRequestId.From(response) });
#pragma warning restore CA2000
    }

    public override async ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        if (_head is { } head)
        {
            _head = null;
            foreach (var item in head)
            {
                Write(item, AnthropicStreamEvents.TypeOf(item), output);
            }

            if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                Usage = _tokens.ToUsage();
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
                Usage = _tokens.ToUsage();
                if (_callerToken.IsCancellationRequested || cancellationToken.IsCancellationRequested)
                {
                    return RelayOutcome.ClientGone;
                }

                var failure = UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, _callerToken), _idleTimeout, "stream event");
                return RelayOutcome.UpstreamFailed(failure with { Detail = "stream broke after it started: " + failure.Detail });
            }

            if (!more)
            {
                Usage = _tokens.ToUsage();
                return RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.InvalidResponse, 200, "stream ended without its final message_stop event"));
            }

            var item = _events.Current;
            var type = AnthropicStreamEvents.TypeOf(item);
            if (type == "error")
            {
                Usage = _tokens.ToUsage();
                var failure = AnthropicStreamErrors.FromEvent(item.Data);
                return RelayOutcome.UpstreamFailed(failure with { Detail = "stream broke after it started: " + failure.Detail });
            }

            Write(item, type, output);
            if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
            {
                Usage = _tokens.ToUsage();
                return RelayOutcome.ClientGone;
            }

            if (type == "message_stop")
            {
                Usage = _tokens.ToUsage();
                return RelayOutcome.Completed;
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _events.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        _cts.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The event as Anthropic framed it (<c>event:</c> and <c>data:</c>), its usage observed on the way.</summary>
    private void Write(SseItem<byte[]> item, string type, IBufferWriter<byte> output)
    {
        if (type is "message_start" or "message_delta")
        {
            Observe(type, item.Data);
        }

        var name = item.EventType == SseParser.EventTypeDefault ? null : item.EventType;
        if (name is not null)
        {
            Append(output, "event: "u8);
            Append(output, System.Text.Encoding.UTF8.GetBytes(name));
            Append(output, "\n"u8);
        }

        ReadOnlySpan<byte> data = item.Data;
        int line;
        while ((line = data.IndexOf((byte)'\n')) >= 0)
        {
            Append(output, "data: "u8);
            Append(output, data[..line]);
            Append(output, "\n"u8);
            data = data[(line + 1)..];
        }

        Append(output, "data: "u8);
        Append(output, data);
        Append(output, "\n\n"u8);
    }

    private void Observe(string type, byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            var usage = type == "message_start"
                ? AnthropicJson.Get(AnthropicJson.Get(document.RootElement, "message"), "usage")
                : AnthropicJson.Get(document.RootElement, "usage");
            _tokens.Observe(usage);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // relayed as it came; the usage it may have carried is not counted
        }
    }

    private static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }
}
