using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Config;
using Switchyard.Core.Resilience;

namespace Switchyard.Tests.Core;

public sealed class CircuitBreakerTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<BreakerTransition> _transitions = [];

    private CircuitBreaker Create(BreakerSettings? settings = null)
    {
        var b = new CircuitBreaker("dep-1", settings ?? new BreakerSettings
        {
            ConsecutiveFailures = 3, FailureRatio = 0, OpenDuration = TimeSpan.FromSeconds(30),
        }, _time);
        b.Transitioned += _transitions.Add;
        return b;
    }

    /// <summary>One call through the breaker, as the executor makes it.</summary>
    private static bool Call(CircuitBreaker b, bool success, TimeSpan? latency = null)
    {
        if (!b.TryAcquire())
        {
            return false;
        }

        if (success)
        {
            b.RecordSuccess(latency ?? TimeSpan.FromMilliseconds(10));
        }
        else
        {
            b.RecordFailure("answered HTTP 500");
        }

        return true;
    }

    private static void Open(CircuitBreaker b)
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.True(Call(b, success: false));
        }

        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void New_Closed_LetsCallsThrough()
    {
        var b = Create();

        Assert.Equal(BreakerState.Closed, b.State);
        Assert.Null(b.BlockedUntil());
        Assert.True(b.TryAcquire());
        Assert.Empty(_transitions);
    }

    [Fact]
    public void ConsecutiveFailures_BelowThreshold_StaysClosed()
    {
        var b = Create();

        Call(b, false);
        Call(b, false);

        Assert.Equal(BreakerState.Closed, b.State);
        Assert.Null(b.BlockedUntil());
    }

    [Fact]
    public void ConsecutiveFailures_AtThreshold_OpensForOpenDuration()
    {
        var b = Create();

        Open(b);

        Assert.Equal(Start.AddSeconds(30), b.BlockedUntil());
        Assert.False(b.TryAcquire());
        var t = Assert.Single(_transitions);
        Assert.Equal(("dep-1", BreakerState.Closed, BreakerState.Open, Start), (t.DeploymentId, t.From, t.To, t.At));
        Assert.Contains("3 consecutive failures", t.Reason, StringComparison.Ordinal);
        Assert.Contains("answered HTTP 500", t.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsecutiveFailures_SuccessInBetween_ResetsTheCount()
    {
        var b = Create();

        Call(b, false);
        Call(b, false);
        Call(b, true);
        Call(b, false);
        Call(b, false);

        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void Open_AsTimePasses_BlockedUntilStaysAtOpenEnd()
    {
        var b = Create();
        Open(b);

        _time.Advance(TimeSpan.FromSeconds(29.999));

        Assert.Equal(Start.AddSeconds(30), b.BlockedUntil());
        Assert.Equal(BreakerState.Open, b.State);
        Assert.False(b.TryAcquire());
    }

    [Fact]
    public void Open_AfterOpenDuration_HalfOpenLetsExactlyOneProbe()
    {
        var b = Create();
        Open(b);

        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(BreakerState.HalfOpen, b.State);
        Assert.Null(b.BlockedUntil());
        Assert.True(b.TryAcquire());
        Assert.False(b.TryAcquire());
        Assert.Equal(_time.GetUtcNow().AddMilliseconds(100), b.BlockedUntil());
        Assert.Equal((BreakerState.Open, BreakerState.HalfOpen), (_transitions[^1].From, _transitions[^1].To));
    }

    [Fact]
    public void HalfOpen_ProbeSucceeds_Closes()
    {
        var b = Create();
        Open(b);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(Call(b, true));

        Assert.Equal(BreakerState.Closed, b.State);
        Assert.Null(b.BlockedUntil());
        Assert.Equal(
            [(BreakerState.Closed, BreakerState.Open), (BreakerState.Open, BreakerState.HalfOpen), (BreakerState.HalfOpen, BreakerState.Closed)],
            _transitions.Select(t => (t.From, t.To)).ToArray());
    }

    [Fact]
    public void HalfOpen_ProbeFails_ReopensForFullOpenDurationFromNow()
    {
        var b = Create();
        Open(b);
        _time.Advance(TimeSpan.FromSeconds(45));

        Assert.True(Call(b, false));

        Assert.Equal(BreakerState.Open, b.State);
        Assert.Equal(Start.AddSeconds(75), b.BlockedUntil());
        Assert.Contains("half-open probe failed", _transitions[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HalfOpen_ProbeSlow_Reopens()
    {
        var b = Create(new BreakerSettings { ConsecutiveFailures = 1, FailureRatio = 0, SlowCallDuration = TimeSpan.FromSeconds(1) });
        Call(b, false);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(Call(b, true, TimeSpan.FromSeconds(2)));

        Assert.Equal(BreakerState.Open, b.State);
        Assert.Contains("slower than 1000 ms", _transitions[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HalfOpen_TwoProbesConfigured_ClosesOnlyAfterBothSucceed()
    {
        var b = Create(new BreakerSettings { ConsecutiveFailures = 1, FailureRatio = 0, HalfOpenProbes = 2 });
        Call(b, false);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(b.TryAcquire());
        Assert.True(b.TryAcquire());
        Assert.False(b.TryAcquire());
        b.RecordSuccess(TimeSpan.Zero);
        Assert.Equal(BreakerState.HalfOpen, b.State);
        b.RecordSuccess(TimeSpan.Zero);

        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void HalfOpen_ProbeCancelled_SlotFreedForAnotherProbe()
    {
        var b = Create();
        Open(b);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(b.TryAcquire());

        b.ReleaseWithoutOutcome();

        Assert.Equal(BreakerState.HalfOpen, b.State);
        Assert.True(b.TryAcquire());
    }

    [Fact]
    public void Closed_AfterRecovery_OldFailuresForgotten()
    {
        var b = Create(new BreakerSettings { ConsecutiveFailures = 100, FailureRatio = 0.5, MinimumCalls = 4, Window = TimeSpan.FromMinutes(5) });
        Call(b, false);
        Call(b, false);
        Call(b, false);
        Call(b, false);
        Assert.Equal(BreakerState.Open, b.State);
        _time.Advance(TimeSpan.FromSeconds(30));
        Call(b, true);

        Call(b, false); // 1 failure of 1 call since closing: below minimum_calls

        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void FailureRatio_BelowMinimumCalls_StaysClosed()
    {
        var b = Create(new BreakerSettings { ConsecutiveFailures = 100, FailureRatio = 0.5, MinimumCalls = 4 });

        Call(b, false);
        Call(b, true);
        Call(b, false);

        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void FailureRatio_ReachedWithMinimumCalls_Opens()
    {
        var b = Create(new BreakerSettings { ConsecutiveFailures = 100, FailureRatio = 0.5, MinimumCalls = 4 });

        Call(b, true);
        Call(b, false);
        Call(b, true);
        Call(b, false);

        Assert.Equal(BreakerState.Open, b.State);
        Assert.Contains("failure ratio 2/4", _transitions.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FailureRatio_BelowRatio_StaysClosed()
    {
        var b = Create(new BreakerSettings { ConsecutiveFailures = 100, FailureRatio = 0.5, MinimumCalls = 4 });

        for (var i = 0; i < 10; i++)
        {
            Call(b, true);
            Call(b, true);
            Call(b, false);
        }

        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void FailureRatio_Zero_Disabled()
    {
        var b = Create(new BreakerSettings { ConsecutiveFailures = 100, FailureRatio = 0, MinimumCalls = 1 });

        for (var i = 0; i < 20; i++)
        {
            Call(b, i % 2 == 0);
        }

        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void FailureRatio_CallsOlderThanWindow_Dropped()
    {
        var b = Create(new BreakerSettings { ConsecutiveFailures = 100, FailureRatio = 0.5, MinimumCalls = 4, Window = TimeSpan.FromSeconds(10) });
        Call(b, false);
        Call(b, false);
        Call(b, false);

        _time.Advance(TimeSpan.FromSeconds(10));
        Call(b, false); // the three old failures left the window: 1 call

        Assert.Equal(BreakerState.Closed, b.State);
        Call(b, false);
        Call(b, false);
        Call(b, false);
        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void FailureRatio_CallsSpreadInsideWindow_Counted()
    {
        var b = Create(new BreakerSettings { ConsecutiveFailures = 100, FailureRatio = 0.5, MinimumCalls = 4, Window = TimeSpan.FromSeconds(10) });

        for (var i = 0; i < 4; i++)
        {
            Call(b, false);
            _time.Advance(TimeSpan.FromSeconds(2)); // 4 failures over 6-8 s: all inside a 10 s window
        }

        Assert.Equal(BreakerState.Open, b.State);
    }

    [Fact]
    public void SlowCalls_RatioReached_Opens()
    {
        var b = Create(new BreakerSettings { FailureRatio = 0, MinimumCalls = 4, SlowCallDuration = TimeSpan.FromSeconds(1), SlowCallRatio = 0.5 });

        Call(b, true, TimeSpan.FromMilliseconds(100));
        Call(b, true, TimeSpan.FromSeconds(3));
        Call(b, true, TimeSpan.FromMilliseconds(100));
        Assert.Equal(BreakerState.Closed, b.State);
        Call(b, true, TimeSpan.FromSeconds(1)); // at the limit counts as slow

        Assert.Equal(BreakerState.Open, b.State);
        Assert.Contains("slow calls 2/4", _transitions.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SlowCalls_NoSlowCallDuration_NeverOpensOnLatency()
    {
        var b = Create(new BreakerSettings { FailureRatio = 0, MinimumCalls = 1, SlowCallRatio = 0.1 });

        for (var i = 0; i < 10; i++)
        {
            Call(b, true, TimeSpan.FromMinutes(5));
        }

        Assert.Equal(BreakerState.Closed, b.State);
    }

    [Fact]
    public void Settings_Swapped_StateKeptAndNewThresholdsApply()
    {
        var settings = new BreakerSettings { ConsecutiveFailures = 3, FailureRatio = 0, OpenDuration = TimeSpan.FromSeconds(30) };
        var b = new CircuitBreaker("dep-1", () => Volatile.Read(ref settings), _time);
        Open(b);

        Volatile.Write(ref settings, new BreakerSettings { ConsecutiveFailures = 1, FailureRatio = 0, OpenDuration = TimeSpan.FromSeconds(5) });

        Assert.Equal(BreakerState.Open, b.State);
        Assert.Equal(Start.AddSeconds(30), b.BlockedUntil()); // the current open period is not shortened
        _time.Advance(TimeSpan.FromSeconds(30));
        Call(b, false);
        Assert.Equal(_time.GetUtcNow().AddSeconds(5), b.BlockedUntil());
    }
}
