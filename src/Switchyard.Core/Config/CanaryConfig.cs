namespace Switchyard.Core.Config;

/// <summary>
/// An alias's entry in switchyard.canaries: a canary (<see cref="Percent"/> of its requests go to the
/// <see cref="Target"/> group first), and/or the record of a promotion (the group the alias pointed at before, kept as
/// its fallback until <see cref="GraceUntil"/> and restored by <c>alias rollback</c>).
/// </summary>
public sealed record CanaryConfig(string? Target, double Percent)
{
    /// <summary>Gates <c>alias promote</c> checks before it rewrites the file (unless forced).</summary>
    public CanaryChecks Checks { get; init; } = CanaryChecks.Default;

    /// <summary>When set, a canary that breaches it gets a share of 0 at once (and in the file) and an alert fires.</summary>
    public CanaryAutoRollback? AutoRollback { get; init; }

    /// <summary>The alias's primary group before a promotion: its fallback during the grace period, what rollback restores.</summary>
    public string? PromotedFrom { get; init; }

    /// <summary>The canary's share before the promotion (shown by status; rollback leaves the canary at 0).</summary>
    public double? PromotedPercent { get; init; }

    /// <summary>Until when <see cref="PromotedFrom"/> backs the alias up; the record stays until <c>alias finalize</c>.</summary>
    public DateTimeOffset? GraceUntil { get; init; }

    /// <summary>A canary that takes traffic.</summary>
    public bool IsActive => Target is not null && Percent > 0;

    /// <summary>The group that backs the alias up after a promotion, while its grace period lasts.</summary>
    public string? GraceFallback(DateTimeOffset now) => PromotedFrom is not null && GraceUntil is { } until && now < until ? PromotedFrom : null;
}

/// <summary>What the canary's recent evidence must show before <c>alias promote</c> goes ahead (switchyard.canaries.ALIAS.promotion).</summary>
public sealed record CanaryChecks
{
    public static readonly CanaryChecks Default = new();

    /// <summary>Calls the canary must have answered or failed within <see cref="Window"/>.</summary>
    public int MinRequests { get; init; } = 20;

    /// <summary>The highest failure share of the canary's calls.</summary>
    public double MaxErrorRate { get; init; } = 0.05;

    /// <summary>The canary's p95 latency at most this many times the primary's (when the primary has answers to compare).</summary>
    public double MaxP95Ratio { get; init; } = 1.5;

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(15);
}

/// <summary>switchyard.canaries.ALIAS.auto_rollback: the canary's share goes to 0 once it fails this much.</summary>
public sealed record CanaryAutoRollback(double ErrorRate, int MinRequests, TimeSpan Window);
