using Switchyard.Core.Config;

namespace Switchyard.Core.Resilience;

/// <summary>
/// The shared side of a breaker (switchyard.shared.state: [breakers]): the one-prober grant, and opens and closes
/// applied from other replicas. Applied changes raise <see cref="BreakerTransition"/> with <c>Shared</c> set, so they
/// are counted and alerted on here but not published again.
/// </summary>
public sealed partial class CircuitBreaker
{
    /// <summary>The longest a probe grant is held by a replica that neither closes nor reopens (it died mid-probe).</summary>
    internal static readonly TimeSpan MaxProbeHold = TimeSpan.FromSeconds(60);

    private enum ProbeGrant
    {
        None,
        Asking,
        Granted,
    }

    /// <summary>
    /// Another replica opened this deployment's breaker, which stays open for <paramref name="left"/> from now: opens
    /// here too (or stays open at least that long). Whatever probe this replica was asking for or held is given up.
    /// </summary>
    public void ApplySharedOpen(TimeSpan left, string reason)
    {
        BreakerTransition? t = null;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var until = now + (left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (_state == BreakerState.Open && _openUntil >= until && _grant != ProbeGrant.Granted)
            {
                return;
            }

            _openUntil = until > _openUntil || _state != BreakerState.Open ? until : _openUntil;
            _probesInFlight = 0;
            _probeSuccesses = 0;
            _grant = ProbeGrant.None;
            if (_state != BreakerState.Open)
            {
                var from = _state;
                _state = BreakerState.Open;
                t = new BreakerTransition(_id, from, BreakerState.Open, "another replica: " + reason, now) { Shared = true };
            }
        }

        Raise(t);
    }

    /// <summary>Another replica's probes succeeded: closes here too, with a fresh window.</summary>
    public void ApplySharedClose(string reason)
    {
        BreakerTransition? t;
        lock (_gate)
        {
            if (_state == BreakerState.Closed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            t = Move(BreakerState.Closed, "another replica: " + reason, now) is { } m ? m with { Shared = true } : null;
            Array.Clear(_calls);
            Array.Clear(_failures);
            Array.Clear(_slow);
        }

        Raise(t);
    }

    /// <summary>How long a probe grant is held: one open duration, at least a second and at most <see cref="MaxProbeHold"/>.</summary>
    internal static TimeSpan ProbeHold(BreakerSettings settings)
        => settings.OpenDuration < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : settings.OpenDuration > MaxProbeHold ? MaxProbeHold : settings.OpenDuration;

    private void AskForProbe(BreakerSettings settings)
    {
        Task<ProbeAnswer> asking;
        try
        {
            asking = _shared!.RequestProbeAsync(_id, ProbeHold(settings));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            asking = Task.FromException<ProbeAnswer>(e);
        }

        _ = asking.ContinueWith(static (task, self) => ((CircuitBreaker)self!).ProbeAnswered(task), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void ProbeAnswered(Task<ProbeAnswer> task)
    {
        // A coordinator that throws is a shared store that did not answer: this replica's breaker decides alone.
        var answer = task.IsCompletedSuccessfully ? task.Result : new ProbeAnswer(ProbeVerdict.Local, TimeSpan.Zero);
        lock (_gate)
        {
            if (_state != BreakerState.Open || _grant != ProbeGrant.Asking)
            {
                return; // opened again or closed meanwhile (by this replica or another): the answer is stale
            }

            var now = _time.GetUtcNow();
            switch (answer.Verdict)
            {
                case ProbeVerdict.Granted or ProbeVerdict.Local:
                    _grant = ProbeGrant.Granted;
                    _openUntil = now < _openUntil ? now : _openUntil; // the next call goes half-open and probes
                    break;
                case ProbeVerdict.Open when answer.Wait > TimeSpan.Zero:
                    _grant = ProbeGrant.None;
                    _openUntil = now + answer.Wait > _openUntil ? now + answer.Wait : _openUntil;
                    break;
                default:
                    _grant = ProbeGrant.None;
                    var step = now + _shared!.ProbeStep;
                    _openUntil = step > _openUntil ? step : _openUntil;
                    break;
            }
        }
    }
}
