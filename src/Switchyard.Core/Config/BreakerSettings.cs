namespace Switchyard.Core.Config;

/// <summary>Circuit breaker thresholds (switchyard.breaker); one breaker per deployment id.</summary>
public sealed record BreakerSettings
{
    /// <summary>Open after this many failures in a row (LiteLLM allowed_fails + 1 when not set).</summary>
    public int ConsecutiveFailures { get; init; } = 5;

    /// <summary>Open when failures / calls over <see cref="Window"/> reach this ratio (0 disables).</summary>
    public double FailureRatio { get; init; } = 0.5;

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls needed in the window before the ratio rules apply.</summary>
    public int MinimumCalls { get; init; } = 10;

    /// <summary>A successful call slower than this counts as slow (null disables latency rules).</summary>
    public TimeSpan? SlowCallDuration { get; init; }

    /// <summary>Open when slow calls / calls over the window reach this ratio.</summary>
    public double SlowCallRatio { get; init; } = 0.5;

    /// <summary>How long an opened breaker stays open before a half-open probe (LiteLLM cooldown_time).</summary>
    public TimeSpan OpenDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Probes let through while half-open; all must succeed to close.</summary>
    public int HalfOpenProbes { get; init; } = 1;
}
