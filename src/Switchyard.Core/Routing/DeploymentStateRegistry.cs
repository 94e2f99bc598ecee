using System.Collections.Concurrent;
using Switchyard.Core.Config;
using Switchyard.Core.Resilience;

namespace Switchyard.Core.Routing;

/// <summary>Holds every deployment's runtime state by id, across config snapshots.</summary>
public sealed class DeploymentStateRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DeploymentState> _states = new(StringComparer.Ordinal);

    public event Action<BreakerTransition>? BreakerTransitioned;

    public TimeProvider Time => time;

    public DeploymentState Get(string id, BreakerSettings settings, (int? Rpm, int? Tpm) limits = default)
    {
        var state = _states.GetOrAdd(id, static (key, arg) =>
        {
            var s = new DeploymentState(key, arg.settings, arg.time);
            s.Breaker.Transitioned += arg.self.OnTransition;
            return s;
        }, (settings, time, self: this));
        if (!ReferenceEquals(state.Breaker.Settings, settings))
        {
            state.Breaker.Settings = settings;
        }

        state.Limits = limits;
        return state;
    }

    public bool TryGet(string id, out DeploymentState? state) => _states.TryGetValue(id, out state);

    private void OnTransition(BreakerTransition t) => BreakerTransitioned?.Invoke(t);
}
