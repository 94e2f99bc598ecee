namespace Switchyard.Core.Tenancy;

/// <summary>
/// Spend log rows summed per UTC day, tenant, token, alias and provider model: the finest grain spend reports
/// (<c>switchyard spend</c>, <c>/spend/summary</c>, LiteLLM's <c>/global/spend/report</c>) group further.
/// </summary>
public sealed record SpendTotal
{
    public DateOnly Day { get; init; }
    public string? TenantId { get; init; }
    public string? TokenHash { get; init; }
    public required string Alias { get; init; }
    public string? ProviderFamily { get; init; }
    public string? Model { get; init; }
    public long Requests { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public decimal Cost { get; init; }

    /// <summary>Sums spend rows in memory (for stores without a query of their own).</summary>
    public static IReadOnlyList<SpendTotal> Of(IEnumerable<SpendRecord> rows)
        => rows.GroupBy(r => (Day: DateOnly.FromDateTime(r.StartTime.UtcDateTime), r.TenantId, r.TokenHash, r.Alias, r.ProviderFamily, r.Model))
            .Select(g => new SpendTotal
            {
                Day = g.Key.Day,
                TenantId = g.Key.TenantId,
                TokenHash = g.Key.TokenHash,
                Alias = g.Key.Alias,
                ProviderFamily = g.Key.ProviderFamily,
                Model = g.Key.Model,
                Requests = g.LongCount(),
                PromptTokens = g.Sum(r => r.PromptTokens),
                CompletionTokens = g.Sum(r => r.CompletionTokens),
                Cost = g.Sum(r => r.Cost),
            })
            .ToArray();
}
