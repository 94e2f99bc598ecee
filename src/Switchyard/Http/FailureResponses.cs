using System.Globalization;
using Switchyard.Core.Failures;

namespace Switchyard.Http;

/// <summary>Writes failure summaries with their status and headers (Retry-After, retry-after-ms, x-should-retry).</summary>
public static class FailureResponses
{
    public static Task WriteAsync(HttpContext context, FailureSummary summary)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        var correlation = context.Features.Get<CorrelationFeature>()?.CorrelationId;
        summary = summary with { CorrelationId = correlation ?? summary.CorrelationId };
        if (context.Features.Get<AccessLog.AccessRecord>() is { } access)
        {
            access.Code = summary.Code;
            access.Alias ??= summary.Route;
            access.Failure = summary; // the one place every failure summary is written: the dashboard's failures ring reads it
        }

        if (Audit.AuditEntry.Of(context) is { } audit)
        {
            audit.ErrorCode = summary.Code;
        }

        response.StatusCode = summary.Status;
        response.ContentType = "application/json";
        var headers = response.Headers;
        if (summary.RetryAfterMs is { } ms)
        {
            headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(ms / 1000.0)).ToString(CultureInfo.InvariantCulture);
            headers["retry-after-ms"] = ms.ToString(CultureInfo.InvariantCulture);
        }

        headers["x-should-retry"] = summary.ShouldRetry ? "true" : "false";
        var bytes = context.Features.Get<Ingress.IngressFeature>() is { } ingress ? ingress.Codec.ErrorBody(summary) : FailureSummaryWriter.ToUtf8(summary);
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }

    public static FailureSummary NotFound(string path) => new()
    {
        Status = 404,
        Type = FailureType.NotFound,
        Code = "unknown_route",
        Message = $"no endpoint at {path}; see /v1/chat/completions, /v1/responses, /v1/messages, /v1/embeddings, /v1/models, /health",
    };

    public static FailureSummary MethodNotAllowed(string method, string path, string allowed) => new()
    {
        Status = 405,
        Type = FailureType.InvalidRequest,
        Code = "method_not_allowed",
        Message = $"{method} is not allowed on {path}; use {allowed}",
    };

    /// <summary>
    /// The summary for a request Kestrel refused while the application read it (broken chunked framing, a body shorter
    /// than its Content-Length, a body slower than the minimum data rate); Kestrel's status is kept.
    /// </summary>
    public static FailureSummary BadRequest(BadHttpRequestException e) => e.StatusCode switch
    {
        408 => new FailureSummary
        {
            Status = 408,
            Type = FailureType.InvalidRequest,
            Code = "body_timeout",
            Message = "the request body arrived slower than the gateway's minimum data rate; send it without pauses",
        },
        413 => new FailureSummary
        {
            Status = 413,
            Type = FailureType.PayloadTooLarge,
            Code = "body_too_large",
            Message = "the request body is larger than the gateway accepts",
        },
        _ => new FailureSummary
        {
            Status = e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400,
            Type = FailureType.InvalidRequest,
            Code = "malformed_body",
            Message = $"the request body could not be read: {e.Message.TrimEnd('.')}",
        },
    };

    public static FailureSummary Internal() => new()
    {
        Status = 500,
        Type = FailureType.Internal,
        Code = "internal_error",
        Message = "the gateway failed unexpectedly; the correlation id finds it in the logs",
    };
}
