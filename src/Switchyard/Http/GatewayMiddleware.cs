using Switchyard.Core.Correlation;

namespace Switchyard.Http;

/// <summary>
/// First in the pipeline: assigns the correlation id (kept from the caller when valid), returns it on every
/// response, continues W3C trace context, enforces the request-line and header limits (<see cref="ProtocolLimits"/>),
/// answers a body Kestrel refused mid-read with its 4xx, and turns anything unexpected into a 500 failure summary.
/// </summary>
public sealed partial class GatewayMiddleware(RequestDelegate next, TimeProvider time, AccessLog.AccessLogWriter accessLog, Dashboard.DashboardRecorder dashboard, ILogger<GatewayMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var id = CorrelationId.FromCaller(headers[CorrelationId.HeaderName].ToString() is { Length: > 0 } s ? s : null, time);
        var traceParent = headers.TraceParent.ToString();
        var traceState = headers.TraceState.ToString();
        var correlation = new CorrelationFeature(id, TraceContext.IsValidTraceParent(traceParent) ? traceParent : null, traceState.Length > 0 ? traceState : null)
        {
            StartTime = time.GetUtcNow(),
            StartTimestamp = time.GetTimestamp(),
        };
        context.Features.Set(correlation);
        context.Response.Headers[CorrelationId.HeaderName] = id;
        using var scope = logger.BeginScope(new CorrelationScope(id));

        // One access-log line per request, whatever answers it (the endpoints fill the record as they learn things);
        // the dashboard's series, recent calls and failures read the same record (inference routes only, which make
        // one when the access log writes no line for the request: nothing else reads a record).
        if (accessLog.BeginIfLogged(context, correlation) is { } logged)
        {
            context.Features.Set(logged);
        }

        try
        {
            if (ProtocolLimits.Check(context) is { } overLimit)
            {
                LogRefused(logger, overLimit.Status, overLimit.Code, id);
                await FailureResponses.WriteAsync(context, overLimit);
                return;
            }

            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the caller went away; nothing to answer
        }
        catch (ResponseAbandonedException) when (context.Response.HasStarted)
        {
            // Kestrel ends a started response whose handler failed without its closing chunk (HTTP/1.1) or with
            // RST_STREAM (HTTP/2): the caller sees a failed transfer after the bytes already sent.
            throw;
        }
        catch (BadHttpRequestException e)
        {
            // the caller's bytes, not a gateway fault: one Warning line, no stack trace
            var summary = FailureResponses.BadRequest(e);
            LogRefused(logger, summary.Status, summary.Code, id);
            await FailureResponses.WriteAsync(context, summary);
        }
        catch (Exception e)
        {
            LogUnexpected(logger, e, id);
            await FailureResponses.WriteAsync(context, FailureResponses.Internal());
        }
        finally
        {
            if (context.Features.Get<AccessLog.AccessRecord>() is { } access)
            {
                accessLog.Complete(context, access);
                dashboard.Complete(access);
            }
        }
    }

    /// <summary>Puts correlation_id on every log line written while the request runs.</summary>
    private sealed class CorrelationScope(string id) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] => new("correlation_id", id);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => "correlation_id=" + id;
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "refused a malformed request with {Status} {Code} (correlation_id {CorrelationId})")]
    private static partial void LogRefused(ILogger logger, int status, string? code, string correlationId);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "unexpected failure (correlation_id {CorrelationId})")]
    private static partial void LogUnexpected(ILogger logger, Exception e, string correlationId);
}
