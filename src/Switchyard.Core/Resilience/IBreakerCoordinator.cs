namespace Switchyard.Core.Resilience;

/// <summary>
/// Shares breaker state and cooldowns between replicas (switchyard.shared.state: [breakers], docs/scaling.md): an open
/// or close seen by one replica is applied by the others with the time left (durations, never timestamps, so replica
/// clocks may differ), and once an open period ends only the replica granted the probe sends half-open probes.
/// Core holds no Redis dependency (Switchyard.Storage has the Redis one).
/// </summary>
/// <remarks>
/// Nothing here may hold up a request: the publishing calls return at once (the work runs in the background), and
/// <see cref="RequestProbeAsync"/> is awaited by nobody on the request path (the breaker stays open in
/// <see cref="ProbeStep"/> steps until it answers). While the shared store cannot answer, the probe is granted locally
/// (<see cref="ProbeVerdict.Local"/>): each replica falls back to its own breakers.
/// </remarks>
public interface IBreakerCoordinator
{
    /// <summary>How long a replica not granted the probe stays open before it asks again.</summary>
    TimeSpan ProbeStep { get; }

    /// <summary>Whether the shared store answered the last call (false: breakers are per replica until it does).</summary>
    bool IsAvailable { get; }

    /// <summary>Another replica (or the shared store, for a deployment first seen here) says a breaker opened, closed or a cooldown began.</summary>
    event Action<SharedBreakerEvent>? Received;

    /// <summary>This replica's breaker of <paramref name="deploymentId"/> opened for <paramref name="openFor"/>.</summary>
    void Opened(string deploymentId, TimeSpan openFor, string reason);

    /// <summary>This replica's breaker of <paramref name="deploymentId"/> closed (its probes succeeded).</summary>
    void Closed(string deploymentId, string reason);

    /// <summary>The provider asked this replica to wait <paramref name="wait"/> (Retry-After on a 429 or 5xx).</summary>
    void CooledDown(string deploymentId, TimeSpan wait, int upstreamStatus);

    /// <summary>
    /// Asks to be the one replica that probes <paramref name="deploymentId"/> now that its open period is over; the
    /// grant lapses after <paramref name="hold"/> when its holder neither closes nor reopens the breaker (it died).
    /// </summary>
    Task<ProbeAnswer> RequestProbeAsync(string deploymentId, TimeSpan hold);

    /// <summary>A deployment first seen by this replica: its shared state, if any, arrives through <see cref="Received"/>.</summary>
    void Track(string deploymentId);
}

/// <summary>The answer to a probe request.</summary>
public readonly record struct ProbeAnswer(ProbeVerdict Verdict, TimeSpan Wait);

public enum ProbeVerdict
{
    /// <summary>This replica probes; the others stay open.</summary>
    Granted,

    /// <summary>Another replica holds the probe; stay open a step and ask again.</summary>
    Held,

    /// <summary>The breaker is still open in the shared store (another replica reopened it) for <see cref="ProbeAnswer.Wait"/>.</summary>
    Open,

    /// <summary>The shared store did not answer: this replica's own breaker decides, as without sharing.</summary>
    Local,
}

public enum SharedBreakerEventKind
{
    Opened,
    Closed,
    CooledDown,
}

/// <summary>What another replica published: a breaker opened for <paramref name="Left"/>, closed, or a cooldown of <paramref name="Left"/> after an upstream <paramref name="Status"/>.</summary>
public readonly record struct SharedBreakerEvent(SharedBreakerEventKind Kind, string DeploymentId, TimeSpan Left, int Status, string Reason);
