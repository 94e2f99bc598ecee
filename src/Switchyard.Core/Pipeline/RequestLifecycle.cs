using System.Diagnostics;
using Switchyard.Core.Admission;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Core.Usage;

namespace Switchyard.Core.Pipeline;

/// <summary>
/// The one owner of an inference request's lifecycle, whatever its ingress protocol: the admission ticket, the request
/// span, the deployment lease once a route answered, and settlement. Its steps run in order: <see cref="Admit"/>, then
/// <see cref="Unrouted"/> or <see cref="Routed"/>, then <see cref="Answered"/> (a whole body) or <see cref="RelayEnded"/>
/// (a stream); <see cref="Dispose()"/> settles what was used, feeds the deployment's tpm, releases the lease and the
/// ticket and ends the span, exactly once on every exit path. What only the host knows (spend logs, metrics, alerts)
/// it reports through the three <c>On*</c> hooks, each called at most once.
/// </summary>
public abstract class RequestLifecycle : IDisposable
{
    private readonly AdmissionController _admission;
    private readonly TimeProvider _time;
    private AdmissionTicket _ticket;
    private DeploymentLease _lease;
    private bool _countsAsEvidence = true;
    private Canaries.OutcomeWindow? _evidence;
    private int _admissionSettled;
    private int _relayEnded;
    private int _disposed;

    protected RequestLifecycle(AdmissionController admission, TimeProvider time, Activity? span, UsageEstimate estimate)
    {
        _admission = admission;
        _time = time;
        Span = span;
        Estimate = estimate;
        StartedTimestamp = time.GetTimestamp();
    }

    /// <summary>The admission ticket: its x-ratelimit-* figures once <see cref="Admit"/> ran.</summary>
    public ref readonly AdmissionTicket Ticket => ref _ticket;

    /// <summary>The request span (null when nobody listens).</summary>
    public Activity? Span { get; }

    /// <summary>The reservation made before the call; what is settled when the provider reports no usage.</summary>
    public UsageEstimate Estimate { get; }

    public long StartedTimestamp { get; }

    /// <summary>The time since the request was admitted for routing.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(StartedTimestamp);

    /// <summary>The deployment that answered, once <see cref="Routed"/> ran.</summary>
    public RoutedDeployment? Deployment { get; private set; }

    public int Attempts { get; private set; }

    public bool FallbackUsed { get; private set; }

    /// <summary>Time to the upstream's first byte, for streams.</summary>
    public TimeSpan? FirstByte { get; private set; }

    /// <summary>What the answer used, as the provider reported it (null: it did not, and the estimate is settled).</summary>
    public Requests.Usage? Usage { get; private set; }

    /// <summary>The status the caller saw: 200, the refusal's or failure's status, or 502 for a stream that broke.</summary>
    public int Status { get; private set; } = 200;

    /// <summary>What broke a stream after its first byte, once <see cref="RelayEnded"/> ran.</summary>
    public UpstreamFailure? RelayFailure { get; private set; }

    /// <summary>
    /// Admits the request against its token's, tenant's and tenant-alias limits with the estimate, in process only
    /// (a controller with a shared limiter needs <c>AdmitAsync</c>); a refusal is reported to
    /// <see cref="OnRefused"/> and returned (the ticket holds nothing then).
    /// </summary>
    public AdmissionRejection? Admit(LimitState? key, LimitState? tenant, LimitState? alias)
    {
        if (_admission.IsShared)
        {
            throw new InvalidOperationException("admission through a shared limiter is asynchronous: use AdmitAsync");
        }

        var ticket = default(AdmissionTicket);
        var rejection = _admission.TryAdmit(ref ticket, key, tenant, alias, Estimate.Tokens, Estimate.CostNanos);
        return Admitted(new AdmissionOutcome(ticket, rejection));
    }

    /// <summary>
    /// Admits the request against its token's, tenant's and tenant-alias limits with the estimate (through the shared
    /// limiter when one is configured: one round trip; in process it completes at once without allocating); a refusal
    /// (429 for a limit, 503 when the shared limits are unreachable and the policy fails closed) is reported to
    /// <see cref="OnRefused"/> and returned (the ticket holds nothing then).
    /// </summary>
    public ValueTask<AdmissionRejection?> AdmitAsync(LimitState? key, LimitState? tenant, LimitState? alias, CancellationToken cancellationToken)
        => AdmitAsync(key, tenant, alias, null, cancellationToken);

    /// <summary>As above, with the limits (budget above all) of the user who owns the token checked too.</summary>
    public ValueTask<AdmissionRejection?> AdmitAsync(LimitState? key, LimitState? tenant, LimitState? alias, LimitState? user, CancellationToken cancellationToken)
    {
        var pending = _admission.AdmitAsync(key, tenant, alias, user, Estimate.Tokens, Estimate.CostNanos, cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<AdmissionRejection?>(Admitted(pending.Result)) : AwaitAdmittedAsync(pending);
    }

    private async ValueTask<AdmissionRejection?> AwaitAdmittedAsync(ValueTask<AdmissionOutcome> pending) => Admitted(await pending.ConfigureAwait(false));

    private AdmissionRejection? Admitted(AdmissionOutcome outcome)
    {
        _ticket = outcome.Ticket;
        if (outcome.Rejection is { } rejection)
        {
            Status = rejection.Status;
            Span?.SetStatus(ActivityStatusCode.Error);
            Span?.SetTag(Telemetry.GenAiAttributes.ErrorType, rejection.Code);
            OnRefused(rejection);
        }

        return outcome.Rejection;
    }

    /// <summary>
    /// No deployment answered: the ticket is completed with nothing used before the failure is written, so the caller's
    /// next request never meets this one's reservation, and the failure is reported to <see cref="OnUnrouted"/>.
    /// </summary>
    public FailureSummary Unrouted<T>(RouteResult<T> result)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(result);
        var failure = result.Failure ?? throw new ArgumentException("only a failed route result is unrouted", nameof(result));
        Interlocked.Exchange(ref _admissionSettled, 1);
        _admission.Complete(ref _ticket, 0, 0);
        Status = failure.Status;
        Attempts = result.Attempts;
        FallbackUsed = result.FallbackUsed;
        OnUnrouted(failure);
        return failure;
    }

    /// <summary>Takes over a successful route result's lease (held until disposal) and deployment.</summary>
    public void Routed<T>(RouteResult<T> result, bool stream)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Value is null || result.Deployment is null)
        {
            throw new ArgumentException("only a successful route result is routed", nameof(result));
        }

        _lease = result.Lease;
        _countsAsEvidence = result.CountsAsEvidence;
        _evidence = result.Evidence;
        Deployment = result.Deployment;
        Attempts = result.Attempts;
        FallbackUsed = result.FallbackUsed;
        FirstByte = stream ? Elapsed : null;
    }

    /// <summary>
    /// A whole answer arrived with its usage: the reservation is replaced by what it used now, before the answer is
    /// written, so the caller's next request never meets this one's reservation.
    /// </summary>
    public void Answered(Requests.Usage? usage)
    {
        Usage = usage;
        _ = SettleAdmission();
    }

    /// <summary>
    /// <see cref="Answered"/>, ending once the settlement is done in the shared limiter too (when there is one), so a
    /// request the caller sends next through another replica never meets this one's reservation either.
    /// </summary>
    public Task AnsweredAsync(Requests.Usage? usage)
    {
        Usage = usage;
        return SettleAdmission().Settled;
    }

    /// <summary>
    /// The answer came from the response cache: the request counted against rpm when it was admitted, and now settles
    /// nothing against tpm and budgets (no provider was called). Ends once the shared limiter has it (at once in process).
    /// </summary>
    public Task ServedFromCacheAsync()
    {
        if (Interlocked.Exchange(ref _admissionSettled, 1) != 0)
        {
            return Task.CompletedTask;
        }

        return _admission.CompleteAsync(ref _ticket, 0, 0);
    }

    /// <summary>
    /// How a stream relay ended, with the usage it carried, recorded once: a break that counts against the breaker is
    /// fed to the answering deployment's breaker (the route executor already counted the first byte as a success).
    /// </summary>
    public void RelayEnded(RelayOutcome outcome, Requests.Usage? usage)
    {
        if (Interlocked.Exchange(ref _relayEnded, 1) != 0)
        {
            return;
        }

        Usage = usage;
        if (outcome.Failure is { } failure)
        {
            Status = 502;
            RelayFailure = failure;
            if (Deployment is { } deployment && _countsAsEvidence && failure.Kind.CountsAgainstBreaker())
            {
                deployment.State.Breaker.RecordFailure(failure.Detail);
                _evidence?.RecordBrokenStream(_time.GetUtcNow());
            }
        }
    }

    /// <summary>
    /// What a routed request used and cost, its admission settled first (once): after <see cref="Answered"/> or
    /// <see cref="RelayEnded"/>, for a host that records the spend before the answer completes (the spend journal).
    /// <see cref="OnSettled"/> reports the same figures at disposal.
    /// </summary>
    public (long Prompt, long Completion, decimal Cost) Settle()
    {
        if (Deployment is null)
        {
            throw new InvalidOperationException("only a routed request is settled");
        }

        var (prompt, completion, cost, _) = SettleAdmission();
        return (prompt, completion, cost);
    }

    /// <summary>Settles a routed request, then releases the lease and the ticket and ends the span; once.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The settlement and releases of <see cref="Dispose()"/>; a subclass that overrides it calls this base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (Deployment is { } deployment)
            {
                var (prompt, completion, cost, _) = SettleAdmission();
                if (Usage is { } usage)
                {
                    deployment.State.RecordTokens(usage.TotalTokens, _time.GetUtcNow());
                }

                OnSettled(deployment.Config, prompt, completion, cost);
            }
        }
        finally
        {
            _lease.Dispose();
            _admission.Complete(ref _ticket, 0, 0);
            Span?.Dispose();
        }
    }

    /// <summary>The limits refused the request (before any route was tried).</summary>
    protected abstract void OnRefused(AdmissionRejection rejection);

    /// <summary>No deployment answered; <paramref name="failure"/> is what the caller is told.</summary>
    protected abstract void OnUnrouted(FailureSummary failure);

    /// <summary>A routed request ended (whole, streamed or broken): what it used and cost, for spend logs and metrics.</summary>
    protected abstract void OnSettled(DeploymentConfig deployment, long promptTokens, long completionTokens, decimal cost);

    /// <summary>
    /// Replaces the reservation by what was used (the estimate's prompt when the provider reported nothing); once.
    /// <c>Settled</c> ends when the shared limiter has it too (at once in process).
    /// </summary>
    private (long Prompt, long Completion, decimal Cost, Task Settled) SettleAdmission()
    {
        var deployment = Deployment!.Config;
        var usage = Usage;
        var prompt = usage?.PromptTokens ?? Estimate.PromptTokens;
        var completion = usage?.CompletionTokens ?? 0;
        var cost = usage is null ? PriceTable.Cost(deployment, prompt, completion) : PriceTable.Cost(deployment, usage);
        var settled = Task.CompletedTask;
        if (Interlocked.Exchange(ref _admissionSettled, 1) == 0)
        {
            settled = _admission.CompleteAsync(ref _ticket, prompt + completion, AdmissionController.ToNanos(cost));
        }

        return (prompt, completion, cost, settled);
    }
}
