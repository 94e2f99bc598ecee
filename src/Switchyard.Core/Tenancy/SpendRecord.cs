namespace Switchyard.Core.Tenancy;

/// <summary>One spend log row: who called what, what it cost, how it went.</summary>
public sealed record SpendRecord
{
    public required string RequestId { get; init; }
    public required string CorrelationId { get; init; }
    public string? TenantId { get; init; }
    public string? TokenHash { get; init; }

    /// <summary>The user who owns the calling key, when it has one; the cost settles to their spend too.</summary>
    public string? UserId { get; init; }

    public required string Alias { get; init; }
    public string? Deployment { get; init; }
    public string? ProviderFamily { get; init; }
    public string? Model { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public decimal Cost { get; init; }
    public int Status { get; init; }
    public double LatencyMs { get; init; }
    public DateTimeOffset StartTime { get; init; }
}

/// <summary>Filter for spend log queries.</summary>
public sealed record SpendQuery
{
    public string? TenantId { get; init; }
    public string? TokenHash { get; init; }
    public string? UserId { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int Limit { get; init; } = 1000;
}
