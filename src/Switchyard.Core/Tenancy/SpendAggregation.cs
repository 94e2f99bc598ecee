namespace Switchyard.Core.Tenancy;

/// <summary>What spend rows are grouped by on the dashboard's spend page.</summary>
public enum SpendGroupBy
{
    Model,
    Tenant,
    Alias,
    Day,
}

/// <summary>
/// Spend rows in [<see cref="From"/>, <see cref="To"/>) summed per <see cref="GroupBy"/>, one page of groups ordered by
/// spend (then key; by day: newest first).
/// </summary>
public sealed record SpendAggregateQuery
{
    public SpendGroupBy GroupBy { get; init; }
    public string? TenantId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }

    /// <summary>Deployments without a price: their rows with tokens and no cost count as unpriced.</summary>
    public IReadOnlyCollection<string> UnpricedDeployments { get; init; } = [];

    /// <summary>1-based page.</summary>
    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 50;
}

/// <summary>
/// One group's sums. <see cref="Key"/> is the model (or the alias when no model was recorded), tenant (null: no
/// tenant), alias, or UTC day (yyyy-MM-dd).
/// </summary>
public sealed record SpendAggregate
{
    public string? Key { get; init; }
    public long Requests { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public decimal Cost { get; init; }

    /// <summary>Requests with tokens but no cost on a deployment that has no price.</summary>
    public long Unpriced { get; init; }
}
