using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Admission;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tests.Core;

public sealed class AdmissionControllerTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);

    private static readonly Limits KeyLimits = new() { Rpm = 10, Tpm = 10_000, MaxParallelRequests = 5, MaxBudget = 1m };

    [Fact]
    public void TryAdmit_WithinAllLimits_TakesFromEverySubjectAndCompleteSettles()
    {
        var (admission, time) = Controller();
        var key = State("key", KeyLimits);
        var tenant = State("tenant", KeyLimits);
        var ticket = default(AdmissionTicket);

        Assert.Null(admission.TryAdmit(ref ticket, key, tenant, null, 300, 2_000));
        foreach (var s in new[] { key, tenant })
        {
            Assert.Equal(1, s.InFlight.Current);
            Assert.Equal(1, s.Requests.Current(T0));
            Assert.Equal(300, s.Tokens.Current(T0));
            Assert.Equal(2_000, s.Budget.ReservedNanos);
        }

        Assert.Equal((10, 9, 10_000, 9_700), (ticket.LimitRequests, ticket.RemainingRequests, ticket.LimitTokens, ticket.RemainingTokens));
        time.Advance(TimeSpan.FromSeconds(2));
        admission.Complete(ref ticket, 120, 900);
        admission.Complete(ref ticket, 120, 900); // settles once only
        foreach (var s in new[] { key, tenant })
        {
            Assert.Equal(0, s.InFlight.Current);
            Assert.Equal(1, s.Requests.Current(time.GetUtcNow()));
            Assert.Equal(120, s.Tokens.Current(time.GetUtcNow()));
            Assert.Equal(0, s.Budget.ReservedNanos);
            Assert.Equal(900, s.Budget.SpentNanos);
        }
    }

    [Fact]
    public void TryAdmit_TenantConcurrencyRejects_KeyCountersAreRolledBack()
    {
        var (admission, _) = Controller();
        var key = State("key", KeyLimits);
        var tenant = State("tenant", new Limits { MaxParallelRequests = 1 });
        var holder = default(AdmissionTicket);
        Assert.Null(admission.TryAdmit(ref holder, State("key", Limits.None), tenant, null, 10, 10));

        var ticket = default(AdmissionTicket);
        var rejection = admission.TryAdmit(ref ticket, key, tenant, null, 300, 2_000);

        Assert.Equal(LimitCodes.Concurrency, rejection?.Code);
        Assert.Equal(TimeSpan.FromMilliseconds(250), rejection?.RetryAfter);
        AssertUntouched(key);
        Assert.Equal(1, tenant.InFlight.Current);
        Assert.Equal(10, tenant.Budget.ReservedNanos);
        admission.Complete(ref ticket, 999, 999); // a rejected ticket is already settled
        AssertUntouched(key);
    }

    [Fact]
    public void TryAdmit_AliasRpmRejects_KeyAndTenantCountersAreRolledBack()
    {
        var (admission, _) = Controller();
        var key = State("key", new Limits { Rpm = 1 });
        var tenant = State("tenant", KeyLimits);
        var alias = State("tenant_alias", new Limits { Rpm = 1 });
        Assert.True(alias.Requests.TryAdd(1, 1, T0, out _, out _));

        var ticket = default(AdmissionTicket);
        var rejection = admission.TryAdmit(ref ticket, key, tenant, alias, 300, 2_000);

        Assert.Equal(LimitCodes.Rpm, rejection?.Code);
        Assert.Equal(TimeSpan.FromSeconds(60), rejection?.RetryAfter);
        AssertUntouched(key);
        AssertUntouched(tenant);
        Assert.Equal(0, alias.InFlight.Current);
        Assert.Equal(1, alias.Requests.Current(T0));

        // the refunded RPM slot of the key (limit 1) is usable at once
        var next = default(AdmissionTicket);
        Assert.Null(admission.TryAdmit(ref next, key, tenant, null, 300, 2_000));
    }

    [Fact]
    public void TryAdmit_TenantTpmRejects_KeyAndTenantRequestSlotsAreRefunded()
    {
        var (admission, _) = Controller();
        var key = State("key", KeyLimits);
        var tenant = State("tenant", new Limits { Rpm = 5, Tpm = 500, MaxParallelRequests = 3, MaxBudget = 1m });
        Assert.True(tenant.Tokens.TryAdd(300, 500, T0, out _, out _));

        var ticket = default(AdmissionTicket);
        var rejection = admission.TryAdmit(ref ticket, key, tenant, null, 300, 2_000);

        Assert.Equal(LimitCodes.Tpm, rejection?.Code);
        Assert.Equal((500L, 200L), (ticket.LimitTokens, ticket.RemainingTokens));
        AssertUntouched(key);
        Assert.Equal((0, 0L, 300L, 0L), (tenant.InFlight.Current, tenant.Requests.Current(T0), tenant.Tokens.Current(T0), tenant.Budget.ReservedNanos));
    }

    [Fact]
    public void TryAdmit_TenantBudgetSpent_KeyRolledBackAndRetryAfterIsTimeToReset()
    {
        var (admission, time) = Controller();
        var key = State("key", KeyLimits);
        var tenant = new LimitState("tenant", "acme", new Limits { MaxBudget = 0.000001m, BudgetDuration = new BudgetDuration(1, 'h') }, 1_000, T0.AddMinutes(45));
        time.Advance(TimeSpan.FromMinutes(5));

        var ticket = default(AdmissionTicket);
        var rejection = admission.TryAdmit(ref ticket, key, tenant, null, 300, 2_000);

        Assert.Equal(LimitCodes.Budget, rejection?.Code);
        Assert.Equal(TimeSpan.FromMinutes(40), rejection?.RetryAfter);
        Assert.Contains("tenant 'acme'", rejection?.Message, StringComparison.Ordinal);
        AssertUntouched(key, time.GetUtcNow());
        Assert.Equal(0, tenant.InFlight.Current);
    }

    [Fact]
    public void TryAdmit_BudgetPeriodRolls_RaisesBudgetResetOnceWithTheNextResetTime()
    {
        var (admission, time) = Controller();
        var resets = new List<(string, string, DateTimeOffset)>();
        admission.BudgetReset += (kind, id, next) => resets.Add((kind, id, next));
        var key = new LimitState("key", "k1", new Limits { MaxBudget = 1m, BudgetDuration = new BudgetDuration(30, 's') }, 999_000_000, T0.AddSeconds(30));

        var ticket = default(AdmissionTicket);
        Assert.Null(admission.TryAdmit(ref ticket, key, null, null, 1, 2_000_000));
        Assert.False(admission.TryAdmit(ref ticket, key, null, null, 1, 1) is null);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(admission.TryAdmit(ref ticket, key, null, null, 1, 1));

        Assert.Equal([("key", "k1", T0.AddSeconds(60))], resets);
    }

    [Fact]
    public void Complete_SoftBudgetCrossed_RaisesSoftBudgetReachedOncePerPeriod()
    {
        var (admission, _) = Controller();
        var reached = new List<long>();
        admission.SoftBudgetReached += (_, spent) => reached.Add(spent);
        var key = State("key", new Limits { SoftBudget = 0.000001m });

        for (var i = 0; i < 3; i++)
        {
            var ticket = default(AdmissionTicket);
            Assert.Null(admission.TryAdmit(ref ticket, key, null, null, 1, 600));
            admission.Complete(ref ticket, 1, 600);
        }

        Assert.Equal([1_200L], reached);
    }

    [Fact]
    public void TryAdmit_ParallelBurstAgainstKeyAndTenant_AdmitsExactlyTheTighterLimitAndLeaksNothing()
    {
        var (admission, _) = Controller();
        var key = State("key", new Limits { Rpm = 1000, MaxParallelRequests = 1000 });
        var tenant = State("tenant", new Limits { MaxParallelRequests = 7 });
        var tickets = new AdmissionTicket[200];
        var admitted = new bool[200];
        Parallel.For(0, 200, i => admitted[i] = admission.TryAdmit(ref tickets[i], key, tenant, null, 1, 1) is null);

        Assert.Equal(7, admitted.Count(a => a));
        Assert.Equal(7, key.InFlight.Current);
        Assert.Equal(7, key.Requests.Current(T0));
        for (var i = 0; i < tickets.Length; i++)
        {
            admission.Complete(ref tickets[i], 1, 1);
        }

        Assert.Equal(0, key.InFlight.Current);
        Assert.Equal(0, tenant.InFlight.Current);
        Assert.Equal(0, key.Budget.ReservedNanos);
        Assert.Equal(7, key.Budget.SpentNanos);
    }

    private static (AdmissionController, FakeTimeProvider) Controller()
    {
        var time = new FakeTimeProvider(T0);
        return (new AdmissionController(time), time);
    }

    private static LimitState State(string kind, Limits limits) => new(kind, kind + "-1", limits, 0, null);

    private static void AssertUntouched(LimitState s, DateTimeOffset? now = null)
    {
        Assert.Equal(0, s.InFlight.Current);
        Assert.Equal(0, s.Requests.Current(now ?? T0));
        Assert.Equal(0, s.Tokens.Current(now ?? T0));
        Assert.Equal(0, s.Budget.ReservedNanos);
        Assert.Equal(0, s.Budget.SpentNanos);
    }
}
