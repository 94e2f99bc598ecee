using System.Diagnostics;
using Switchyard.Core.Admission;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Pipeline;

/// <summary>
/// The one owner of what an admitted inference request holds: its admission ticket, the request span, and, once a
/// route answered, the deployment lease. <see cref="Dispose"/> releases all of them exactly once on every exit path (a ticket not settled by then is completed with nothing used); the breaker's mid-stream
/// feedback and the deployment's tpm are recorded here, in one place, whatever the ingress protocol.
/// </summary>
public sealed class RequestLifecycle(AdmissionController admission, TimeProvider time, Activity? span) : IDisposable
{
    private AdmissionTicket _ticket;
    private DeploymentLease _lease;
    private int _disposed;
    private int _relayEnded;

    /// <summary>The admission ticket, settled in place (by reference) by admission and settlement.</summary>
    public ref AdmissionTicket Ticket => ref _ticket;

    /// <summary>The request span (null when nobody listens).</summary>
    public Activity? Span => span;

    /// <summary>The deployment that answered, once <see cref="Attach"/> ran.</summary>
    public RoutedDeployment? Deployment { get; private set; }

    /// <summary>The upstream answer, once <see cref="Attach"/> ran.</summary>
    public UpstreamResponse? Response { get; private set; }

    /// <summary>Takes over a successful route result: its lease (held until disposal), deployment and response.</summary>
    public void Attach(RouteResult<UpstreamResponse> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Value is null || result.Deployment is null)
        {
            throw new ArgumentException("only a successful route result can be attached", nameof(result));
        }

        _lease = result.Lease;
        Deployment = result.Deployment;
        Response = result.Value;
    }

    /// <summary>
    /// Completes the ticket with nothing used (a request that reached no deployment), before its failure is written,
    /// so the caller's next request never meets this one's reservation. Later settlement is a no-op.
    /// </summary>
    public void ReleaseAdmission() => admission.Complete(ref _ticket, 0, 0);

    /// <summary>
    /// How the stream relay ended, recorded once: a break that counts against the breaker is fed to the answering
    /// deployment's breaker (the route executor already counted the first byte as a success).
    /// </summary>
    public void RelayEnded(RelayOutcome outcome)
    {
        if (Interlocked.Exchange(ref _relayEnded, 1) != 0)
        {
            return;
        }

        if (outcome.Failure is { } failure && Deployment is { } deployment && failure.Kind.CountsAgainstBreaker())
        {
            deployment.State.Breaker.RecordFailure(failure.Detail);
        }
    }

    /// <summary>Counts the tokens the answer used against the deployment's own tpm.</summary>
    public void RecordDeploymentTokens(Usage? usage)
    {
        if (usage is not null && Deployment is { } deployment)
        {
            deployment.State.RecordTokens(usage.TotalTokens, time.GetUtcNow());
        }
    }

    /// <summary>Releases the lease, completes an unsettled ticket with nothing used, and ends the span; once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lease.Dispose();
        admission.Complete(ref _ticket, 0, 0);
        span?.Dispose();
    }
}
