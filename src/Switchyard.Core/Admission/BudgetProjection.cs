using Switchyard.Core.Tenancy;

namespace Switchyard.Core.Admission;

/// <summary>A budget period's spend projected linearly to the period's end: spend so far / time elapsed × period length.</summary>
public readonly record struct BudgetProjection(DateTimeOffset Start, DateTimeOffset End, decimal Projected, bool Extrapolated)
{
    /// <summary>
    /// How much of the period must have passed before the rate so far says anything: an hour, or a tenth of a shorter
    /// period. Before that (a few cents in the first seconds of a month would "project" to thousands) the projection is
    /// the spend so far, not extrapolated.
    /// </summary>
    public static TimeSpan MinimumElapsed(TimeSpan period) => TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerHour, period.Ticks / 10));

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

        // too little elapsed: nothing to extrapolate from, the spend so far is the projection
        var extrapolate = elapsed > 0 && elapsed >= MinimumElapsed(TimeSpan.FromTicks(length)).Ticks;
        var projected = extrapolate ? Math.Round(spent * length / elapsed, 6) : spent;
        return new BudgetProjection(start, end, projected, extrapolate);
    }

    private static DateTimeOffset StartOf(BudgetDuration d, DateTimeOffset end) => d.Unit == 'M' ? end.AddMonths(-d.Amount) : end - (d.Next(end) - end);
}
