using Switchyard.Core.Correlation;
using Switchyard.Core.Failures;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Http;

/// <summary>What every adapter does around the wire: forward correlation and trace context, send, and classify a failure.</summary>
public static class UpstreamSend
{
    private const int MaxErrorBody = 64 * 1024;

    /// <summary>X-Correlation-Id always; W3C traceparent/tracestate when the request carries them.</summary>
    public static void AddCorrelation(HttpRequestMessage message, ProviderRequest request)
    {
        message.Headers.TryAddWithoutValidation(CorrelationId.HeaderName, request.CorrelationId);
        if (request.TraceParent is not null)
        {
            message.Headers.TryAddWithoutValidation("traceparent", request.TraceParent);
            if (request.TraceState is not null)
            {
                message.Headers.TryAddWithoutValidation("tracestate", request.TraceState);
            }
        }
    }

    /// <summary>
    /// Sends and waits for the response headers under <paramref name="cts"/> (already set to the timeout). Returns the
    /// response when its status is a success, else the classified failure (the response is then disposed).
    /// </summary>
    public static async ValueTask<(HttpResponseMessage? Response, UpstreamFailure? Failure)> HeadersAsync(
        UpstreamHttp http, HttpRequestMessage message, CancellationTokenSource cts, TimeSpan timeout, CancellationToken callerToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.Invoker.SendAsync(message, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            callerToken.ThrowIfCancellationRequested();
            return (null, UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, callerToken), timeout, "response headers"));
        }

        if (response.IsSuccessStatusCode)
        {
            return (response, null);
        }

        using (response)
        {
            return (null, await UpstreamErrors.FromResponseAsync(response, http.Time, cts.Token).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// As <see cref="HeadersAsync(UpstreamHttp, HttpRequestMessage, CancellationTokenSource, TimeSpan, CancellationToken)"/>
    /// for a provider with its own error shape: a failed answer's body (at most 64 KiB; empty when it cannot be read) goes
    /// to <paramref name="classify"/> with the response (for its headers) and the time now (for Retry-After dates).
    /// </summary>
    public static async ValueTask<(HttpResponseMessage? Response, UpstreamFailure? Failure)> HeadersAsync(
        UpstreamHttp http, HttpRequestMessage message, CancellationTokenSource cts, TimeSpan timeout, CancellationToken callerToken,
        Func<HttpResponseMessage, byte[], DateTimeOffset, UpstreamFailure> classify)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.Invoker.SendAsync(message, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            callerToken.ThrowIfCancellationRequested();
            return (null, UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, callerToken), timeout, "response headers"));
        }

        if (response.IsSuccessStatusCode)
        {
            return (response, null);
        }

        using (response)
        {
            byte[] body;
            try
            {
                body = await UpstreamErrors.ReadPrefixAsync(response.Content, MaxErrorBody, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                body = [];
            }

            return (null, classify(response, body, http.Time.GetUtcNow()));
        }
    }
}
