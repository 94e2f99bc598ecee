using Switchyard.Core.Admission;
using Switchyard.Core.Config;
using Switchyard.Core.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.SharedState;

/// <summary>
/// Redis taken away mid-run (its process killed) and brought back: failing closed refuses limited requests with the
/// typed 503; failing open admits against this replica's own counters with every limit divided by the replica count;
/// either way the breaker closes again once Redis answers. Each test starts its own redis-server, since it stops it.
/// </summary>
public sealed class SharedFailureTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task AdmitAsync_RedisStoppedFailClosed_TypedRefusalUntilItIsBackThenSharedAgain()
    {
        await using var replicas = await SharedReplicas.StartAsync(_redis, 3, RedisFailurePolicy.FailClosed);
        var failures = new List<bool>();
        replicas[0].Admission.Breaker!.Changed += (up, _) => { lock (failures) { failures.Add(up); } };
        var limits = new Limits { Rpm = 60 };
        LimitState Key(int i) => replicas[i].State("key", "k", limits);
        var (first, _) = await replicas[0].AdmitAsync(Key(0), null, null, 1, 0);
        Assert.True(first.IsShared);
        await replicas[0].Admission.CompleteAsync(ref first, 1, 0);

        _redis.Stop();
        for (var i = 0; i < 9; i++) // three failures on each replica open its breaker
        {
            var (ticket, rejection) = await replicas[i % 3].AdmitAsync(Key(i % 3), null, null, 1, 0);
            Assert.Equal(LimitCodes.SharedStateUnavailable, rejection?.Code);
            Assert.Equal(503, rejection?.Status);
            Assert.NotNull(rejection?.RetryAfter);
            Assert.False(ticket.IsShared);
        }

        Assert.True(replicas[0].Admission.Breaker!.IsOpen);
        Assert.Equal(0, Key(0).InFlight.Current); // a refused request holds nothing in process either

        await _redis.StartAsync();
        await WaitSharedAgainAsync(replicas[0], Key(0));
        Assert.False(replicas[0].Admission.Breaker!.IsOpen);
        Assert.Equal([false, true], failures);
    }

    [Fact]
    public async Task AdmitAsync_RedisStoppedFailOpen_EachReplicaAdmitsItsDividedShareThenSharedAgain()
    {
        await using var replicas = await SharedReplicas.StartAsync(_redis, 3, RedisFailurePolicy.FailOpen);
        var limits = new Limits { Rpm = 60, MaxParallelRequests = 300 };
        LimitState Key(int i) => replicas[i].State("key", "k", limits);
        Assert.True((await replicas[0].AdmitAsync(Key(0), null, null, 1, 0)).Ticket.IsShared); // replica 0 has used one of its own 20

        _redis.Stop();
        var admitted = new int[3];
        for (var i = 0; i < 300; i++)
        {
            var (ticket, rejection) = await replicas[i % 3].AdmitAsync(Key(i % 3), null, null, 1, 0);
            if (rejection is null)
            {
                Assert.False(ticket.IsShared);
                admitted[i % 3]++;
            }
            else
            {
                Assert.Equal(LimitCodes.Rpm, rejection.Code);
                Assert.Equal("this token reached its limit of 20 requests per minute", rejection.Message);
            }
        }

        Assert.Equal([19, 20, 20], admitted); // 60 / 3 replicas each, counting what each admitted itself in the window
        await _redis.StartAsync();
        await WaitSharedAgainAsync(replicas[1], replicas[1].State("key", "fresh", limits));
        Assert.False(replicas[1].Admission.Breaker!.IsOpen);
    }

    /// <summary>Admits until a ticket comes from the shared store again (the breaker's probe went through).</summary>
    private static async Task WaitSharedAgainAsync(SharedReplicas.Replica replica, LimitState key)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (ticket, rejection) = await replica.AdmitAsync(key, null, null, 1, 0);
            if (rejection is null && ticket.IsShared)
            {
                await replica.Admission.CompleteAsync(ref ticket, 1, 0);
                return;
            }

            replica.Admission.Complete(ref ticket, 0, 0);
            Assert.True(DateTime.UtcNow < deadline, "the breaker in front of Redis never closed again");
            await Task.Delay(50);
        }
    }
}
