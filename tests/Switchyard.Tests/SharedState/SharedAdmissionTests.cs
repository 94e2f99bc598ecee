using Switchyard.Core.Admission;
using Switchyard.Core.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.SharedState;

/// <summary>
/// The scenarios of AdmissionControllerTests and ReservationRejectionTests, on the shared path against a real Redis:
/// same codes, messages, retry hints and x-ratelimit figures as the in-process counters. Time moves through the
/// scripts' clock offset (the Redis server's clock is the one that counts).
/// </summary>
public sealed class SharedAdmissionTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly Limits KeyLimits = new() { Rpm = 10, Tpm = 10_000, MaxParallelRequests = 5, MaxBudget = 1m };
    private static readonly Limits Budget30d = new() { MaxBudget = 0.000_01m, BudgetDuration = new BudgetDuration(30, 'd') }; // 10,000 nano-dollars

    [Fact]
    public async Task AdmitAsync_WithinAllLimits_SameFiguresAsInProcessAndSettlementCounts()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 1);
        var r = replicas[0];
        var key = r.State("key", "k1", KeyLimits);
        var tenant = r.State("tenant", "t1", KeyLimits);

        var (ticket, rejection) = await r.AdmitAsync(key, tenant, null, 300, 2_000);

        Assert.Null(rejection);
        Assert.True(ticket.IsShared);
        Assert.Equal((10, 9, 10_000, 9_700), (ticket.LimitRequests, ticket.RemainingRequests, ticket.LimitTokens, ticket.RemainingTokens));
        await r.Admission.CompleteAsync(ref ticket, 120, 900);
        await r.Admission.CompleteAsync(ref ticket, 120, 900); // settles once only
        var (next, _) = await r.AdmitAsync(key, tenant, null, 300, 2_000);
        Assert.Equal((10, 8, 10_000, 9_580), (next.LimitRequests, next.RemainingRequests, next.LimitTokens, next.RemainingTokens));
        Assert.Equal((900L, 900L), (key.SharedSpentNanos, tenant.SharedSpentNanos));
    }

    [Fact]
    public async Task AdmitAsync_TenantConcurrencyRejects_KeyTakesNothing()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 1);
        var r = replicas[0];
        var key = r.State("key", "k1", KeyLimits);
        var tenant = r.State("tenant", "t1", new Limits { MaxParallelRequests = 1 });
        Assert.Null((await r.AdmitAsync(r.State("key", "holder", Limits.None), tenant, null, 10, 10)).Rejection);

        var (ticket, rejection) = await r.AdmitAsync(key, tenant, null, 300, 2_000);

        Assert.Equal(LimitCodes.Concurrency, rejection?.Code);
        Assert.Equal(TimeSpan.FromMilliseconds(250), rejection?.RetryAfter);
        Assert.Equal("tenant 't1' already has 1 requests in flight (max_parallel_requests)", rejection?.Message);
        Assert.Equal((0, 0L, 0L), (key.InFlight.Current, key.Requests.Current(TimeProvider.System.GetUtcNow()), key.Budget.ReservedNanos));
        await r.Admission.CompleteAsync(ref ticket, 999, 999); // a rejected ticket is already settled
        var (alone, _) = await r.AdmitAsync(key, null, null, 300, 2_000);
        Assert.Equal((10, 9), (alone.LimitRequests, alone.RemainingRequests)); // the key's shared rpm was not taken
    }

    [Fact]
    public async Task AdmitAsync_AliasRpmRejects_KeyAndTenantTakeNothing()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 1);
        var r = replicas[0];
        var key = r.State("key", "k1", new Limits { Rpm = 1 });
        var tenant = r.State("tenant", "t1", KeyLimits);
        var alias = r.State("tenant_alias", "t1/chat", new Limits { Rpm = 1 });
        Assert.Null((await r.AdmitAsync(r.State("key", "other", new Limits { Rpm = 5 }), null, alias, 1, 0)).Rejection);

        var (_, rejection) = await r.AdmitAsync(key, tenant, alias, 300, 2_000);

        Assert.Equal(LimitCodes.Rpm, rejection?.Code);
        Assert.Equal("tenant alias limit 't1/chat' reached its limit of 1 requests per minute", rejection?.Message);
        Assert.InRange(rejection!.RetryAfter!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(60));
        Assert.Null((await r.AdmitAsync(key, tenant, null, 300, 2_000)).Rejection); // the key's one request per minute is still there
    }

    [Fact]
    public async Task AdmitAsync_TenantTpmFullOfSettledTokens_TpmLimitWithRemainingFigures()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 1);
        var r = replicas[0];
        var tenant = r.State("tenant", "t1", new Limits { Rpm = 5, Tpm = 500, MaxParallelRequests = 3, MaxBudget = 1m });
        var (used, _) = await r.AdmitAsync(null, tenant, null, 300, 0);
        await r.Admission.CompleteAsync(ref used, 300, 0);

        var (ticket, rejection) = await r.AdmitAsync(r.State("key", "k1", KeyLimits), tenant, null, 300, 2_000);

        Assert.Equal(LimitCodes.Tpm, rejection?.Code);
        Assert.Equal((500L, 200L), (ticket.LimitTokens, ticket.RemainingTokens));
        Assert.Contains("reached its limit of 500 tokens per minute: 300 used in the last minute, 0 reserved", rejection?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_TenantBudgetSpent_BudgetExceededWithTimeToTheSeededReset()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 1);
        var r = replicas[0];
        var reset = TimeProvider.System.GetUtcNow().AddMinutes(45);
        var tenant = r.State("tenant", "acme", new Limits { MaxBudget = 0.000001m, BudgetDuration = new BudgetDuration(1, 'h') }, spentNanos: 1_000, resetAt: reset);
        var key = r.State("key", "k1", KeyLimits);

        var (_, rejection) = await r.AdmitAsync(key, tenant, null, 300, 2_000);

        Assert.Equal(LimitCodes.Budget, rejection?.Code);
        Assert.StartsWith("Budget has been exceeded! Team=acme Current cost: 0.000001, Max budget: 0.000001; ", rejection?.Message, StringComparison.Ordinal);
        Assert.EndsWith("; tenant 'acme' has spent its budget of $0.000001 for this 1h period", rejection?.Message, StringComparison.Ordinal);
        Assert.InRange(rejection!.RetryAfter!.Value, TimeSpan.FromMinutes(40), TimeSpan.FromMinutes(45));
        Assert.Equal(0, key.InFlight.Current);
    }

    [Fact]
    public async Task AdmitAsync_UserBudgetSpentThroughOneReplicasKey_AnotherReplicasKeyOfTheUserIsRefused()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 2);
        var limits = new Limits { MaxBudget = 0.000002m };
        var (a, b) = (replicas[0], replicas[1]);

        // the user's first key spends the whole budget through replica a (settled in Redis)
        var (ticket, admitted) = await a.AdmitAsync(a.State("key", "k1", KeyLimits), null, null, a.State("user", "ada", limits), 10, 1_000);
        Assert.Null(admitted);
        await a.Admission.CompleteAsync(ref ticket, 10, 2_000);

        // replica b never saw that spend in process: only the shared user budget can refuse the user's other key
        var (_, rejection) = await b.AdmitAsync(b.State("key", "k2", KeyLimits), null, null, b.State("user", "ada", limits), 10, 1_000);

        Assert.Equal(LimitCodes.Budget, rejection?.Code);
        Assert.StartsWith("ExceededBudget: User=ada over budget. Spend=0.000002, Budget=0.000002; user 'ada' has spent its budget", rejection?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_BudgetPeriodRolls_BudgetResetOnceAcrossReplicas()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 3);
        var resets = new List<(string, string, DateTimeOffset)>();
        foreach (var x in replicas.All)
        {
            x.Admission.BudgetReset += (kind, id, next) => { lock (resets) { resets.Add((kind, id, next)); } };
        }

        var limits = new Limits { MaxBudget = 1m, BudgetDuration = new BudgetDuration(30, 's') };
        var reset = DateTimeOffset.FromUnixTimeMilliseconds(TimeProvider.System.GetUtcNow().AddSeconds(30).ToUnixTimeMilliseconds());
        LimitState Key(int i) => replicas[i].State("key", "k1", limits, 999_000_000, reset);

        Assert.Null((await replicas[0].AdmitAsync(Key(0), null, null, 1, 2_000_000)).Rejection);
        Assert.Equal(LimitCodes.BudgetReserved, (await replicas[1].AdmitAsync(Key(1), null, null, 1, 1)).Rejection?.Code);
        foreach (var x in replicas.All)
        {
            x.Shared.ClockOffset = TimeSpan.FromSeconds(30);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Null((await replicas[i].AdmitAsync(Key(i), null, null, 1, 1)).Rejection);
        }

        Assert.Equal([("key", "k1", reset.AddSeconds(30))], resets); // the next period after the one that just ended
    }

    [Fact]
    public async Task CompleteAsync_SoftBudgetCrossedOnThreeReplicas_AlertsOnce()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 3);
        var reached = new List<long>();
        foreach (var x in replicas.All)
        {
            x.Admission.SoftBudgetReached += (_, spent) => { lock (reached) { reached.Add(spent); } };
        }

        for (var i = 0; i < 3; i++)
        {
            var key = replicas[i].State("key", "k1", new Limits { SoftBudget = 0.000001m });
            var (ticket, rejection) = await replicas[i].AdmitAsync(key, null, null, 1, 600);
            Assert.Null(rejection);
            await replicas[i].Admission.CompleteAsync(ref ticket, 1, 600);
        }

        Assert.Equal([1_200L], reached);
    }

    [Fact]
    public async Task AdmitAsync_BudgetRoomHeldByARequestOnAnotherReplica_BudgetReservedWithShortRetry()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 2);
        var (held, first) = await replicas[0].AdmitAsync(null, replicas[0].State("tenant", "acme", Budget30d, 900), null, 10, 9_500);
        Assert.Null(first); // alone: admitted though 900 + 9,500 > 10,000

        var tenant = replicas[1].State("tenant", "acme", Budget30d, 900);
        var (_, rejection) = await replicas[1].AdmitAsync(null, tenant, null, 10, 500);

        Assert.Equal(LimitCodes.BudgetReserved, rejection?.Code);
        Assert.Equal(AdmissionController.ReservationRetry, rejection?.RetryAfter);
        Assert.Equal("tenant 'acme' has $0.0000091 of its $0.00001 budget for this 30d period left, but 1 request(s) in flight have reserved $0.0000095 of it "
            + "and this request may cost up to $0.0000005; retry when they finish", rejection?.Message);
        await replicas[0].Admission.CompleteAsync(ref held, 10, 600);
        Assert.Null((await replicas[1].AdmitAsync(null, tenant, null, 10, 500)).Rejection);
    }

    [Fact]
    public async Task AdmitAsync_TpmWindowHeldByRequestsInFlight_TpmLimitSaysSoWithShortRetry()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 1);
        var r = replicas[0];
        var key = r.State("key", "k", new Limits { Tpm = 1_000 });
        var (held, _) = await r.AdmitAsync(key, null, null, 900, 0);

        var (_, rejection) = await r.AdmitAsync(key, null, null, 200, 0);

        Assert.Equal(LimitCodes.Tpm, rejection?.Code);
        Assert.Equal(AdmissionController.ReservationRetry, rejection?.RetryAfter);
        Assert.Contains("0 were used in the last minute and requests in flight have reserved 900 more", rejection?.Message, StringComparison.Ordinal);
        await r.Admission.CompleteAsync(ref held, 300, 0);
        Assert.Null((await r.AdmitAsync(key, null, null, 200, 0)).Rejection);
    }

    [Fact]
    public async Task AdmitAsync_TpmWindowFullOfSettledUsage_RetryWhenTheOldestSecondLeavesTheWindow()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 1);
        var r = replicas[0];
        var key = r.State("key", "k", new Limits { Tpm = 1_000 });
        var (done, _) = await r.AdmitAsync(key, null, null, 900, 0);
        await r.Admission.CompleteAsync(ref done, 900, 0);
        r.Shared.ClockOffset = TimeSpan.FromSeconds(15);

        var (_, rejection) = await r.AdmitAsync(key, null, null, 200, 0);

        Assert.Equal(LimitCodes.Tpm, rejection?.Code);
        Assert.InRange(rejection!.RetryAfter!.Value, TimeSpan.FromSeconds(44), TimeSpan.FromSeconds(45)); // the second it was used in leaves the window
        Assert.Contains("reached its limit of 1000 tokens per minute: 900 used in the last minute, 0 reserved", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_ManyAdmissions_OneEvalshaRoundTripEach()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 1);
        var r = replicas[0];
        var key = r.State("key", "k", new Limits { Rpm = 1_000 });
        Assert.Null((await r.AdmitAsync(key, null, null, 1, 0)).Rejection); // loads the script
        var before = await CallsAsync();

        for (var i = 0; i < 20; i++)
        {
            Assert.Null((await r.AdmitAsync(key, null, null, 1, 0)).Rejection);
        }

        var after = await CallsAsync();
        Assert.Equal(20, after.Evalsha - before.Evalsha);
        Assert.Equal(before.Eval, after.Eval);
    }

    private async Task<(long Eval, long Evalsha)> CallsAsync()
    {
        var info = await redis.CommandAsync("INFO commandstats");
        static long Calls(string info, string command)
        {
            var line = info.Split('\n').FirstOrDefault(l => l.StartsWith($"cmdstat_{command}:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        return (Calls(info, "eval"), Calls(info, "evalsha"));
    }
}
