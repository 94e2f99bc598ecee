namespace Switchyard.Core.Admission.Shared;

/// <summary>What settling a shared ticket left: per subject its shared spend, and whether this settlement crossed its soft budget first.</summary>
public sealed class SharedSettlement
{
    /// <summary>Shared spend per subject (nano-dollars; -1 when unknown).</summary>
    public long[] SpentNanos { get; } = [-1, -1, -1, -1];

    /// <summary>Per subject: this settlement was the first in the period to reach the soft budget (alert once, across replicas).</summary>
    public bool[] SoftBudgetReached { get; } = new bool[4];

    /// <summary>False when the ticket had been settled before (a retry): nothing changed.</summary>
    public bool Applied { get; init; } = true;
}
