namespace Switchyard.Core.Resilience;

public enum BreakerState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>A breaker changed state; raised outside the breaker's lock.</summary>
public readonly record struct BreakerTransition(string DeploymentId, BreakerState From, BreakerState To, string Reason, DateTimeOffset At);
