using Switchyard.Core.Admission;
using Switchyard.Core.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.SharedState;

/// <summary>
/// Three replicas (admission controllers with their own counters and replica ids) hammering one Redis at once: the
/// shared limits hold exactly, and a killed replica's reservations expire with its heartbeat.
/// </summary>
public sealed class SharedExactnessTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task AdmitAsync_Rpm60Hit600TimesOverThreeReplicas_AdmitsExactly60()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 3);
        var limits = new Limits { Rpm = 60 };
        var admitted = 0;
        var codes = new List<string>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 600), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (i, _) =>
        {
            var r = replicas[i % 3];
            var (ticket, rejection) = await r.AdmitAsync(r.State("key", "k60", limits), null, null, 10, 0);
            if (rejection is null)
            {
                Interlocked.Increment(ref admitted);
                await r.Admission.CompleteAsync(ref ticket, 10, 0);
            }
            else
            {
                lock (codes)
                {
                    codes.Add(rejection.Code);
                }
            }
        });

        Assert.Equal(60, admitted);
        Assert.Equal(540, codes.Count);
        Assert.All(codes, c => Assert.Equal(LimitCodes.Rpm, c));
    }

    [Fact]
    public async Task AdmitAsync_MaxParallel5OverThreeReplicas_NeverASixthInFlight()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 3);
        var limits = new Limits { MaxParallelRequests = 5 };
        var inFlight = 0;
        var maxInFlight = 0;
        var admitted = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (i, _) =>
        {
            var r = replicas[i % 3];
            var (ticket, rejection) = await r.AdmitAsync(r.State("key", "kp5", limits), null, null, 10, 0);
            if (rejection is not null)
            {
                Assert.Equal(LimitCodes.Concurrency, rejection.Code);
                return;
            }

            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            Interlocked.Increment(ref admitted);
            await Task.Yield();
            await Task.Delay(i % 5, CancellationToken.None);

            // leaves the count before settling: the shared store frees the slot only after this
            Interlocked.Decrement(ref inFlight);
            await r.Admission.CompleteAsync(ref ticket, 10, 0);
        });

        Assert.InRange(maxInFlight, 1, 5);
        Assert.True(admitted >= 5, $"only {admitted} admitted");

        // and nothing is left held: five fit again at once
        var tickets = new List<AdmissionTicket>();
        for (var i = 0; i < 5; i++)
        {
            var (t, rejection) = await replicas[i % 3].AdmitAsync(replicas[i % 3].State("key", "kp5", limits), null, null, 10, 0);
            Assert.Null(rejection);
            tickets.Add(t);
        }

        Assert.Equal(LimitCodes.Concurrency, (await replicas[0].AdmitAsync(replicas[0].State("key", "kp5", limits), null, null, 10, 0)).Rejection?.Code);
    }

    /// <summary>
    /// The documented bound (docs/scaling.md): spend ends at most one request's estimate plus what requests in flight
    /// cost beyond their estimates above the budget. Here every request costs between half and one and a half times
    /// its estimate, so the bound is the largest estimate plus the sum of the overruns.
    /// </summary>
    [Fact]
    public async Task AdmitAsync_BudgetHammeredFromThreeReplicas_OvershootWithinTheDocumentedBound()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 3);
        const long budgetNanos = 1_000_000;
        const long estimate = 20_000;
        var limits = new Limits { MaxBudget = budgetNanos / 1_000_000_000m };
        long overrun = 0;
        var admitted = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 600), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (i, _) =>
        {
            var r = replicas[i % 3];
            var (ticket, rejection) = await r.AdmitAsync(r.State("tenant", "spender", limits), null, null, 10, estimate);
            if (rejection is not null)
            {
                Assert.Contains(rejection.Code, new[] { LimitCodes.Budget, LimitCodes.BudgetReserved });
                return;
            }

            Interlocked.Increment(ref admitted);
            var actual = estimate / 2 + (i * 7919 % (estimate + 1)); // 0.5x .. 1.5x the estimate
            Interlocked.Add(ref overrun, Math.Max(0, actual - estimate));
            await Task.Yield();
            await r.Admission.CompleteAsync(ref ticket, 10, actual);
        });

        var spent = long.Parse(await redis.CommandAsync($"HGET {replicas.Settings.KeyPrefix}adm:tenant:spender spent"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(spent >= budgetNanos, $"the budget was not used up: {spent} of {budgetNanos} after {admitted} requests");
        Assert.True(spent <= budgetNanos + estimate + overrun, $"spent {spent}: over the bound {budgetNanos} + {estimate} + {overrun}");
        Assert.Equal(LimitCodes.Budget, (await replicas[0].AdmitAsync(replicas[0].State("tenant", "spender", limits), null, null, 10, 1)).Rejection?.Code);
    }

    [Fact]
    public async Task AdmitAsync_ReplicaKilledWithRequestsInFlight_OthersAdmitAgainOnceItsHeartbeatExpires()
    {
        await using var replicas = await SharedReplicas.StartAsync(redis, 3, ttl: TimeSpan.FromSeconds(1));
        var limits = new Limits { MaxParallelRequests = 5, Tpm = 1_000 };
        var doomed = replicas[2];
        for (var i = 0; i < 5; i++)
        {
            Assert.Null((await doomed.AdmitAsync(doomed.State("key", "kk", limits), null, null, 150, 0)).Rejection); // held, never settled
        }

        Assert.Equal(LimitCodes.Concurrency, (await replicas[0].AdmitAsync(replicas[0].State("key", "kk", limits), null, null, 150, 0)).Rejection?.Code);
        doomed.Shared.Replica.StopHeartbeat(); // killed: no settlement, no goodbye

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        AdmissionRejection? last;
        while ((last = (await replicas[0].AdmitAsync(replicas[0].State("key", "kk", limits), null, null, 150, 0)).Rejection) is not null)
        {
            Assert.Equal(LimitCodes.Concurrency, last.Code);
            Assert.True(DateTime.UtcNow < deadline, "the killed replica's reservations were never released");
            await Task.Delay(50);
        }

        // its five slots and 750 reserved tokens are all free again: four more fit, within the 1,000 tpm beside 150 + 4 x 150
        for (var i = 0; i < 4; i++)
        {
            Assert.Null((await replicas[1].AdmitAsync(replicas[1].State("key", "kk", limits), null, null, 150, 0)).Rejection);
        }

        Assert.Equal(LimitCodes.Concurrency, (await replicas[1].AdmitAsync(replicas[1].State("key", "kk", limits), null, null, 150, 0)).Rejection?.Code);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
