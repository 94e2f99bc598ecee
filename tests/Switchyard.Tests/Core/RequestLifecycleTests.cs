using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Admission;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Pipeline;
using Switchyard.Core.Requests;
using Switchyard.Core.Resilience;
using Switchyard.Core.Routing;
using Switchyard.Core.Tenancy;
using Switchyard.Core.Usage;

namespace Switchyard.Tests.Core;

public sealed class RequestLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    /// <summary>Records what the lifecycle reported to the host.</summary>
    private sealed class Recording(AdmissionController admission, TimeProvider time, UsageEstimate estimate, Activity? span = null)
        : RequestLifecycle(admission, time, span, estimate)
    {
        public List<string> Events { get; } = [];

        public (long Prompt, long Completion, decimal Cost)? Settled { get; private set; }

        protected override void OnRefused(AdmissionRejection rejection) => Events.Add("refused:" + rejection.Code);

        protected override void OnUnrouted(FailureSummary failure) => Events.Add("unrouted:" + failure.Code);

        protected override void OnSettled(DeploymentConfig deployment, long promptTokens, long completionTokens, decimal cost)
        {
            Events.Add("settled:" + Status);
            Settled = (promptTokens, completionTokens, cost);
        }
    }

    private static readonly UsageEstimate Estimate400 = new(300, 100, 0);

    private RoutedDeployment Deployment(int? tpm = null, int consecutiveFailures = 1)
    {
        var config = new DeploymentConfig
        {
            Id = "d1", ModelName = "chat", Provider = "openai", Family = ProviderFamilies.OpenAI, Model = "gpt-4o-mini",
            ApiBase = "http://127.0.0.1:1/v1", Timeout = TimeSpan.FromSeconds(60), StreamTimeout = TimeSpan.FromSeconds(20), Tpm = tpm,
            InputCostPerToken = 0.000001m, OutputCostPerToken = 0.000002m,
        };
        var runtime = new DeploymentRuntime(new BreakerSettings { ConsecutiveFailures = consecutiveFailures, FailureRatio = 0 }, null, tpm);
        return new RoutedDeployment(config, new DeploymentState("d1", runtime, _time));
    }

    private static RouteResult<string> Routed(RoutedDeployment d)
        => new() { Value = "answer", Deployment = d, Lease = new DeploymentLease(d.State), Attempts = 2, FallbackUsed = true };

    private static LimitState Key(Limits limits) => new("key", "k1", limits, 0, null);

    [Fact]
    public void Dispose_Twice_SettlesAndReleasesLeaseAndTicketOnce()
    {
        var admission = new AdmissionController(_time);
        var key = Key(new Limits { MaxParallelRequests = 1 });
        var d = Deployment();
        var lifecycle = new Recording(admission, _time, Estimate400);
        Assert.Null(lifecycle.Admit(key, null, null));
        lifecycle.Routed(Routed(d), stream: false);
        Assert.Equal((1L, 1L), (d.State.InFlight, key.InFlight.Current));

        lifecycle.Dispose();
        lifecycle.Dispose();

        Assert.Equal((0L, 0L), (d.State.InFlight, key.InFlight.Current)); // not -1: released exactly once
        Assert.Equal(0, key.TokensInFlight);
        Assert.Equal(["settled:200"], lifecycle.Events);
        Assert.Equal((2, true), (lifecycle.Attempts, lifecycle.FallbackUsed));
    }

    [Fact]
    public void Dispose_NeverRouted_CompletesTheTicketWithNothingUsedAndSettlesNothing()
    {
        var admission = new AdmissionController(_time);
        var key = Key(new Limits { MaxParallelRequests = 1, Tpm = 1000 });
        var lifecycle = new Recording(admission, _time, Estimate400);
        using (lifecycle)
        {
            Assert.Null(lifecycle.Admit(key, null, null));
            Assert.Equal(400, key.TokensInFlight);
        }

        Assert.Equal(0, key.InFlight.Current);
        Assert.Equal(0, key.TokensInFlight);
        Assert.Equal(0, key.Tokens.Current(T0));
        Assert.Empty(lifecycle.Events);
    }

    [Fact]
    public void Admit_Refused_ReportsOnceAndHoldsNothing()
    {
        var admission = new AdmissionController(_time);
        var key = Key(new Limits { Rpm = 1 });
        using (var first = new Recording(admission, _time, Estimate400))
        {
            Assert.Null(first.Admit(key, null, null));
        }

        using var second = new Recording(admission, _time, Estimate400);
        var rejection = second.Admit(key, null, null);

        Assert.Equal(LimitCodes.Rpm, rejection?.Code);
        Assert.Equal(429, second.Status);
        Assert.Equal(["refused:" + LimitCodes.Rpm], second.Events);
        Assert.Equal(0, key.InFlight.Current);
        Assert.Equal(0, second.Ticket.RemainingRequests);
    }

    [Fact]
    public void Unrouted_ReleasesTheReservationBeforeTheFailureIsWritten()
    {
        var admission = new AdmissionController(_time);
        var key = Key(new Limits { MaxParallelRequests = 1, Tpm = 1000 });
        using var lifecycle = new Recording(admission, _time, Estimate400);
        Assert.Null(lifecycle.Admit(key, null, null));
        var failed = new RouteResult<string>
        {
            Attempts = 3,
            Failure = new FailureSummary { Status = 503, Type = FailureType.RouteUnavailable, Code = "route_unavailable", Message = "none answered" },
        };

        var failure = lifecycle.Unrouted(failed);

        Assert.Equal("route_unavailable", failure.Code);
        Assert.Equal((0L, 0L), (key.InFlight.Current, key.TokensInFlight)); // already free: the caller's retry is not refused by this one
        Assert.Equal((503, 3), (lifecycle.Status, lifecycle.Attempts));
        Assert.Equal(["unrouted:route_unavailable"], lifecycle.Events);
    }

    [Fact]
    public void Answered_SettlesToTheReportedUsageBeforeDisposal()
    {
        var admission = new AdmissionController(_time);
        var key = Key(new Limits { Tpm = 1000 });
        var d = Deployment();
        using var lifecycle = new Recording(admission, _time, Estimate400);
        Assert.Null(lifecycle.Admit(key, null, null));
        lifecycle.Routed(Routed(d), stream: false);

        lifecycle.Answered(new Usage(120, 30));

        Assert.Equal(0, key.TokensInFlight);
        Assert.Equal(150, key.Tokens.Current(T0)); // the estimate's 400 replaced by what was used
        lifecycle.Dispose();
        Assert.Equal(150, key.Tokens.Current(T0)); // not settled twice
        Assert.Equal((120L, 30L, (120 * 0.000001m) + (30 * 0.000002m)), lifecycle.Settled);
    }

    [Fact]
    public void Dispose_WithoutReportedUsage_SettlesTheEstimatedPrompt()
    {
        var d = Deployment();
        var lifecycle = new Recording(new AdmissionController(_time), _time, Estimate400);
        lifecycle.Routed(Routed(d), stream: true);
        lifecycle.RelayEnded(RelayOutcome.Completed, null);

        lifecycle.Dispose();

        Assert.Equal((300L, 0L, 300 * 0.000001m), lifecycle.Settled);
        Assert.Equal(0, d.State.Tokens.Current(T0)); // the deployment's tpm counts only what a provider reported
    }

    [Fact]
    public void RelayEnded_UpstreamFailedThatCounts_OpensBreakerOnceEvenIfReportedTwice()
    {
        var d = Deployment(consecutiveFailures: 2);
        var lifecycle = new Recording(new AdmissionController(_time), _time, Estimate400);
        lifecycle.Routed(Routed(d), stream: true);
        var broke = RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.ConnectionError, 0, "stream broke after it started: reset"));

        lifecycle.RelayEnded(broke, null);
        lifecycle.RelayEnded(broke, null);

        Assert.Equal(BreakerState.Closed, d.State.Breaker.State); // one failure of the two needed
        d.State.Breaker.RecordFailure("another");
        Assert.Equal(BreakerState.Open, d.State.Breaker.State);
        lifecycle.Dispose();
        Assert.Equal(["settled:502"], lifecycle.Events);
        Assert.Equal(FailureKind.ConnectionError, lifecycle.RelayFailure?.Kind);
    }

    [Theory]
    [InlineData(RelayStatus.Completed)]
    [InlineData(RelayStatus.ClientGone)]
    [InlineData(RelayStatus.UpstreamFailed)]
    public void RelayEnded_OnlyBreaksThatCountReachTheBreaker(RelayStatus status)
    {
        var d = Deployment(consecutiveFailures: 1);
        using var lifecycle = new Recording(new AdmissionController(_time), _time, Estimate400);
        lifecycle.Routed(Routed(d), stream: true);
        var outcome = status switch
        {
            RelayStatus.Completed => RelayOutcome.Completed,
            RelayStatus.ClientGone => RelayOutcome.ClientGone,
            _ => RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.CallerError, 200, "an error event the caller caused")),
        };

        lifecycle.RelayEnded(outcome, null);

        Assert.Equal(BreakerState.Closed, d.State.Breaker.State);
    }

    [Fact]
    public void Dispose_CountsReportedTokensAgainstTheDeploymentsTpm()
    {
        var d = Deployment(tpm: 100);
        var lifecycle = new Recording(new AdmissionController(_time), _time, Estimate400);
        lifecycle.Routed(Routed(d), stream: true);
        lifecycle.RelayEnded(RelayOutcome.Completed, new Usage(60, 40));

        lifecycle.Dispose();

        Assert.Equal(100, d.State.Tokens.Current(T0));
        Assert.NotNull(d.State.LimitedUntil(T0));
    }

    [Fact]
    public void Dispose_EndsTheSpan()
    {
        using var source = new ActivitySource("lifecycle-test");
        using var listener = new ActivityListener { ShouldListenTo = s => s.Name == "lifecycle-test", Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData };
        ActivitySource.AddActivityListener(listener);
        var span = source.StartActivity("request")!;

        new Recording(new AdmissionController(_time), _time, Estimate400, span).Dispose();

        Assert.True(span.IsStopped);
    }
}
