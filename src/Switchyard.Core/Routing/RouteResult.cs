using Switchyard.Core.Failures;

namespace Switchyard.Core.Routing;

/// <summary>
/// The outcome of a routed call. On success the caller owns <see cref="Lease"/> and disposes it when the
/// response (a stream, perhaps) is done: that ends the deployment's in-flight count.
/// </summary>
public sealed class RouteResult<T>
    where T : class
{
    public T? Value { get; init; }
    public RoutedDeployment? Deployment { get; init; }
    public string? GroupUsed { get; init; }
    public int Attempts { get; init; }
    public bool FallbackUsed { get; init; }
    public FailureSummary? Failure { get; init; }

    /// <summary>How the deciding upstream attempt failed; null when no attempt was made (every deployment unavailable).</summary>
    public FailureKind? FailureKind { get; init; }
    public DeploymentLease Lease { get; init; }

    /// <summary>False for a request marked as a smoke test: its outcome is no breaker or canary evidence.</summary>
    public bool CountsAsEvidence { get; init; } = true;

    /// <summary>The alias's outcome window for the group that answered (null when the name called is no alias), for a stream that breaks later.</summary>
    public Canaries.OutcomeWindow? Evidence { get; init; }

    public bool Succeeded => Value is not null;
}

/// <summary>Marks a deployment busy until disposed (least-busy routing counts these).</summary>
public struct DeploymentLease : IDisposable
{
    private DeploymentState? _state;

    public DeploymentLease(DeploymentState state)
    {
        _state = state;
        state.Enter();
    }

    public void Dispose()
    {
        var s = Interlocked.Exchange(ref _state, null);
        s?.Exit();
    }
}
