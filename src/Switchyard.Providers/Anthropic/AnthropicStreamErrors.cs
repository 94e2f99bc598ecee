using Switchyard.Core.Failures;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Classifies an Anthropic <c>event: error</c> (<c>{"type":"error","error":{"type":...,"message":...}}</c>) by its
/// error type, with the HTTP status the same error would have had. The upstream message never leaves here.
/// </summary>
internal static class AnthropicStreamErrors
{
    public static UpstreamFailure FromEvent(ReadOnlySpan<byte> data)
    {
        var (_, _, type, message) = UpstreamErrors.ParseError(data);
        var (kind, status) = type switch
        {
            "overloaded_error" => (FailureKind.ServerError, 529),
            "api_error" => (FailureKind.ServerError, 500),
            "rate_limit_error" => (FailureKind.RateLimited, 429),
            "authentication_error" => (FailureKind.UpstreamAuth, 401),
            "permission_error" => (FailureKind.UpstreamAuth, 403),
            "timeout_error" => (FailureKind.Timeout, 504),
            "not_found_error" => (FailureKind.CallerError, 404),
            "request_too_large" => (FailureKind.CallerError, 413),
            "invalid_request_error" when message?.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase) ?? false => (FailureKind.ContextWindowExceeded, 400),
            "invalid_request_error" => (FailureKind.CallerError, 400),
            _ => (FailureKind.ServerError, 500),
        };
        var known = kind != FailureKind.ServerError || type is "overloaded_error" or "api_error";
        return new UpstreamFailure(kind, status, $"sent an error event ({(known ? type : "unknown type")})")
        {
            UpstreamCode = known ? type : null,
        };
    }
}
