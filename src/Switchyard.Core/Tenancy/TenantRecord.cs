namespace Switchyard.Core.Tenancy;

/// <summary>A tenant (LiteLLM team): allowed aliases, limits and spend in the current budget period.</summary>
public sealed record TenantRecord
{
    public required string TenantId { get; init; }
    public string? Alias { get; init; }

    /// <summary>Aliases or groups the tenant may call; empty means all.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>
    /// The tenant's model aliases (LiteLLM's team <c>model_aliases</c>): a name its keys send, mapped to the alias or
    /// group it calls. Resolved after the key's own aliases, before the global ones.
    /// </summary>
    public IReadOnlyDictionary<string, string> ModelAliases { get; init; } = KeyRecord.EmptyAliases;

    public Limits Limits { get; init; } = Limits.None;
    public IReadOnlyDictionary<string, AliasLimits> AliasLimits { get; init; } = new Dictionary<string, AliasLimits>();
    public decimal Spend { get; init; }
    public DateTimeOffset? BudgetResetAt { get; init; }
    public string? MetadataJson { get; init; }
    public bool Blocked { get; init; }

    /// <summary>"config" when declared in the config file (the file wins), "api" when created through the admin API.</summary>
    public string Source { get; init; } = "api";

    public DateTimeOffset CreatedAt { get; init; }
}
