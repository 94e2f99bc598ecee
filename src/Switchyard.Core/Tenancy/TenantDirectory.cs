using System.Collections.Concurrent;
using System.Collections.Frozen;
using Switchyard.Core.Admission;

namespace Switchyard.Core.Tenancy;

/// <summary>A cached token with its live limit counters.</summary>
public sealed class KeyEntry(KeyRecord record, LimitState limits, FrozenSet<string> models, FrozenSet<string> scopes)
{
    public KeyRecord Record { get; } = record;
    public LimitState Limits { get; } = limits;
    public FrozenSet<string> Models { get; } = models;
    public FrozenSet<string> Scopes { get; } = scopes;

    /// <summary>metadata.tags: added to every request's tags (tag-based routing).</summary>
    public FrozenSet<string> Tags { get; } = MetadataTags.Read(record.MetadataJson);
}

/// <summary>A cached tenant with its live limit counters (and one per alias limit).</summary>
public sealed class TenantEntry(TenantRecord record, LimitState limits, FrozenDictionary<string, LimitState> aliasLimits, FrozenSet<string> models)
{
    public TenantRecord Record { get; } = record;
    public LimitState Limits { get; } = limits;
    public FrozenDictionary<string, LimitState> AliasLimits { get; } = aliasLimits;
    public FrozenSet<string> Models { get; } = models;

    /// <summary>metadata.tags: added to every request's tags from its keys (tag-based routing).</summary>
    public FrozenSet<string> Tags { get; } = MetadataTags.Read(record.MetadataJson);
}

/// <summary>A cached user with the live counters of their own budget and limits.</summary>
public sealed class UserEntry(UserRecord record, LimitState limits)
{
    public UserRecord Record { get; } = record;
    public LimitState Limits { get; } = limits;
}

/// <summary>
/// Every token hash, tenant and user in memory, so the request path never touches the store. Entries are replaced whole on
/// change; their limit counters carry over, so an update never resets a running window or in-flight count.
/// </summary>
public sealed class TenantDirectory
{
    private readonly ConcurrentDictionary<TokenHash, KeyEntry> _keys = new();
    private readonly ConcurrentDictionary<string, TenantEntry> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UserEntry> _users = new(StringComparer.Ordinal);

    public int KeyCount => _keys.Count;

    public KeyEntry? FindKey(TokenHash hash) => _keys.GetValueOrDefault(hash);

    public TenantEntry? FindTenant(string? tenantId) => tenantId is null ? null : _tenants.GetValueOrDefault(tenantId);

    public IEnumerable<KeyEntry> Keys => _keys.Values;

    public IEnumerable<TenantEntry> Tenants => _tenants.Values;

    public UserEntry? FindUser(string? userId) => userId is null ? null : _users.GetValueOrDefault(userId);

    public IEnumerable<UserEntry> Users => _users.Values;

    public UserEntry SetUser(UserRecord record)
    {
        var previous = _users.GetValueOrDefault(record.UserId);
        var limits = previous?.Limits ?? new LimitState("user", record.UserId, record.Limits, AdmissionController.ToNanos(record.Spend), record.BudgetResetAt);
        limits.Limits = record.Limits;
        var entry = new UserEntry(record, limits);
        _users[record.UserId] = entry;
        return entry;
    }

    public bool RemoveUser(string userId) => _users.TryRemove(userId, out _);

    /// <param name="inherit">Counters to share (a rotated token shares its predecessor's, so limits are not doubled during the grace period).</param>
    public KeyEntry SetKey(KeyRecord record, LimitState? inherit = null)
    {
        if (!TokenHash.TryParse(record.TokenHash, out var hash))
        {
            throw new ArgumentException("token hash must be 64 hex characters", nameof(record));
        }

        var previous = _keys.GetValueOrDefault(hash);
        var limits = previous?.Limits ?? inherit ?? new LimitState("key", record.TokenHash, record.Limits, AdmissionController.ToNanos(record.Spend), record.BudgetResetAt);
        limits.Limits = record.Limits;
        var entry = new KeyEntry(record, limits, record.Models.ToFrozenSet(StringComparer.Ordinal), record.Scopes.ToFrozenSet(StringComparer.Ordinal));
        _keys[hash] = entry;
        return entry;
    }

    public bool RemoveKey(string tokenHashHex) => TokenHash.TryParse(tokenHashHex, out var h) && _keys.TryRemove(h, out _);

    public TenantEntry SetTenant(TenantRecord record)
    {
        var previous = _tenants.GetValueOrDefault(record.TenantId);
        var limits = previous?.Limits ?? new LimitState("tenant", record.TenantId, record.Limits, AdmissionController.ToNanos(record.Spend), record.BudgetResetAt);
        limits.Limits = record.Limits;
        var aliasLimits = new Dictionary<string, LimitState>(StringComparer.Ordinal);
        foreach (var (alias, l) in record.AliasLimits)
        {
            var state = previous?.AliasLimits.GetValueOrDefault(alias) ?? new LimitState("tenant_alias", $"{record.TenantId}/{alias}", Tenancy.Limits.None, 0, null);
            state.Limits = new Limits { Rpm = l.Rpm, Tpm = l.Tpm };
            aliasLimits[alias] = state;
        }

        var entry = new TenantEntry(record, limits, aliasLimits.ToFrozenDictionary(StringComparer.Ordinal), record.Models.ToFrozenSet(StringComparer.Ordinal));
        _tenants[record.TenantId] = entry;
        return entry;
    }

    public bool RemoveTenant(string tenantId) => _tenants.TryRemove(tenantId, out _);
}
