using System.Globalization;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Classifies Google API errors (<c>{"error":{"code":429,"message":…,"status":"RESOURCE_EXHAUSTED","details":[…]}}</c>):
/// 429 is rate limiting with the wait taken from <c>google.rpc.RetryInfo.retryDelay</c> (else Retry-After); 401/403
/// (PERMISSION_DENIED, UNAUTHENTICATED) and a 400 whose <c>ErrorInfo.reason</c> is API_KEY_INVALID are the gateway's
/// key; a 400 about the input token count is a context-window failure; 5xx (INTERNAL, UNAVAILABLE) server errors;
/// other 4xx the caller's. The upstream message never leaves here; the code is the lower-cased status.
/// </summary>
internal static class GeminiErrors
{
    /// <summary>Sends and waits for the headers (UpstreamSend), classifying failures the Google way.</summary>
    public static ValueTask<(HttpResponseMessage? Response, UpstreamFailure? Failure)> HeadersAsync(
        UpstreamHttp http, HttpRequestMessage message, CancellationTokenSource cts, TimeSpan timeout, CancellationToken callerToken)
        => UpstreamSend.HeadersAsync(http, message, cts, timeout, callerToken, static (response, body, now) =>
        {
            var failure = FromBody((int)response.StatusCode, body);
            return failure.RetryAfter is null ? failure with { RetryAfter = UpstreamErrors.RetryAfter(response.Headers, now) } : failure;
        });

    /// <summary>A Google error body (HTTP answer or a stream's error event); <paramref name="status"/> when the body names none.</summary>
    public static UpstreamFailure FromBody(int status, ReadOnlySpan<byte> body)
    {
        string? googleStatus = null, message = null, reason = null;
        TimeSpan? retryDelay = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var error = AnthropicJson.Get(document.RootElement, "error");
            if (AnthropicJson.Get(error, "code") is { ValueKind: JsonValueKind.Number } code && code.TryGetInt32(out var c) && c is >= 400 and < 600)
            {
                status = c;
            }

            googleStatus = AnthropicJson.String(error, "status");
            message = AnthropicJson.String(error, "message");
            foreach (var detail in GeminiResponseTranslator.Items(AnthropicJson.Get(error, "details")))
            {
                var type = AnthropicJson.String(detail, "@type") ?? "";
                if (type.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal))
                {
                    retryDelay = Duration(AnthropicJson.String(detail, "retryDelay"));
                }
                else if (type.EndsWith("google.rpc.ErrorInfo", StringComparison.Ordinal))
                {
                    reason = AnthropicJson.String(detail, "reason");
                }
            }
        }
        catch (JsonException)
        {
        }

        var contextWindow = message is not null && (message.Contains("input token count", StringComparison.OrdinalIgnoreCase)
            || message.Contains("exceeds the maximum number of tokens", StringComparison.OrdinalIgnoreCase));
        var kind = status switch
        {
            429 => FailureKind.RateLimited,
            401 or 403 => FailureKind.UpstreamAuth,
            400 when reason is "API_KEY_INVALID" or "API_KEY_SERVICE_BLOCKED" => FailureKind.UpstreamAuth,
            408 => FailureKind.Timeout,
            >= 500 => FailureKind.ServerError,
            400 when contextWindow => FailureKind.ContextWindowExceeded,
            >= 400 => FailureKind.CallerError,
            _ => FailureKind.InvalidResponse,
        };
        return new UpstreamFailure(kind, status, $"answered HTTP {status}")
        {
            RetryAfter = retryDelay,
            UpstreamCode = Code(googleStatus),
        };
    }

    /// <summary>A protobuf Duration in JSON ("34s", "0.5s"), capped at a day; null when it is not one.</summary>
    public static TimeSpan? Duration(string? value)
        => value is { Length: > 1 } && value[^1] == 's'
            && double.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, 86_400))
            : null;

    private static string? Code(string? status)
        => status is { Length: > 0 and <= 40 } && status.All(c => char.IsAsciiLetterUpper(c) || c == '_') ? status.ToLowerInvariant() : null;
}
