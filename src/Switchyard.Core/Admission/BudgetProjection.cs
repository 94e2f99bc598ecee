using Switchyard.Core.Tenancy;

namespace Switchyard.Core.Admission;

/// <summary>A budget period's spend projected linearly to the period's end: spend so far / time elapsed × period length.</summary>
public readonly record struct BudgetProjection(DateTimeOffset Start, DateTimeOffset End, decimal Projected)
{
    /// <summary>
    /// The projection for a period of <paramref name="duration"/> ending at <paramref name="resetAt"/>; null without a
    /// period. The period started one duration before its end (a calendar month is measured from the month before).
    /// </summary>
    public static BudgetProjection? Of(BudgetDuration? duration, DateTimeOffset? resetAt, decimal spent, DateTimeOffset now)
    {
        if (duration is not { } d || resetAt is not { } end)
        {
            return null;
        }

        var start = StartOf(d, end);
        var length = (end - start).Ticks;
        var elapsed = Math.Clamp((now - start).Ticks, 0, length);

        // nothing elapsed yet: nothing to extrapolate from, the spend so far is the projection
        var projected = elapsed == 0 ? spent : Math.Round(spent * length / elapsed, 6);
        return new BudgetProjection(start, end, projected);
    }

    private static DateTimeOffset StartOf(BudgetDuration d, DateTimeOffset end) => d.Unit == 'M' ? end.AddMonths(-d.Amount) : end - (d.Next(end) - end);
}
