using System.Collections.Concurrent;
using Switchyard.Core.Resilience;

namespace Switchyard.Core.Routing;

/// <summary>
/// Holds every deployment's runtime state by id, across config snapshots. With a <see cref="IBreakerCoordinator"/>
/// (switchyard.shared.state: [breakers]) this replica's breaker opens and closes are published to the other replicas,
/// and theirs (and their cooldowns) are applied here.
/// </summary>
public sealed class DeploymentStateRegistry
{
    private readonly ConcurrentDictionary<string, DeploymentState> _states = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly IBreakerCoordinator? _shared;

    public DeploymentStateRegistry(TimeProvider time, IBreakerCoordinator? shared = null)
    {
        _time = time;
        _shared = shared;
        if (shared is not null)
        {
            shared.Received += OnShared;
        }
    }

    public event Action<BreakerTransition>? BreakerTransitioned;

    public TimeProvider Time => _time;

    /// <summary>The coordinator sharing breakers with other replicas, or null when they are this replica's own.</summary>
    public IBreakerCoordinator? Shared => _shared;

    /// <summary>Each alias's recent outcomes per route group and its canary's auto-rollback state (long-lived too).</summary>
    public Canaries.CanaryLedger Canaries { get; } = new();

    /// <summary>The deployment's state, created on first use; its runtime settings become <paramref name="runtime"/>.</summary>
    public DeploymentState Get(string id, DeploymentRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if (!_states.TryGetValue(id, out var state))
        {
            var created = new DeploymentState(id, runtime, _time, _shared);
            state = _states.GetOrAdd(id, created);
            if (ReferenceEquals(state, created))
            {
                created.Breaker.Transitioned += OnTransition;
                _shared?.Track(id); // another replica may have opened it (or be cooling it down) before this one started
            }
        }

        if (state.Runtime != runtime)
        {
            state.Apply(runtime);
        }

        return state;
    }

    public bool TryGet(string id, out DeploymentState? state) => _states.TryGetValue(id, out state);

    private void OnTransition(BreakerTransition t)
    {
        if (_shared is not null && !t.Shared && _states.TryGetValue(t.DeploymentId, out var state))
        {
            switch (t.To)
            {
                case BreakerState.Open:
                    _shared.Opened(t.DeploymentId, state.Runtime.Breaker.OpenDuration, t.Reason);
                    break;
                case BreakerState.Closed:
                    _shared.Closed(t.DeploymentId, t.Reason);
                    break;
            }
        }

        BreakerTransitioned?.Invoke(t);
    }

    private void OnShared(SharedBreakerEvent e)
    {
        if (!_states.TryGetValue(e.DeploymentId, out var state))
        {
            return; // not routed by this replica's config
        }

        switch (e.Kind)
        {
            case SharedBreakerEventKind.Opened:
                state.Breaker.ApplySharedOpen(e.Left, e.Reason);
                break;
            case SharedBreakerEventKind.Closed:
                state.Breaker.ApplySharedClose(e.Reason);
                break;
            default:
                state.ApplySharedCooldown(e.Left, e.Status);
                break;
        }
    }
}
