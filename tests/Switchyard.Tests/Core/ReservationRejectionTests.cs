using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Admission;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tests.Core;

/// <summary>
/// Budget and TPM rejections tell a limit that is used up from one that only requests in flight hold: the first
/// keeps its code and the time until the limit frees up; the second says so and carries a short retry hint.
/// </summary>
public sealed class ReservationRejectionTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);
    private static readonly Limits Budget30d = new() { MaxBudget = 0.000_01m, BudgetDuration = new BudgetDuration(30, 'd') }; // 10,000 nano-dollars

    [Fact]
    public void TryAdmit_BudgetRoomHeldByOneRequestInFlight_BudgetReservedWithShortRetry()
    {
        var (admission, _) = Controller();
        var tenant = new LimitState("tenant", "acme", Budget30d, 900, null); // 9 % spent
        var held = default(AdmissionTicket);
        Assert.Null(admission.TryAdmit(ref held, null, tenant, null, 10, 9_500)); // alone: admitted though 900 + 9,500 > 10,000

        var ticket = default(AdmissionTicket);
        var rejection = admission.TryAdmit(ref ticket, null, tenant, null, 10, 500);

        Assert.Equal(LimitCodes.BudgetReserved, rejection?.Code);
        Assert.Equal(AdmissionController.ReservationRetry, rejection?.RetryAfter);
        Assert.Contains("1 request(s) in flight", rejection?.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("has spent", rejection?.Message, StringComparison.Ordinal);
        Assert.Equal((1, 9_500L), (tenant.Budget.Reservations, tenant.Budget.ReservedNanos)); // the refused one took nothing

        admission.Complete(ref held, 10, 600);                         // the held request settles to its real cost
        ticket = default;
        Assert.Null(admission.TryAdmit(ref ticket, null, tenant, null, 10, 500));
    }

    [Fact]
    public void TryAdmit_BudgetSpentWhileOthersAreInFlight_BudgetExceededWithTimeToReset()
    {
        var (admission, time) = Controller();
        var tenant = new LimitState("tenant", "acme", Budget30d, 9_000, null);
        var held = default(AdmissionTicket);
        Assert.Null(admission.TryAdmit(ref held, null, tenant, null, 10, 500));
        admission.Complete(ref held, 10, 1_000);                      // spend reaches the budget
        var other = default(AdmissionTicket);
        tenant.Budget.Reserve(700);                                    // and something else is still reserved

        var rejection = admission.TryAdmit(ref other, null, tenant, null, 10, 1);

        Assert.Equal(LimitCodes.Budget, rejection?.Code);
        Assert.Equal(TimeSpan.FromDays(30), rejection?.RetryAfter);
        Assert.Contains("has spent its budget", rejection?.Message, StringComparison.Ordinal);
        time.Advance(TimeSpan.FromDays(30));
        other = default;
        Assert.Null(admission.TryAdmit(ref other, null, tenant, null, 10, 1)); // the period reset
    }

    [Fact]
    public void TryAdmit_ReservationsFitTheBudgetTogether_AdmitsUntilTheNextWouldNot()
    {
        var (admission, _) = Controller();
        var key = new LimitState("key", "k", Budget30d, 0, null);
        var tickets = new AdmissionTicket[4];
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(admission.TryAdmit(ref tickets[i], key, null, null, 10, 3_000)); // 3,000, 6,000, 9,000
        }

        Assert.Equal(LimitCodes.BudgetReserved, admission.TryAdmit(ref tickets[3], key, null, null, 10, 3_000)?.Code); // 12,000 > 10,000
        Assert.Equal(9_000, key.Budget.ReservedNanos);
    }

    [Fact]
    public void TryAdmit_TpmWindowHeldByRequestsInFlight_TpmLimitSaysSoWithShortRetry()
    {
        var (admission, _) = Controller();
        var key = new LimitState("key", "k", new Limits { Tpm = 1_000 }, 0, null);
        var held = default(AdmissionTicket);
        Assert.Null(admission.TryAdmit(ref held, key, null, null, 900, 0));

        var ticket = default(AdmissionTicket);
        var rejection = admission.TryAdmit(ref ticket, key, null, null, 200, 0);

        Assert.Equal(LimitCodes.Tpm, rejection?.Code);
        Assert.Equal(AdmissionController.ReservationRetry, rejection?.RetryAfter);
        Assert.Contains("0 were used in the last minute and requests in flight have reserved 900 more", rejection?.Message, StringComparison.Ordinal);
        Assert.Equal(900, key.TokensInFlight);

        admission.Complete(ref held, 300, 0);                          // settles to what it used
        Assert.Equal(0, key.TokensInFlight);
        ticket = default;
        Assert.Null(admission.TryAdmit(ref ticket, key, null, null, 200, 0));
    }

    [Fact]
    public void TryAdmit_TpmWindowFullOfSettledUsage_TpmLimitWithTimeUntilTheWindowFrees()
    {
        var (admission, time) = Controller();
        var key = new LimitState("key", "k", new Limits { Tpm = 1_000 }, 0, null);
        var done = default(AdmissionTicket);
        Assert.Null(admission.TryAdmit(ref done, key, null, null, 900, 0));
        admission.Complete(ref done, 900, 0);
        time.Advance(TimeSpan.FromSeconds(15));

        var ticket = default(AdmissionTicket);
        var rejection = admission.TryAdmit(ref ticket, key, null, null, 200, 0);

        Assert.Equal(LimitCodes.Tpm, rejection?.Code);
        Assert.Equal(TimeSpan.FromSeconds(45), rejection?.RetryAfter);
        Assert.Contains("reached its limit of 1000 tokens per minute: 900 used in the last minute, 0 reserved", rejection?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryAdmit_RejectedByALaterSubject_ReleasesTokensInFlightOfTheEarlierOnes()
    {
        var (admission, _) = Controller();
        var key = new LimitState("key", "k", Limits.None, 0, null);
        var tenant = new LimitState("tenant", "t", new Limits { Tpm = 100 }, 0, null);
        var ticket = default(AdmissionTicket);
        var held = default(AdmissionTicket);
        Assert.Null(admission.TryAdmit(ref held, null, tenant, null, 80, 0));

        Assert.Equal(LimitCodes.Tpm, admission.TryAdmit(ref ticket, key, tenant, null, 50, 0)?.Code);

        Assert.Equal((0L, 80L), (key.TokensInFlight, tenant.TokensInFlight));
    }

    private static (AdmissionController, FakeTimeProvider) Controller()
    {
        var time = new FakeTimeProvider(T0);
        return (new AdmissionController(time), time);
    }
}
