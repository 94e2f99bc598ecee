using Switchyard.Core.Tenancy;

namespace Switchyard.Core.Admission;

/// <summary>
/// The live counters of one limited subject (a token, a tenant, a tenant's alias, a deployment). Limits can be
/// replaced (config reload, admin update) while the counters keep running.
/// </summary>
public sealed class LimitState(string kind, string id, Limits limits, long spentNanos, DateTimeOffset? budgetResetAt)
{
    private Limits _limits = limits;
    private long _tokensInFlight;

    public string Kind { get; } = kind;

    public string Id { get; } = id;

    public Limits Limits
    {
        get => Volatile.Read(ref _limits);
        set => Volatile.Write(ref _limits, value);
    }

    public SlidingWindow Requests { get; } = new();

    public SlidingWindow Tokens { get; } = new();

    public ConcurrencyCounter InFlight { get; } = new();

    public BudgetMeter Budget { get; } = new(spentNanos, budgetResetAt);

    /// <summary>Tokens reserved in <see cref="Tokens"/> by requests not settled yet (their estimates).</summary>
    public long TokensInFlight => Volatile.Read(ref _tokensInFlight);

    internal void AddTokensInFlight(long delta) => Interlocked.Add(ref _tokensInFlight, delta);

    /// <summary>Set once the soft budget alert fired in the current period.</summary>
    public bool SoftBudgetAlerted { get; set; }

    /// <summary>
    /// The spend the shared limiter last reported for this subject (nano-dollars), -1 before it reported one. While
    /// the shared store is unreachable and the policy fails open, the budget room left at that point is divided
    /// between the replicas.
    /// </summary>
    public long SharedSpentNanos => Volatile.Read(ref _sharedSpent);

    private long _sharedSpent = -1;

    /// <summary>Takes over the shared spend and budget period, so this replica's own view stays close to the shared one.</summary>
    internal void MirrorShared(long spentNanos, DateTimeOffset? resetAt)
    {
        Volatile.Write(ref _sharedSpent, spentNanos);
        Budget.Mirror(spentNanos, resetAt);
    }
}
