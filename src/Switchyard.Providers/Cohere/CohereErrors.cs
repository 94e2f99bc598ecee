using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// Classifies Cohere errors (<c>{"id":…,"message":…}</c>): 429 is rate limiting with the wait from Retry-After, else a
/// default backoff; 400 and 422 the caller's request, or a context-window failure when the message says the input is
/// too long; 401 and 403 the gateway's credentials; 5xx (and 498/499, Cohere's invalid-token and cancelled) retryable
/// server failures. Cohere's message is read only to classify; like every adapter's, it never leaves here
/// (docs/failure-contract.md: status and code pass on, free text does not).
/// </summary>
internal static class CohereErrors
{
    /// <summary>The wait a throttled caller is told when Cohere names none.</summary>
    public static readonly TimeSpan DefaultBackoff = TimeSpan.FromSeconds(1);

    public static ValueTask<(HttpResponseMessage? Response, UpstreamFailure? Failure)> HeadersAsync(
        UpstreamHttp http, HttpRequestMessage message, CancellationTokenSource cts, TimeSpan timeout, CancellationToken callerToken)
        => UpstreamSend.HeadersAsync(http, message, cts, timeout, callerToken, static (response, body, now) =>
        {
            var failure = Classify((int)response.StatusCode, body);
            return failure.Kind == FailureKind.RateLimited ? failure with { RetryAfter = UpstreamErrors.RetryAfter(response.Headers, now) ?? DefaultBackoff } : failure;
        });

    public static UpstreamFailure Classify(int status, ReadOnlySpan<byte> body)
    {
        var message = Message(body);
        var tooLong = message is not null && (message.Contains("too long", StringComparison.OrdinalIgnoreCase) || message.Contains("too many tokens", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context length", StringComparison.OrdinalIgnoreCase));
        var kind = status switch
        {
            429 => FailureKind.RateLimited,
            401 or 403 or 498 => FailureKind.UpstreamAuth,
            408 => FailureKind.Timeout,
            400 or 422 when tooLong => FailureKind.ContextWindowExceeded,
            >= 500 or 499 => FailureKind.ServerError,
            >= 400 => FailureKind.CallerError,
            _ => FailureKind.InvalidResponse,
        };
        return new UpstreamFailure(kind, status, $"answered HTTP {status}")
        {
            UpstreamCode = status switch
            {
                400 or 422 => "invalid_request",
                429 => "too_many_requests",
                _ => null,
            },
            RetryAfter = kind == FailureKind.RateLimited ? DefaultBackoff : null,
        };
    }

    private static string? Message(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object ? AnthropicJson.String(document.RootElement, "message") : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
