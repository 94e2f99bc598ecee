using Switchyard.Core.Admission;
using Switchyard.Core.Resilience;

namespace Switchyard.Core.Routing;

/// <summary>
/// Long-lived runtime state of one deployment, keyed by its id: breaker, in-flight count, latency estimate and
/// cooldown. Survives config reloads; the config snapshot is replaced around it.
/// </summary>
public sealed class DeploymentState
{
    private long _inFlight;
    private long _cooldownUntilTicks;
    private int _cooldownStatus;
    private double _latencyEwmaMs = double.NaN;
    private DeploymentRuntime _runtime;

    public DeploymentState(string id, DeploymentRuntime runtime, TimeProvider time)
    {
        Id = id;
        _runtime = runtime;
        Breaker = new CircuitBreaker(id, () => Volatile.Read(ref _runtime).Breaker, time);
    }

    public string Id { get; }

    public CircuitBreaker Breaker { get; }

    /// <summary>The settings of the current config snapshot (breaker thresholds, the deployment's own rpm/tpm).</summary>
    public DeploymentRuntime Runtime => Volatile.Read(ref _runtime);

    /// <summary>Requests sent to this deployment over the last minute (its rpm).</summary>
    public SlidingWindow Requests { get; } = new();

    /// <summary>Tokens this deployment used over the last minute (its tpm).</summary>
    public SlidingWindow Tokens { get; } = new();

    /// <summary>Takes one request slot under the deployment's rpm; false when it is at its limit.</summary>
    public bool TryTakeRequestSlot(DateTimeOffset now)
        => Runtime.Rpm is not { } rpm || Requests.TryAdd(1, rpm, now, out _, out _);

    public void RecordTokens(long tokens, DateTimeOffset now)
    {
        if (Runtime.Tpm is not null && tokens > 0)
        {
            Tokens.Adjust(tokens, now, now);
        }
    }

    /// <summary>When the deployment's own rpm/tpm lets another request through, or null if now.</summary>
    public DateTimeOffset? LimitedUntil(DateTimeOffset now)
    {
        var runtime = Runtime;
        var (rpm, tpm) = (runtime.Rpm, runtime.Tpm);
        var wait = TimeSpan.Zero;
        if (rpm is { } r)
        {
            wait = Requests.TimeUntilFits(1, r, now);
        }

        if (tpm is { } t)
        {
            var w = Tokens.TimeUntilFits(1, t, now);
            wait = w > wait ? w : wait;
        }

        return wait > TimeSpan.Zero ? now + wait : null;
    }

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Exponentially weighted latency of successful calls (time to first byte for streams), NaN until known.</summary>
    public double LatencyMs => Volatile.Read(ref _latencyEwmaMs);

    public DateTimeOffset? CooldownUntil(DateTimeOffset now)
    {
        var ticks = Interlocked.Read(ref _cooldownUntilTicks);
        return ticks > now.UtcTicks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
    }

    /// <summary>The upstream status whose Retry-After set the current cooldown (429, 503, ...), 0 when not known.</summary>
    public int CooldownStatus => Volatile.Read(ref _cooldownStatus);

    /// <summary>Upstream asked us to wait (Retry-After on a 429/503): skip this deployment until then.</summary>
    public void CoolDown(DateTimeOffset until, int? upstreamStatus)
    {
        CoolDown(until);
        if (upstreamStatus is { } status && CooldownUntil(until.AddTicks(-1)) == until)
        {
            Volatile.Write(ref _cooldownStatus, status); // the status of the wait in force (the latest end wins)
        }
    }

    /// <summary>Upstream asked us to wait (Retry-After on a 429/503): skip this deployment until then.</summary>
    public void CoolDown(DateTimeOffset until)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _cooldownUntilTicks);
            if (current >= until.UtcTicks)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _cooldownUntilTicks, until.UtcTicks, current) != current);
    }

    /// <summary>Swaps in the settings of a new config snapshot; the counters, breaker state and cooldown stay.</summary>
    public void Apply(DeploymentRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        Volatile.Write(ref _runtime, runtime);
    }

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    public void ObserveLatency(TimeSpan latency)
    {
        var ms = latency.TotalMilliseconds;
        var old = Volatile.Read(ref _latencyEwmaMs);
        Volatile.Write(ref _latencyEwmaMs, double.IsNaN(old) ? ms : (old * 0.8) + (ms * 0.2));
    }

    /// <summary>When this deployment may next be tried, or null if now.</summary>
    public DateTimeOffset? BlockedUntil(DateTimeOffset now)
    {
        var breaker = Breaker.BlockedUntil();
        var cool = CooldownUntil(now);
        if (LimitedUntil(now) is { } limited && (cool is null || limited > cool))
        {
            cool = limited;
        }

        return (breaker, cool) switch
        {
            (null, null) => null,
            ({ } b, null) => b,
            (null, { } c) => c,
            ({ } b, { } c) => b > c ? b : c,
        };
    }
}
