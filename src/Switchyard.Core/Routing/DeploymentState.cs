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
    private readonly TimeProvider _time;
    private readonly IBreakerCoordinator? _shared;

    public DeploymentState(string id, DeploymentRuntime runtime, TimeProvider time)
        : this(id, runtime, time, null)
    {
    }

    /// <summary>A deployment whose breaker and cooldowns are shared with other replicas through <paramref name="shared"/>.</summary>
    public DeploymentState(string id, DeploymentRuntime runtime, TimeProvider time, IBreakerCoordinator? shared)
    {
        Id = id;
        _runtime = runtime;
        _time = time;
        _shared = shared;
        Breaker = new CircuitBreaker(id, () => Volatile.Read(ref _runtime).Breaker, time, shared);
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

    /// <summary>
    /// Upstream asked us to wait (Retry-After on a 429/503): skip this deployment until then. With shared breakers the
    /// other replicas are told the time left, and skip it too.
    /// </summary>
    public void CoolDown(DateTimeOffset until, int? upstreamStatus)
    {
        if (Extend(until, upstreamStatus) && _shared is not null && until - _time.GetUtcNow() is var left && left > TimeSpan.Zero)
        {
            _shared.CooledDown(Id, left, upstreamStatus ?? 0);
        }
    }

    /// <summary>Upstream asked us to wait (Retry-After on a 429/503): skip this deployment until then.</summary>
    public void CoolDown(DateTimeOffset until) => CoolDown(until, null);

    /// <summary>Another replica was told to wait <paramref name="left"/> by this deployment's provider: wait here too (not published again).</summary>
    public void ApplySharedCooldown(TimeSpan left, int upstreamStatus)
        => Extend(_time.GetUtcNow() + left, upstreamStatus == 0 ? null : upstreamStatus);

    /// <summary>Moves the cooldown's end to <paramref name="until"/> when that is later; true when it moved.</summary>
    private bool Extend(DateTimeOffset until, int? upstreamStatus)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _cooldownUntilTicks);
            if (current >= until.UtcTicks)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _cooldownUntilTicks, until.UtcTicks, current) != current);
        if (upstreamStatus is { } status && CooldownUntil(until.AddTicks(-1)) == until)
        {
            Volatile.Write(ref _cooldownStatus, status); // the status of the wait in force (the latest end wins)
        }

        return true;
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
