using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Admission;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Resilience;
using Switchyard.Core.Routing;
using Switchyard.Core.Tenancy;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Pipeline;

namespace Switchyard.Tests.Providers.Pipeline;

public sealed class RequestLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    private RoutedDeployment Deployment(int? tpm = null, int consecutiveFailures = 1)
    {
        var config = new DeploymentConfig
        {
            Id = "d1", ModelName = "chat", Provider = "openai", Family = ProviderFamilies.OpenAI, Model = "gpt-4o-mini",
            ApiBase = "http://127.0.0.1:1/v1", Timeout = TimeSpan.FromSeconds(60), StreamTimeout = TimeSpan.FromSeconds(20), Tpm = tpm,
        };
        var runtime = new DeploymentRuntime(new BreakerSettings { ConsecutiveFailures = consecutiveFailures, FailureRatio = 0 }, null, tpm);
        return new RoutedDeployment(config, new DeploymentState("d1", runtime, _time));
    }

    private static RouteResult<UpstreamResponse> Routed(RoutedDeployment d)
        => new() { Value = new BufferedResponse("{}"u8.ToArray(), null), Deployment = d, Lease = new DeploymentLease(d.State), Attempts = 1 };

    [Fact]
    public void Dispose_Twice_ReleasesLeaseAndTicketOnce()
    {
        var admission = new AdmissionController(_time);
        var key = new LimitState("key", "k1", new Limits { MaxParallelRequests = 1 }, 0, null);
        var d = Deployment();
        var lifecycle = new RequestLifecycle(admission, _time, null);
        Assert.Null(admission.TryAdmit(ref lifecycle.Ticket, key, null, null, 10, 0));
        lifecycle.Attach(Routed(d));
        Assert.Equal((1L, 1L), (d.State.InFlight, key.InFlight.Current));

        lifecycle.Dispose();
        lifecycle.Dispose();

        Assert.Equal((0L, 0L), (d.State.InFlight, key.InFlight.Current)); // not -1: released exactly once
        Assert.Equal(0, key.TokensInFlight);
    }

    [Fact]
    public void Dispose_NeverRouted_CompletesTheTicketWithNothingUsed()
    {
        var admission = new AdmissionController(_time);
        var key = new LimitState("key", "k1", new Limits { MaxParallelRequests = 1, Tpm = 1000 }, 0, null);
        using (var lifecycle = new RequestLifecycle(admission, _time, null))
        {
            Assert.Null(admission.TryAdmit(ref lifecycle.Ticket, key, null, null, 400, 0));
            Assert.Equal(400, key.TokensInFlight);
        }

        Assert.Equal(0, key.InFlight.Current);
        Assert.Equal(0, key.TokensInFlight);
        Assert.Equal(0, key.Tokens.Current(T0));
    }

    [Fact]
    public void RelayEnded_UpstreamFailedThatCounts_OpensBreakerOnceEvenIfReportedTwice()
    {
        var d = Deployment(consecutiveFailures: 2);
        using var lifecycle = new RequestLifecycle(new AdmissionController(_time), _time, null);
        lifecycle.Attach(Routed(d));
        var broke = RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.ConnectionError, 0, "stream broke after it started: reset"));

        lifecycle.RelayEnded(broke);
        lifecycle.RelayEnded(broke);

        Assert.Equal(BreakerState.Closed, d.State.Breaker.State); // one failure of the two needed
        d.State.Breaker.RecordFailure("another");
        Assert.Equal(BreakerState.Open, d.State.Breaker.State);
    }

    [Theory]
    [InlineData(RelayStatus.Completed)]
    [InlineData(RelayStatus.ClientGone)]
    [InlineData(RelayStatus.UpstreamFailed)]
    public void RelayEnded_OnlyBreaksThatCountReachTheBreaker(RelayStatus status)
    {
        var d = Deployment(consecutiveFailures: 1);
        using var lifecycle = new RequestLifecycle(new AdmissionController(_time), _time, null);
        lifecycle.Attach(Routed(d));
        var outcome = status switch
        {
            RelayStatus.Completed => RelayOutcome.Completed,
            RelayStatus.ClientGone => RelayOutcome.ClientGone,
            _ => RelayOutcome.UpstreamFailed(new UpstreamFailure(FailureKind.CallerError, 200, "an error event the caller caused")),
        };

        lifecycle.RelayEnded(outcome);

        Assert.Equal(BreakerState.Closed, d.State.Breaker.State);
    }

    [Fact]
    public void RecordDeploymentTokens_CountsAgainstTheDeploymentsTpm()
    {
        var d = Deployment(tpm: 100);
        using var lifecycle = new RequestLifecycle(new AdmissionController(_time), _time, null);
        lifecycle.Attach(Routed(d));

        lifecycle.RecordDeploymentTokens(new Usage(60, 40));

        Assert.Equal(100, d.State.Tokens.Current(T0));
        Assert.NotNull(d.State.LimitedUntil(T0));
    }
}
