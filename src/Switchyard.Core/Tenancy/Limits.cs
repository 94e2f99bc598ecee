namespace Switchyard.Core.Tenancy;

/// <summary>Limits a token or tenant carries; null means unlimited.</summary>
public sealed record Limits
{
    public int? Rpm { get; init; }
    public int? Tpm { get; init; }
    public int? MaxParallelRequests { get; init; }
    public decimal? MaxBudget { get; init; }

    /// <summary>Alerts only (no rejection) when spend in the period reaches it.</summary>
    public decimal? SoftBudget { get; init; }

    /// <summary>Budget period (30s, 30m, 24h, 30d, 1mo); null means the budget never resets.</summary>
    public BudgetDuration? BudgetDuration { get; init; }

    public static readonly Limits None = new();
}

/// <summary>Per-alias limits inside a tenant (LiteLLM model_rpm_limit / model_tpm_limit).</summary>
public sealed record AliasLimits(int? Rpm, int? Tpm);
