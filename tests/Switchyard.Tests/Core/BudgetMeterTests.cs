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
    public void TryReserve_ReservationsFillTheBudget_RefusesAsHeldByReservationsNotExhausted()
    {
        var m = new BudgetMeter(0, T0.AddSeconds(30));
        Assert.Null(m.TryReserve(400, 1_000, T0));
        Assert.Null(m.TryReserve(400, 1_000, T0));          // 800 <= 1000
        var held = m.TryReserve(400, 1_000, T0);            // 1200 > 1000, but nothing is spent
        Assert.Equal(new BudgetRefusal(false, 0, 800, 2, TimeSpan.FromSeconds(30)), held);
        Assert.Equal((800L, 2), (m.ReservedNanos, m.Reservations));
    }

    [Fact]
    public void TryReserve_NothingElseReserved_AdmitsAnEstimateAboveWhatIsLeft()
    {
        var m = new BudgetMeter(900, null);
        Assert.Null(m.TryReserve(5_000, 1_000, T0));        // one request may pass the budget by its own estimate
        Assert.Equal(5_000, m.ReservedNanos);
    }

    [Fact]
    public void TryReserve_SpendReachedTheBudget_RefusesAsExhaustedWithTimeToReset()
    {
        var m = new BudgetMeter(0, T0.AddSeconds(30));
        Assert.Null(m.TryReserve(400, 1_000, T0));
        m.Settle(400, 1_000);
        Assert.Equal(new BudgetRefusal(true, 1_000, 0, 0, TimeSpan.FromSeconds(20)), m.TryReserve(1, 1_000, T0.AddSeconds(10)));
    }

    [Fact]
    public void TryReserve_NoResetScheduled_RefusesWithoutRetryAfter()
    {
        var m = new BudgetMeter(1_000, null);
        Assert.Equal(new BudgetRefusal(true, 1_000, 0, 0, null), m.TryReserve(1, 1_000, T0));
    }

    [Fact]
    public void Settle_ReplacesTheReservationByTheRealCost()
    {
        var m = new BudgetMeter(100, null);
        m.Reserve(400);
        Assert.Equal(1, m.Reservations);
        m.Settle(400, 250);
        Assert.Equal((0L, 0), (m.ReservedNanos, m.Reservations));
        Assert.Equal(350, m.SpentNanos);

        m.Settle(50, 0);                                    // never below zero reserved
        Assert.Equal(0, m.ReservedNanos);
    }
}
