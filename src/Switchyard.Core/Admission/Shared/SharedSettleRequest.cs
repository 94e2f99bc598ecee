namespace Switchyard.Core.Admission.Shared;

/// <summary>A shared ticket settled: its replica, id, admission time and subjects, what it reserved and what it used.</summary>
public sealed class SharedSettleRequest
{
    public required string Replica { get; init; }

    public required long Ticket { get; init; }

    /// <summary>The shared store's clock when the ticket was admitted (Unix milliseconds).</summary>
    public required long AtMs { get; init; }

    public LimitState?[] Subjects { get; } = new LimitState?[4];

    public long ReservedTokens { get; init; }

    public long ReservedCostNanos { get; init; }

    public long ActualTokens { get; init; }

    public long ActualCostNanos { get; init; }

    /// <summary>Whether the subjects' budgets are shared (the soft budget alert is then decided in the shared store).</summary>
    public bool Budgets { get; init; } = true;
}
