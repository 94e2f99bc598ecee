using Switchyard.Core.Admission;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tests.Core;

public sealed class BudgetMeterTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);
    private static readonly BudgetDuration ThirtySeconds = new(30, 's');
    private static readonly BudgetDuration OneMonth = new(1, 'M');

    [Fact]
    public void Roll_WithoutDuration_NeverResets()
    {
        var m = new BudgetMeter(500, null);
        Assert.Null(m.Roll(null, T0.AddYears(5)));
        Assert.Equal(500, m.SpentNanos);
        Assert.Null(m.ResetAt);
    }

    [Fact]
    public void Roll_FirstCall_StartsThePeriodWithoutClearingSpend()
    {
        var m = new BudgetMeter(500, null);
        Assert.Equal(T0.AddSeconds(30), m.Roll(ThirtySeconds, T0));
        Assert.Equal(500, m.SpentNanos);
        Assert.Null(m.Roll(ThirtySeconds, T0.AddSeconds(29.999)));
        Assert.Equal(500, m.SpentNanos);
    }

    [Fact]
    public void Roll_AtTheResetTime_ClearsSpendAndSchedulesTheNextPeriod()
    {
        var m = new BudgetMeter(500, T0.AddSeconds(30));
        Assert.Equal(T0.AddSeconds(60), m.Roll(ThirtySeconds, T0.AddSeconds(30)));
        Assert.Equal(0, m.SpentNanos);
        Assert.Equal(T0.AddSeconds(60), m.ResetAt);
    }

    [Fact]
    public void Roll_SeveralPeriodsLate_LandsOnTheNextBoundaryOfTheOriginalSchedule()
    {
        var m = new BudgetMeter(500, T0.AddSeconds(30));
        Assert.Equal(T0.AddSeconds(120), m.Roll(ThirtySeconds, T0.AddSeconds(95)));
        Assert.Equal(0, m.SpentNanos);
    }

    [Fact]
    public void Roll_OneMonthPeriods_FollowTheCalendar()
    {
        var m = new BudgetMeter(0, null);
        Assert.Equal(new DateTimeOffset(2030, 2, 15, 0, 0, 0, TimeSpan.Zero), m.Roll(OneMonth, T0));
        m.Settle(0, 1_000);
        Assert.Null(m.Roll(OneMonth, new DateTimeOffset(2030, 2, 14, 23, 59, 59, TimeSpan.Zero)));
        Assert.Equal(1_000, m.SpentNanos);

        Assert.Equal(new DateTimeOffset(2030, 3, 15, 0, 0, 0, TimeSpan.Zero), m.Roll(OneMonth, new DateTimeOffset(2030, 2, 15, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(0, m.SpentNanos);
        Assert.Equal(new DateTimeOffset(2030, 6, 15, 0, 0, 0, TimeSpan.Zero), m.Roll(OneMonth, new DateTimeOffset(2030, 5, 20, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void TryReserve_WhileSpentPlusReservedBelowMax_AdmitsAndThenRefusesWithTimeToReset()
    {
        var m = new BudgetMeter(0, T0.AddSeconds(30));
        Assert.True(m.TryReserve(400, 1_000, T0, out _));
        Assert.True(m.TryReserve(400, 1_000, T0, out _));
        Assert.True(m.TryReserve(400, 1_000, T0, out _));  // 800 < 1000: admitted, may overshoot to 1200
        Assert.Equal(1_200, m.ReservedNanos);
        Assert.False(m.TryReserve(1, 1_000, T0.AddSeconds(10), out var retry));
        Assert.Equal(TimeSpan.FromSeconds(20), retry);
    }

    [Fact]
    public void TryReserve_NoResetScheduled_RefusesWithoutRetryAfter()
    {
        var m = new BudgetMeter(1_000, null);
        Assert.False(m.TryReserve(1, 1_000, T0, out var retry));
        Assert.Null(retry);
    }

    [Fact]
    public void Settle_ReplacesTheReservationByTheRealCost()
    {
        var m = new BudgetMeter(100, null);
        m.Reserve(400);
        m.Settle(400, 250);
        Assert.Equal(0, m.ReservedNanos);
        Assert.Equal(350, m.SpentNanos);

        m.Settle(50, 0);                                    // never below zero reserved
        Assert.Equal(0, m.ReservedNanos);
    }
}
