using System.Collections.Concurrent;
using Switchyard.Core.Resilience;

namespace Switchyard.Core.Routing;

/// <summary>Holds every deployment's runtime state by id, across config snapshots.</summary>
public sealed class DeploymentStateRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DeploymentState> _states = new(StringComparer.Ordinal);

    public event Action<BreakerTransition>? BreakerTransitioned;

    public TimeProvider Time => time;

    /// <summary>Each alias's recent outcomes per route group and its canary's auto-rollback state (long-lived too).</summary>
    public Canaries.CanaryLedger Canaries { get; } = new();

    /// <summary>The deployment's state, created on first use; its runtime settings become <paramref name="runtime"/>.</summary>
    public DeploymentState Get(string id, DeploymentRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var state = _states.GetOrAdd(id, static (key, arg) =>
        {
            var s = new DeploymentState(key, arg.runtime, arg.time);
            s.Breaker.Transitioned += arg.self.OnTransition;
            return s;
        }, (runtime, time, self: this));
        if (state.Runtime != runtime)
        {
            state.Apply(runtime);
        }

        return state;
    }

    public bool TryGet(string id, out DeploymentState? state) => _states.TryGetValue(id, out state);

    private void OnTransition(BreakerTransition t) => BreakerTransitioned?.Invoke(t);
}
