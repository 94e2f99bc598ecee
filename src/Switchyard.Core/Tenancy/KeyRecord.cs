namespace Switchyard.Core.Tenancy;

/// <summary>
/// A scoped token as stored: only its SHA-256 hash (<see cref="TokenHash"/>, LiteLLM's "token") and a masked
/// display name; the clear token is shown once, at creation.
/// </summary>
public sealed record KeyRecord
{
    public required string TokenHash { get; init; }
    public required string KeyName { get; init; }
    public string? KeyAlias { get; init; }
    public string? TenantId { get; init; }

    /// <summary>The user who owns the key (LiteLLM's user_id); their budget bounds it too.</summary>
    public string? UserId { get; init; }

    /// <summary>Aliases the token may call; empty means all its tenant may.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>
    /// The key's own model aliases (LiteLLM's <c>aliases</c>): a name the caller sends, mapped to the alias or group it
    /// calls. Resolved before the team's and the global aliases.
    /// </summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = EmptyAliases;

    public IReadOnlyList<string> Scopes { get; init; } = [Tenancy.Scopes.Invoke];
    public Limits Limits { get; init; } = Limits.None;
    public decimal Spend { get; init; }
    public DateTimeOffset? BudgetResetAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public bool Revoked { get; init; }

    /// <summary>After a rotation the old token works until this moment.</summary>
    public DateTimeOffset? GraceUntil { get; init; }

    /// <summary>The token this one replaced in a rotation.</summary>
    public string? RotatedFrom { get; init; }

    public string? MetadataJson { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    internal static readonly IReadOnlyDictionary<string, string> EmptyAliases = new Dictionary<string, string>(StringComparer.Ordinal);

    public bool IsUsable(DateTimeOffset now)
        => !Revoked && (ExpiresAt is null || ExpiresAt > now) && (GraceUntil is null || GraceUntil > now);
}
