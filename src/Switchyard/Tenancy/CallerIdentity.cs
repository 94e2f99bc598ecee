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
    public bool MayUse(string name)
        => IsMaster || ((Key!.Models.Count == 0 || Key.Models.Contains(name)) && (Tenant is null || Tenant.Models.Count == 0 || Tenant.Models.Contains(name)));
}
