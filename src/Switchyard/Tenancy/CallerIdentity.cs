using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy;

/// <summary>Who is calling: the master key, or a token (with its tenant). Resolved from memory only.</summary>
public sealed class CallerIdentity
{
    public static readonly CallerIdentity Master = new() { IsMaster = true };

    public bool IsMaster { get; private init; }

    public KeyEntry? Key { get; private init; }

    public TenantEntry? Tenant { get; private init; }

    public string? TenantId => Key?.Record.TenantId;

    public string? TokenHash => Key?.Record.TokenHash;

    public static CallerIdentity ForKey(KeyEntry key, TenantEntry? tenant) => new() { Key = key, Tenant = tenant };

    public bool Has(string scope) => IsMaster || (Key?.Scopes.Contains(scope) ?? false);

    /// <summary>Whether this caller may call the alias or group: the token's list, then the tenant's (empty = all).</summary>
    /// <remarks>Allowing a model group also allows the aliases that point to it.</remarks>
    public bool MayUse(string name, string? group = null)
        => IsMaster || (Allowed(Key!.Models, name, group) && (Tenant is null || Allowed(Tenant.Models, name, group)));

    private static bool Allowed(IReadOnlySet<string> models, string name, string? group)
        => models.Count == 0 || models.Contains(name) || (group is not null && models.Contains(group));
}
