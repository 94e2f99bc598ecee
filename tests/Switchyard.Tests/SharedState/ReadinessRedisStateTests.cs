using Switchyard.Core.Admission;
using Switchyard.Core.Admission.Shared;
using Switchyard.Core.Config;
using Switchyard.Core.Resilience;
using Switchyard.Endpoints;

namespace Switchyard.Tests.SharedState;

/// <summary>
/// /health/readiness's <c>redis</c> field from the breaker in front of shared admission and the shared breakers'
/// availability: off, up, degraded (one use down, or settlements waiting), down (every use down).
/// </summary>
public sealed class ReadinessRedisStateTests
{
    private static readonly SharedStateSettings Redis = new() { RedisUrl = "redis://127.0.0.1:6379" };

    [Fact]
    public void RedisState_NoRedisOrNothingShared_Off()
    {
        Assert.Equal("off", HealthEndpoints.RedisState(new SharedStateSettings(), new AdmissionController(TimeProvider.System), null));
        Assert.Equal("off", HealthEndpoints.RedisState(Redis, new AdmissionController(TimeProvider.System), null));
    }

    [Fact]
    public void RedisState_AdmissionBreakerClosedThenOpen_UpThenDown()
    {
        var (admission, breaker) = Shared();
        Assert.Equal("up", HealthEndpoints.RedisState(Redis, admission, null));
        Trip(breaker);
        Assert.Equal("down", HealthEndpoints.RedisState(Redis, admission, null));
    }

    [Fact]
    public void RedisState_AdmissionDownButBreakersAnswer_Degraded()
    {
        var (admission, breaker) = Shared();
        var breakers = new Coordinator { IsAvailable = true };
        Assert.Equal("up", HealthEndpoints.RedisState(Redis, admission, breakers));
        Trip(breaker);
        Assert.Equal("degraded", HealthEndpoints.RedisState(Redis, admission, breakers));
        breakers.IsAvailable = false;
        Assert.Equal("down", HealthEndpoints.RedisState(Redis, admission, breakers));
    }

    [Fact]
    public void RedisState_OnlyBreakersShared_FollowsTheirAvailability()
    {
        var admission = new AdmissionController(TimeProvider.System);
        var breakers = new Coordinator { IsAvailable = true };
        Assert.Equal("up", HealthEndpoints.RedisState(Redis, admission, breakers));
        breakers.IsAvailable = false;
        Assert.Equal("down", HealthEndpoints.RedisState(Redis, admission, breakers));
    }

    private static (AdmissionController Admission, SharedStateBreaker Breaker) Shared()
    {
        var breaker = new SharedStateBreaker(TimeProvider.System, TimeSpan.FromSeconds(1), failureThreshold: 3, cooldown: TimeSpan.FromMinutes(5));
        return (new AdmissionController(TimeProvider.System, new UnusedAdmission(), Redis, breaker), breaker);
    }

    private static void Trip(SharedStateBreaker breaker)
    {
        for (var i = 0; i < breaker.FailureThreshold; i++)
        {
            breaker.Fail("connection refused");
        }

        Assert.True(breaker.IsOpen);
    }

    private sealed class UnusedAdmission : ISharedAdmission
    {
        public ValueTask<SharedVerdict> AdmitAsync(SharedAdmitRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<SharedSettlement> SettleAsync(SharedSettleRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class Coordinator : IBreakerCoordinator
    {
        public TimeSpan ProbeStep => TimeSpan.FromMilliseconds(250);

        public bool IsAvailable { get; set; }

        public event Action<SharedBreakerEvent>? Received
        {
            add { }
            remove { }
        }

        public void Opened(string deploymentId, TimeSpan openFor, string reason)
        {
        }

        public void Closed(string deploymentId, string reason)
        {
        }

        public void CooledDown(string deploymentId, TimeSpan wait, int upstreamStatus)
        {
        }

        public Task<ProbeAnswer> RequestProbeAsync(string deploymentId, TimeSpan hold) => Task.FromResult(new ProbeAnswer(ProbeVerdict.Granted, TimeSpan.Zero));

        public void Track(string deploymentId)
        {
        }
    }
}
