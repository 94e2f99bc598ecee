namespace Switchyard.Core.Admission;

/// <summary>Why a request was not admitted: the limit hit, on whom, and when a retry may pass.</summary>
public sealed record AdmissionRejection(string Code, string Subject, string Message, TimeSpan? RetryAfter)
{
    /// <summary>The HTTP status: 429 for a limit, 503 when the shared state admission needs is unreachable.</summary>
    public int Status { get; init; } = 429;
}

/// <summary>Limit codes (the failure summary's <c>code</c> on a 429).</summary>
public static class LimitCodes
{
    public const string Rpm = "rpm_limit";
    public const string Tpm = "tpm_limit";
    public const string Concurrency = "concurrency_limit";
    public const string Budget = "budget_exceeded";

    /// <summary>The budget has room, but requests in flight have reserved it: retry shortly.</summary>
    public const string BudgetReserved = "budget_reserved";

    /// <summary>
    /// The shared limits (Redis) cannot be reached and the policy is to fail closed: a 503, retry when the breaker in
    /// front of Redis probes again.
    /// </summary>
    public const string SharedStateUnavailable = "shared_state_unavailable";
}
