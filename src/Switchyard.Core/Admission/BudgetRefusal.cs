namespace Switchyard.Core.Admission;

/// <summary>
/// Why a budget refused a reservation, with the meter's figures at that moment (nano-dollars).
/// <see cref="Exhausted"/>: the period's spend reached the budget (retry at <see cref="UntilReset"/>, if it resets).
/// Otherwise the spend alone leaves room, but requests in flight have reserved it (retry when they settle).
/// </summary>
public readonly record struct BudgetRefusal(bool Exhausted, long SpentNanos, long ReservedNanos, int Reservations, TimeSpan? UntilReset);
