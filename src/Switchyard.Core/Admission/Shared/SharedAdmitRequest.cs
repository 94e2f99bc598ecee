namespace Switchyard.Core.Admission.Shared;

/// <summary>
/// One admission for the shared limiter: up to four subjects (token, tenant, tenant alias, user) in the order they are checked (null where a subject is
/// absent or has no shared limit), what the request reserves, and which limits are shared.
/// </summary>
public sealed class SharedAdmitRequest
{
    public LimitState?[] Subjects { get; } = new LimitState?[4];

    public long EstimatedTokens { get; init; }

    public long EstimatedCostNanos { get; init; }

    /// <summary>Whether rpm, tpm and max_parallel_requests are checked in the shared store.</summary>
    public bool Rates { get; init; } = true;

    /// <summary>Whether max_budget is checked in the shared store.</summary>
    public bool Budgets { get; init; } = true;
}
