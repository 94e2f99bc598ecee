using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Classifies Bedrock errors: the type from the <c>x-amzn-ErrorType</c> header (<c>ThrottlingException:http://…</c>),
/// else the body's <c>__type</c>, else the status. ThrottlingException and ModelNotReadyException are rate limiting
/// (the wait from Retry-After, else a default backoff); ValidationException a caller error, or a context-window
/// failure when the input is too long; AccessDenied, UnrecognizedClient and signature failures the gateway's
/// credentials; ServiceUnavailable, InternalServer, ModelTimeout and ModelError retryable server failures.
/// The upstream message never leaves here; the code is the exception name in snake case.
/// </summary>
internal static class BedrockErrors
{
    /// <summary>The wait a throttled caller is told when Bedrock names none.</summary>
    public static readonly TimeSpan DefaultBackoff = TimeSpan.FromSeconds(1);

    public static ValueTask<(HttpResponseMessage? Response, UpstreamFailure? Failure)> HeadersAsync(
        UpstreamHttp http, HttpRequestMessage message, CancellationTokenSource cts, TimeSpan timeout, CancellationToken callerToken)
        => UpstreamSend.HeadersAsync(http, message, cts, timeout, callerToken, static (response, body, now) =>
        {
            var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
            var failure = Classify((int)response.StatusCode, type, body);
            return failure.Kind == FailureKind.RateLimited ? failure with { RetryAfter = UpstreamErrors.RetryAfter(response.Headers, now) ?? DefaultBackoff } : failure;
        });

    /// <summary>An error by its exception type (header, body <c>__type</c> or an event-stream <c>:exception-type</c>) and status.</summary>
    public static UpstreamFailure Classify(int status, string? type, ReadOnlySpan<byte> body)
    {
        string? message = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            message = AnthropicJson.String(document.RootElement, "message") ?? AnthropicJson.String(document.RootElement, "Message");
            type ??= AnthropicJson.String(document.RootElement, "__type");
        }
        catch (JsonException)
        {
        }

        type = Name(type);
        var tooLong = message is not null && (message.Contains("too long", StringComparison.OrdinalIgnoreCase) || message.Contains("too many tokens", StringComparison.OrdinalIgnoreCase)
            || message.Contains("context length", StringComparison.OrdinalIgnoreCase));
        var kind = type switch
        {
            "ThrottlingException" or "ModelNotReadyException" or "TooManyRequestsException" => FailureKind.RateLimited,
            "AccessDeniedException" or "UnrecognizedClientException" or "InvalidSignatureException" or "ExpiredTokenException"
                or "IncompleteSignatureException" or "MissingAuthenticationTokenException" => FailureKind.UpstreamAuth,
            "ValidationException" when tooLong => FailureKind.ContextWindowExceeded,
            "ValidationException" or "ResourceNotFoundException" => FailureKind.CallerError,
            "ServiceUnavailableException" or "InternalServerException" or "ModelErrorException" or "ModelStreamErrorException" => FailureKind.ServerError,
            "ModelTimeoutException" => FailureKind.Timeout,
            _ => status switch
            {
                429 => FailureKind.RateLimited,
                401 or 403 => FailureKind.UpstreamAuth,
                408 => FailureKind.Timeout,
                >= 500 => FailureKind.ServerError,
                >= 400 => FailureKind.CallerError,
                _ => FailureKind.InvalidResponse,
            },
        };
        return new UpstreamFailure(kind, status, $"answered HTTP {status}{(type is null ? "" : " " + type)}")
        {
            UpstreamCode = type is null ? null : SnakeCase(type),
            RetryAfter = kind == FailureKind.RateLimited ? DefaultBackoff : null,
        };
    }

    /// <summary>"ThrottlingException:http://internal.amazon.com/…" or "com.amazon.coral#ThrottlingException" -> "ThrottlingException".</summary>
    private static string? Name(string? type)
    {
        if (string.IsNullOrEmpty(type))
        {
            return null;
        }

        var colon = type.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            type = type[..colon];
        }

        var hash = type.LastIndexOf('#');
        type = hash >= 0 ? type[(hash + 1)..] : type;
        return type.Length is > 0 and <= 64 && type.All(char.IsAsciiLetterOrDigit) ? type : null;
    }

    private static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var c in name)
        {
            if (char.IsAsciiLetterUpper(c) && sb.Length > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }
}
