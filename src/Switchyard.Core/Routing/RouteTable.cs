using System.Collections.Frozen;
using Switchyard.Core.Config;

namespace Switchyard.Core.Routing;

/// <summary>
/// Built once per config snapshot: names (model groups and aliases) to route groups, and fallback chains.
/// Exact names win; a name none has goes to the most specific wildcard model_name it matches (<see cref="WildcardRoutes"/>);
/// a miss is answered with the nearest names.
/// </summary>
public sealed class RouteTable
{
    private readonly FrozenDictionary<string, RouteGroup> _byName;
    private readonly FrozenDictionary<string, RouteGroup> _byModelName;
    private readonly WildcardRoutes _wildcards;

    public RouteTable(GatewayConfig config, DeploymentStateRegistry states)
    {
        ArgumentNullException.ThrowIfNull(states);
        Config = config;
        Ledger = states.Canaries;
        var all = config.Deployments
            .GroupBy(d => d.ModelName, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => new RouteGroup(g.Key, g.Where(d => d.Enabled)
                    .OrderBy(d => d.Order)
                    .Select(d => new RoutedDeployment(d, states.Get(d.Id, new DeploymentRuntime(config.Breaker, d.Rpm, d.Tpm))))
                    .ToArray()),
                StringComparer.Ordinal);
        var groups = all.Where(g => !WildcardPattern.IsPattern(g.Key)).ToDictionary(StringComparer.Ordinal);
        var byName = new Dictionary<string, RouteGroup>(groups, StringComparer.Ordinal);
        foreach (var (alias, target) in config.Router.ModelGroupAlias)
        {
            if (groups.TryGetValue(target, out var g))
            {
                byName[alias] = g;
            }
        }

        _byName = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _byModelName = all.ToFrozenDictionary(StringComparer.Ordinal);
        _wildcards = new WildcardRoutes(config, states, all.Where(g => WildcardPattern.IsPattern(g.Key)).Select(g => g.Value));
        Groups = all.Values.ToArray();

        // Wildcard model_names are listed as they are written, as LiteLLM lists them (the names they stand for are unknown).
        PublicNames = byName.Keys.Concat(_wildcards.Patterns).Where(n => !config.Router.HiddenAliases.Contains(n)).Order(StringComparer.Ordinal).ToArray();
    }

    public GatewayConfig Config { get; }

    /// <summary>Aliases' recent outcomes per group (canary evidence), long-lived across snapshots.</summary>
    public Canaries.CanaryLedger Ledger { get; }

    /// <summary>Every model_name's group as configured (wildcard ones with their deployments as written).</summary>
    public IReadOnlyList<RouteGroup> Groups { get; }

    /// <summary>Whether some model_name is a wildcard pattern (then names a caller sends need not be listed to route).</summary>
    public bool HasWildcards => _wildcards.Any;

    /// <summary>Every name a caller may send as model (groups and visible aliases), sorted.</summary>
    public IReadOnlyList<string> PublicNames { get; }

    /// <summary>
    /// The group a requested name routes to: an exact group or alias, else the most specific wildcard's concrete group.
    /// A wildcard model_name itself (<c>openai/*</c>, as /v1/models lists it and access lists hold it) resolves to its
    /// entry as written; callers cannot call it as such (<see cref="IsWildcardName"/>).
    /// </summary>
    public RouteGroup? Resolve(string name)
        => _byName.GetValueOrDefault(name) ?? (IsWildcardName(name) ? _byModelName[name] : _wildcards.Resolve(name));

    /// <summary>Whether the name is a wildcard model_name of the config (a pattern, not a model to call).</summary>
    public bool IsWildcardName(string name) => WildcardPattern.IsPattern(name) && _byModelName.ContainsKey(name);

    /// <summary>The configured group of a model_name (a wildcard pattern's too, with its template deployments).</summary>
    public RouteGroup? GroupOf(string modelName) => _byModelName.GetValueOrDefault(modelName);

    /// <summary>Whether <paramref name="name"/> is an alias that opted in to drop_params (<see cref="RouterSettings.DropParamsAliases"/>).</summary>
    public bool AliasDropsParams(string name) => Config.Router.DropParamsAliases.Contains(name);

    /// <summary>The canary group for this request, drawn with the alias's configured percentage; null for the primary.</summary>
    public RouteGroup? DrawCanary(string name, Random random)
    {
        if (Config.Canaries.Count == 0 || !Config.Canaries.TryGetValue(name, out var canary) || !canary.IsActive
            || (canary.AutoRollback is not null && Ledger.Find(name) is { } evidence && evidence.IsTripped(canary)))
        {
            return null; // no canary, a share of 0, or rolled back automatically (until the config changes it)
        }

#pragma warning disable CA5394 // a traffic split, not a secret: System.Random is right here
        return random.NextDouble() * 100 < canary.Percent ? _byName.GetValueOrDefault(canary.Target!) : null;
#pragma warning restore CA5394
    }

    /// <summary>The public names nearest a miss; hidden aliases are never suggested.</summary>
    public IReadOnlyList<string> Nearest(string name) => AliasSuggestions.Nearest(name, PublicNames, 3);

    /// <summary>
    /// The fallback names for a requested name: its own list, else its group's (an alias shares its group's chain),
    /// else its wildcard model_name's (a concrete name routed by <c>openai/*</c> takes <c>openai/*</c>'s), else the
    /// wildcard, else default_fallbacks (regular fallbacks only).
    /// </summary>
    public IReadOnlyList<string> FallbacksFor(string name, bool contextWindow)
    {
        var router = Config.Router;
        var map = contextWindow ? router.ContextWindowFallbacks : router.Fallbacks;
        var resolved = Resolve(name);
        var group = resolved?.Name;
        var chain = map.GetValueOrDefault(name) ?? (group is null ? null : map.GetValueOrDefault(group))
            ?? (resolved?.Pattern is { } pattern ? map.GetValueOrDefault(pattern) : null) ?? map.GetValueOrDefault("*");
        return chain ?? (contextWindow ? [] : router.DefaultFallbacks);
    }
}
