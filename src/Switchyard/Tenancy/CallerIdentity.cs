using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy;

/// <summary>
/// Who is calling: the master key, or a token (with its tenant). Resolved from memory only. On admin routes the master
/// key and admin tokens without a tenant are global admins; an admin token bound to a tenant administers that tenant
/// only (see docs/tenancy.md, "Global and tenant admins").
/// </summary>
public sealed class CallerIdentity
{
    public static readonly CallerIdentity Master = new() { IsMaster = true };

    public bool IsMaster { get; private init; }

    public KeyEntry? Key { get; private init; }

    public TenantEntry? Tenant { get; private init; }

    /// <summary>The user who owns the token, when it has one (their budget and model list bound it too).</summary>
    public UserEntry? User { get; private init; }

    public string? UserId => Key?.Record.UserId;

    public string? TenantId => Key?.Record.TenantId;

    public string? TokenHash => Key?.Record.TokenHash;

    public static CallerIdentity ForKey(KeyEntry key, TenantEntry? tenant, UserEntry? user = null) => new() { Key = key, Tenant = tenant, User = user };

    public bool Has(string scope) => IsMaster || (Key?.Scopes.Contains(scope) ?? false);

    /// <summary>An admin over the whole gateway: the master key, or an admin token bound to no tenant.</summary>
    public bool IsGlobalAdmin => IsMaster || (TenantId is null && Has(Scopes.Admin));

    /// <summary>The tenant an admin token bound to one administers (null for global admins and tokens without admin).</summary>
    public string? AdminTenantId => !IsMaster && Has(Scopes.Admin) ? TenantId : null;

    /// <summary>Whether this caller may see and change the key: a global admin any key, a tenant admin its tenant's keys.</summary>
    public bool MayManage(KeyRecord key) => IsGlobalAdmin || (AdminTenantId is { } t && key.TenantId == t);

    /// <summary>Whether this caller may read the key's spend: what it may manage, its tenant's keys, and itself.</summary>
    public bool MayReadSpendOf(KeyRecord key)
        => MayManage(key) || (TenantId is { } t && key.TenantId == t) || key.TokenHash == TokenHash;

    /// <summary>
    /// The name <paramref name="model"/> stands for with this caller: its key's alias first, then its tenant's (one step,
    /// no chains; the global aliases are resolved after, by the route table). <c>TeamAlias</c> says a tenant alias did it.
    /// </summary>
    public (string Model, bool TeamAlias) ResolveAlias(string model)
    {
        if (Key?.Record.Aliases.TryGetValue(model, out var mine) == true)
        {
            return (mine, false);
        }

        return Tenant?.Record.ModelAliases.TryGetValue(model, out var team) == true ? (team, true) : (model, false);
    }

    /// <summary>Whether this caller may call the alias or group: the token's list, the tenant's, then its user's (empty = all).</summary>
    /// <remarks>
    /// Allowing a model group also allows the aliases that point to it. An entry with <c>*</c> is a pattern, as in
    /// LiteLLM (<c>openai/*</c> allows <c>openai/gpt-4o</c>); a name a wildcard route serves is checked as the concrete
    /// name requested.
    /// </remarks>
    public bool MayUse(string name, string? group = null)
        => IsMaster || (Allowed(Key!.Models, name, group) && (Tenant is null || Allowed(Tenant.Models, name, group))
            && (User is null || User.Record.Models.Count == 0 || User.Record.Models.Contains(name) || (group is not null && User.Record.Models.Contains(group))));

    private static bool Allowed(IReadOnlySet<string> models, string name, string? group)
        => models.Count == 0 || models.Contains(name) || (group is not null && models.Contains(group))
            || models.Any(m => Core.Routing.WildcardPattern.IsPattern(m) && Core.Routing.WildcardPattern.Matches(m, name));
}
