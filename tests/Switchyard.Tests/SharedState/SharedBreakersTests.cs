using Switchyard.Core.Config;
using Switchyard.Core.Resilience;
using Switchyard.Core.Routing;
using Switchyard.Storage.Redis;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.SharedState;

/// <summary>
/// Two replicas' deployment registries, each with its own breaker coordinator and connection, sharing one real Redis:
/// an open on one is applied by the other with the time left, a close likewise, a Retry-After cooldown too, only one
/// replica is granted the half-open probe, a replica started later reads the open from Redis, and with Redis gone each
/// replica's own breaker decides (and probes) again.
/// </summary>
public sealed class SharedBreakersTests : IAsyncLifetime
{
    private const string Id = "dep-1";
    private readonly RedisServer _redis = new();
    private readonly List<RedisBreakerCoordinator> _coordinators = [];
    private SharedStateSettings _settings = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _settings = new SharedStateSettings { RedisUrl = _redis.Url, KeyPrefix = $"t{Guid.NewGuid():N}:", Breakers = true, RedisTimeout = TimeSpan.FromSeconds(2) };
    }

    public async Task DisposeAsync()
    {
        foreach (var c in _coordinators)
        {
            await c.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Open_FailuresOnOneReplica_OtherOpensWithTimeLeftAndPublishesNothingBack()
    {
        var (a, b) = (await ReplicaAsync("a"), await ReplicaAsync("b"));
        var seenByB = Transitions(b.Registry);
        var seenByA = Transitions(a.Registry);
        var (sa, sb) = (State(a.Registry, openFor: TimeSpan.FromSeconds(30)), State(b.Registry, openFor: TimeSpan.FromSeconds(30)));

        sa.Breaker.RecordFailure("HTTP 500");
        sa.Breaker.RecordFailure("HTTP 500");
        Assert.Equal(BreakerState.Open, sa.Breaker.State);

        await GatewayApi.WaitUntilAsync(() => sb.Breaker.State == BreakerState.Open, "replica b to apply a's open");
        Assert.False(sb.Breaker.TryAcquire());
        var left = sb.Breaker.BlockedUntil()!.Value - DateTimeOffset.UtcNow;
        Assert.InRange(left, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)); // the time left, not a fresh or an expired period
        var pttl = long.Parse((await _redis.CommandAsync($"PTTL {a.Coordinator.BreakerKey(Id)}"))[1..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pttl, 1, 30_000);

        var applied = Assert.Single(seenByB);
        Assert.True(applied.Shared);
        Assert.Contains("another replica: 2 consecutive failures", applied.Reason, StringComparison.Ordinal);
        Assert.All(seenByA, t => Assert.False(t.Shared)); // a's own open, never echoed back to it
    }

    [Fact]
    public async Task Probe_OpenPeriodOverOnBoth_OnlyOneReplicaProbesThenItsSuccessClosesBoth()
    {
        var (a, b) = (await ReplicaAsync("a"), await ReplicaAsync("b"));
        var states = new[] { State(a.Registry, TimeSpan.FromSeconds(30)), State(b.Registry, TimeSpan.FromSeconds(30)) };
        foreach (var s in states)
        {
            s.Breaker.ApplySharedOpen(TimeSpan.FromMilliseconds(200), "test"); // a short open period; the probe grant is held 30 s
        }

        var granted = await RunUntilOneProbesAsync(states);
        var other = states[1 - granted];
        for (var i = 0; i < 20; i++) // while the probe is in flight, neither replica lets a second call through
        {
            Assert.False(states[0].Breaker.TryAcquire());
            Assert.False(states[1].Breaker.TryAcquire());
            await Task.Delay(25);
        }

        Assert.Equal(new[] { a, b }[granted].Coordinator.Replica, await _redis.CommandAsync($"GET {a.Coordinator.BreakerKey(Id)}:probe"));
        Assert.Equal(BreakerState.Open, other.Breaker.State);

        states[granted].Breaker.RecordSuccess(TimeSpan.FromMilliseconds(5));
        Assert.Equal(BreakerState.Closed, states[granted].Breaker.State);
        await GatewayApi.WaitUntilAsync(() => other.Breaker.State == BreakerState.Closed, "the other replica to close");
        Assert.True(other.Breaker.TryAcquire());
        Assert.Equal("0", (await _redis.CommandAsync($"EXISTS {a.Coordinator.BreakerKey(Id)}:probe"))[1..]);
    }

    [Fact]
    public async Task Probe_ItFails_ReopensOnBothForAnotherOpenPeriod()
    {
        var (a, b) = (await ReplicaAsync("a"), await ReplicaAsync("b"));
        var states = new[] { State(a.Registry, TimeSpan.FromSeconds(20)), State(b.Registry, TimeSpan.FromSeconds(20)) };
        foreach (var s in states)
        {
            s.Breaker.ApplySharedOpen(TimeSpan.FromMilliseconds(200), "test");
        }

        var granted = await RunUntilOneProbesAsync(states);
        var other = states[1 - granted];
        var before = other.Breaker.BlockedUntil();
        states[granted].Breaker.RecordFailure("HTTP 503");
        Assert.Equal(BreakerState.Open, states[granted].Breaker.State);
        await GatewayApi.WaitUntilAsync(() => other.Breaker.BlockedUntil() > DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5), "the other replica to take the new open period");
        Assert.True(other.Breaker.BlockedUntil() > before);
        Assert.False(other.Breaker.TryAcquire());
        Assert.Equal("0", (await _redis.CommandAsync($"EXISTS {a.Coordinator.BreakerKey(Id)}:probe"))[1..]);
    }

    [Fact]
    public async Task CoolDown_RetryAfterOnOneReplica_OtherSkipsTheDeploymentWithTheSameStatus()
    {
        var (a, b) = (await ReplicaAsync("a"), await ReplicaAsync("b"));
        var (sa, sb) = (State(a.Registry, TimeSpan.FromSeconds(30)), State(b.Registry, TimeSpan.FromSeconds(30)));

        sa.CoolDown(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20), 429);

        await GatewayApi.WaitUntilAsync(() => sb.CooldownUntil(DateTimeOffset.UtcNow) is not null, "replica b to apply a's cooldown");
        Assert.Equal(429, sb.CooldownStatus);
        Assert.Equal(BreakerState.Closed, sb.Breaker.State); // a cooldown is no breaker evidence
        Assert.NotNull(sb.BlockedUntil(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task Track_ReplicaStartedAfterTheOpen_ReadsItFromRedis()
    {
        var a = await ReplicaAsync("a");
        var sa = State(a.Registry, TimeSpan.FromSeconds(30));
        sa.Breaker.RecordFailure("HTTP 500");
        sa.Breaker.RecordFailure("HTTP 500");
        sa.CoolDown(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20), 503);
        await RedisUntilAsync($"EXISTS {a.Coordinator.BreakerKey(Id)}:cool", r => r == ":1", "a's cooldown in Redis");

        var late = await ReplicaAsync("late");
        var s = State(late.Registry, TimeSpan.FromSeconds(30));
        await GatewayApi.WaitUntilAsync(() => s.Breaker.State == BreakerState.Open && s.CooldownStatus == 503, "the late replica to read the open and the cooldown");
        Assert.False(s.Breaker.TryAcquire());
    }

    [Fact]
    public async Task Probe_RedisStopped_EachReplicaFallsBackToItsOwnBreakerAndCountsTheFailure()
    {
        var a = await ReplicaAsync("a");
        var sa = State(a.Registry, TimeSpan.FromMilliseconds(300));
        var changes = new List<bool>();
        a.Coordinator.AvailabilityChanged += up => { lock (changes) { changes.Add(up); } };
        _redis.Stop();

        sa.Breaker.RecordFailure("HTTP 500");
        sa.Breaker.RecordFailure("HTTP 500"); // publishing the open fails: counted, not thrown
        Assert.Equal(BreakerState.Open, sa.Breaker.State);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!sa.Breaker.TryAcquire())
        {
            Assert.True(DateTime.UtcNow < deadline, "without Redis the breaker never went half-open");
            await Task.Delay(20);
        }

        Assert.Equal(BreakerState.HalfOpen, sa.Breaker.State);
        Assert.True(a.Coordinator.Failures > 0);
        Assert.False(a.Coordinator.IsAvailable);
        lock (changes)
        {
            Assert.Equal([false], changes);
        }
    }

    /// <summary>Calls TryAcquire on both (as requests would) until one replica probes; returns which. Fails when both do.</summary>
    private static async Task<int> RunUntilOneProbesAsync(DeploymentState[] states)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var acquired = states.Select(s => s.Breaker.TryAcquire()).ToArray();
            Assert.False(acquired[0] && acquired[1], "both replicas probed");
            if (acquired[0] || acquired[1])
            {
                return acquired[0] ? 0 : 1;
            }

            Assert.True(DateTime.UtcNow < deadline, "no replica was granted the probe");
            await Task.Delay(20);
        }
    }

    private async Task<(RedisBreakerCoordinator Coordinator, DeploymentStateRegistry Registry)> ReplicaAsync(string name)
    {
        var coordinator = RedisBreakerCoordinator.Connect(_settings, name);
        _coordinators.Add(coordinator);
        await RedisUntilAsync("PUBSUB NUMSUB " + _settings.KeyPrefix + "breakers", r => r.EndsWith($":{_coordinators.Count}", StringComparison.Ordinal), "the subscription of " + name);
        return (coordinator, new DeploymentStateRegistry(TimeProvider.System, coordinator));
    }

    /// <summary>Sends <paramref name="command"/> until its raw reply satisfies <paramref name="condition"/> (a bound against hanging).</summary>
    private async Task RedisUntilAsync(string command, Func<string, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition(await _redis.CommandAsync(command)))
        {
            Assert.True(DateTime.UtcNow < deadline, "gave up waiting for " + what);
            await Task.Delay(10);
        }
    }

    private static DeploymentState State(DeploymentStateRegistry registry, TimeSpan openFor)
        => registry.Get(Id, new DeploymentRuntime(new BreakerSettings { ConsecutiveFailures = 2, OpenDuration = openFor }, null, null));

    private static List<BreakerTransition> Transitions(DeploymentStateRegistry registry)
    {
        var list = new List<BreakerTransition>();
        registry.BreakerTransitioned += t => { lock (list) { list.Add(t); } };
        return list;
    }
}
