namespace Switchyard.Core.Resilience;

public enum BreakerState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>A breaker changed state; raised outside the breaker's lock.</summary>
public readonly record struct BreakerTransition(string DeploymentId, BreakerState From, BreakerState To, string Reason, DateTimeOffset At)
{
    /// <summary>Applied from another replica's evidence (shared breakers), not this replica's own: not published again.</summary>
    public bool Shared { get; init; }
}
