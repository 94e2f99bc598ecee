namespace Switchyard.Core.Failures;

/// <summary>
/// The failure summary every error answer carries (contract): the OpenAI error envelope plus
/// route, provider_family, retry_after_ms and correlation_id. All eight fields are always written.
/// </summary>
public sealed record FailureSummary
{
    public required int Status { get; init; }
    public required string Message { get; init; }
    public required string Type { get; init; }
    public string? Code { get; init; }
    public string? Param { get; init; }
    public string? Route { get; init; }
    public string? ProviderFamily { get; init; }
    public long? RetryAfterMs { get; init; }
    public string? CorrelationId { get; init; }

    /// <summary>
    /// Whether a client may retry this request as it is (drives <c>x-should-retry</c>). The gateway's own 409s
    /// (team_exists, declared_in_config) are permanent, so 409 is not retryable here.
    /// </summary>
    /// <remarks>False when the wait is over a minute (a spent budget, a long cooldown): clients should not sit in a retry loop.</remarks>
    public bool ShouldRetry => (Status is 408 or 429 or >= 500) && Type != FailureType.Internal && RetryAfterMs is not > 60_000
        && !(Code == "budget_exceeded" && RetryAfterMs is null);

    public static FailureSummary BadRequest(string message, string? param, string code = "invalid_request") => new()
    {
        Status = 400, Message = message, Type = FailureType.InvalidRequest, Code = code, Param = param,
    };
}
