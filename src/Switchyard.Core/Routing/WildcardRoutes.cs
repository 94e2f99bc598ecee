using System.Collections.Concurrent;
using Switchyard.Core.Config;

namespace Switchyard.Core.Routing;

/// <summary>
/// Wildcard model_names (<c>*</c>, <c>openai/*</c>), as LiteLLM routes them: a name no group or alias has goes to the
/// most specific pattern it matches (the longest, then the one with more <c>*</c>s, then the first in the file), and
/// each of that pattern's deployments is sent the name's runs in its model's <c>*</c>s (<c>openai/gpt-4o</c> on
/// <c>openai/*</c> calls <c>gpt-4o</c>). Each concrete name is a group of its own, with deployment ids
/// <c>{id}:{provider}/{model}</c>: breakers, cooldowns and the deployment's rpm/tpm count per concrete model, prices come
/// from the concrete model, and spend rows name it. At most <see cref="MaxConcreteNames"/> names per config snapshot get
/// state of their own; names beyond that share their pattern deployment's state (the counts per pattern, not per model).
/// </summary>
internal sealed class WildcardRoutes
{
    /// <summary>Bounds the state a caller can make the gateway keep by sending new names.</summary>
    public const int MaxConcreteNames = 1024;

    private readonly (WildcardPattern Pattern, RouteGroup Template)[] _patterns;
    private readonly ConcurrentDictionary<string, RouteGroup> _concrete = new(StringComparer.Ordinal);
    private readonly GatewayConfig _config;
    private readonly DeploymentStateRegistry _states;

    public WildcardRoutes(GatewayConfig config, DeploymentStateRegistry states, IEnumerable<RouteGroup> templates)
    {
        _config = config;
        _states = states;
        _patterns = templates
            .Select((g, i) => (Pattern: new WildcardPattern(g.Name), Template: g, Index: i))
            .OrderByDescending(p => p.Pattern.Pattern.Length)
            .ThenByDescending(p => p.Pattern.Stars)
            .ThenBy(p => p.Index)
            .Select(p => (p.Pattern, p.Template))
            .ToArray();
    }

    public bool Any => _patterns.Length > 0;

    /// <summary>The pattern names, most specific first.</summary>
    public IEnumerable<string> Patterns => _patterns.Select(p => p.Pattern.Pattern);

    /// <summary>The concrete group for a name no group or alias has; null when no pattern matches it.</summary>
    public RouteGroup? Resolve(string name)
    {
        if (_patterns.Length == 0)
        {
            return null;
        }

        if (_concrete.TryGetValue(name, out var known))
        {
            return known;
        }

        foreach (var (pattern, template) in _patterns)
        {
            if (pattern.Match(name) is not { } runs)
            {
                continue;
            }

            var own = _concrete.Count < MaxConcreteNames;
            var group = new RouteGroup(name, template.Deployments.Select(d => Concrete(d, runs, name, own)).ToArray()) { Pattern = pattern.Pattern };
            return own ? _concrete.GetOrAdd(name, group) : group;
        }

        return null;
    }

    private RoutedDeployment Concrete(RoutedDeployment template, string[] runs, string name, bool ownState)
    {
        var d = ConcreteDeployment.For(template.Config, runs, name);
        return new RoutedDeployment(d, ownState ? _states.Get(d.Id, new DeploymentRuntime(_config.Breaker, d.Rpm, d.Tpm)) : template.State);
    }
}
