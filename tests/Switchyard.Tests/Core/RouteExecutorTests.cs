using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;

namespace Switchyard.Tests.Core;

public sealed class RouteExecutorTests
{
    private static RouteTable Table(string router = "", TimeProvider? time = null) => new(
        ConfigLoader.Load($$"""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
                model_info:
                  id: a1
              - model_name: b
                litellm_params:
                  model: mock/b
                model_info:
                  id: b1
            router_settings:
              num_retries: 2
              {{router}}
            switchyard:
              retry:
                base_delay: 0
            general_settings:
              master_key: sk-unit-test-key
            """, Path.GetTempPath(), _ => null),
        new DeploymentStateRegistry(time ?? TimeProvider.System));

    private static Func<RoutedDeployment, AttemptInfo, List<string>, CancellationToken, ValueTask<AttemptResult<string>>> Script(params UpstreamFailure?[] outcomes)
    {
        var i = 0;
        return (d, attempt, log, _) =>
        {
            log.Add($"{attempt.Number}:{d.Config.Id}:{(attempt.IsFallback ? "fallback" : "primary")}");
            var f = i < outcomes.Length ? outcomes[i++] : null;
            return ValueTask.FromResult(f is null ? AttemptResult<string>.Ok("ok from " + d.Config.Id) : AttemptResult<string>.Fail(f));
        };
    }

    [Fact]
    public async Task Execute_RetryAfterWaitEndsOnAnEarlyTimer_StillRetriesTheCooledDownDeployment()
    {
        var time = new EarlyTimerTimeProvider(TimeSpan.FromMilliseconds(30));
        var table = Table(time: time);
        var log = new List<string>();
        var limited = new UpstreamFailure(FailureKind.RateLimited, 429, "answered HTTP 429") { RetryAfter = TimeSpan.FromMilliseconds(80) };

        var result = await new RouteExecutor(time, Random.Shared).ExecuteAsync(table, "a", log, Script(limited), CancellationToken.None);

        Assert.Equal("ok from a1", result.Value);
        Assert.Equal(["1:a1:primary", "2:a1:primary"], log);
    }

    [Fact]
    public async Task Execute_CallerError_NotRetriedNorFallenBackAndKindReported()
    {
        var table = Table("fallbacks:\n    - a: [b]");
        var log = new List<string>();
        var rejected = new UpstreamFailure(FailureKind.CallerError, 400, "answered HTTP 400") { UpstreamCode = "invalid_value", UpstreamParam = "tools[0]" };

        var result = await new RouteExecutor(TimeProvider.System, Random.Shared).ExecuteAsync(table, "a", log, Script(rejected), CancellationToken.None);

        Assert.Null(result.Value);
        Assert.Equal(FailureKind.CallerError, result.FailureKind);
        Assert.Equal(("invalid_value", "tools[0]", 400, "a"), (result.Failure!.Code, result.Failure.Param, result.Failure.Status, result.Failure.Route));
        Assert.Equal(["1:a1:primary"], log);
    }

    [Fact]
    public async Task Execute_ServerErrorsExhaustRetries_FallbackGroupAnswers()
    {
        var table = Table("fallbacks:\n    - a: [b]");
        var log = new List<string>();
        var boom = new UpstreamFailure(FailureKind.ServerError, 500, "answered HTTP 500");

        var result = await new RouteExecutor(TimeProvider.System, Random.Shared).ExecuteAsync(table, "a", log, Script(boom, boom, boom), CancellationToken.None);

        Assert.Equal("ok from b1", result.Value);
        Assert.Equal(4, result.Attempts);
        Assert.True(result.FallbackUsed);
        Assert.Equal("b", result.GroupUsed);
        Assert.Equal(["1:a1:primary", "2:a1:primary", "3:a1:primary", "4:b1:fallback"], log);
        result.Lease.Dispose();
    }

    [Fact]
    public async Task Execute_SendThrows_ReleasesLeaseAndHalfOpenProbeSlot()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var table = Table("allowed_fails: 0\n  cooldown_time: 30", time);
        var state = table.Resolve("a")!.Deployments[0].State;
        state.Breaker.RecordFailure("answered HTTP 500");
        Assert.Equal(Switchyard.Core.Resilience.BreakerState.Open, state.Breaker.State);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(Switchyard.Core.Resilience.BreakerState.HalfOpen, state.Breaker.State);
        var calls = 0;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await new RouteExecutor(time, Random.Shared).ExecuteAsync<string, int>(
            table, "a", 0, (_, _, _, _) => { calls++; throw new InvalidOperationException("send bug"); }, CancellationToken.None));

        Assert.Equal(("send bug", 1), (thrown.Message, calls));
        Assert.Equal(0, state.InFlight);
        Assert.Equal(Switchyard.Core.Resilience.BreakerState.HalfOpen, state.Breaker.State);
        Assert.Null(state.Breaker.BlockedUntil());
        Assert.True(state.Breaker.TryAcquire()); // the probe slot is free again
    }

    /// <summary>The system clock, but every timer fires a little before it is due (as OS timers may).</summary>
    private sealed class EarlyTimerTimeProvider(TimeSpan early) : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => System.CreateTimer(callback, state, dueTime > early ? dueTime - early : dueTime, period);
    }
}
