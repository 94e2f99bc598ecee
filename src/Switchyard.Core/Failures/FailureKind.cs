namespace Switchyard.Core.Failures;

/// <summary>How an upstream attempt failed; decides retry, fallback and breaker accounting.</summary>
public enum FailureKind
{
    /// <summary>The caller's own 4xx (bad parameters, content policy): never retried, not counted against a breaker.</summary>
    CallerError,

    /// <summary>The prompt does not fit the model: goes to context_window_fallbacks; not counted.</summary>
    ContextWindowExceeded,

    /// <summary>Upstream 429.</summary>
    RateLimited,

    /// <summary>Upstream 401/403: the gateway's provider key is wrong; counted, never retried on the same deployment.</summary>
    UpstreamAuth,

    /// <summary>Upstream 5xx.</summary>
    ServerError,

    /// <summary>No headers or first byte within the deployment's timeout.</summary>
    Timeout,

    /// <summary>Refused, reset or unreachable.</summary>
    ConnectionError,

    /// <summary>A 2xx whose body is not what the wire format promises.</summary>
    InvalidResponse,

    /// <summary>The deployment's provider cannot do this operation (embeddings on Anthropic): another deployment may; not counted.</summary>
    Unsupported,
}

public static class FailureKindExtensions
{
    public static bool CountsAgainstBreaker(this FailureKind kind)
        => kind is not (FailureKind.CallerError or FailureKind.ContextWindowExceeded or FailureKind.Unsupported);

    public static bool IsRetryable(this FailureKind kind)
        => kind is FailureKind.RateLimited or FailureKind.ServerError or FailureKind.Timeout
            or FailureKind.ConnectionError or FailureKind.InvalidResponse;
}
