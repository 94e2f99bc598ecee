using Switchyard.Core.Config;

namespace Switchyard.Core.Resilience;

/// <summary>
/// One deployment's breaker. Opens on consecutive failures, on a failure ratio or a slow-call ratio over a sliding
/// window (bucketed), stays open for the open duration, then lets a bounded number of half-open probes through:
/// all succeed -> closed, any fails -> open again. Settings are read once per decision, so a reload that swaps the
/// deployment's runtime takes effect at once; the state stays. With a <see cref="IBreakerCoordinator"/> (shared
/// breakers) an open period that ends does not go half-open by itself: the breaker asks to be the one replica that
/// probes, and stays open in short steps while another replica holds the probe (CircuitBreaker.Shared.cs).
/// </summary>
public sealed partial class CircuitBreaker
{
    private const int Buckets = 10;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly string _id;
    private readonly long[] _calls = new long[Buckets];
    private readonly long[] _failures = new long[Buckets];
    private readonly long[] _slow = new long[Buckets];
    private readonly long[] _bucketStamp = new long[Buckets];
    private readonly Func<BreakerSettings> _source;
    private BreakerState _state = BreakerState.Closed;
    private int _consecutive;
    private DateTimeOffset _openUntil;
    private int _probesInFlight;
    private int _probeSuccesses;
    private readonly IBreakerCoordinator? _shared;
    private ProbeGrant _grant;

    /// <summary>A breaker with fixed settings.</summary>
    public CircuitBreaker(string id, BreakerSettings settings, TimeProvider time)
        : this(id, () => settings, time)
    {
    }

    /// <summary>A breaker that reads its settings from <paramref name="settings"/> on every decision (a deployment's current runtime).</summary>
    public CircuitBreaker(string id, Func<BreakerSettings> settings, TimeProvider time)
        : this(id, settings, time, null)
    {
    }

    /// <summary>A breaker whose opens, closes and half-open probe are shared with other replicas through <paramref name="shared"/>.</summary>
    public CircuitBreaker(string id, Func<BreakerSettings> settings, TimeProvider time, IBreakerCoordinator? shared)
    {
        _id = id;
        _source = settings;
        _time = time;
        _shared = shared;
    }

    public event Action<BreakerTransition>? Transitioned;

    public BreakerState State
    {
        get
        {
            lock (_gate)
            {
                return _state == BreakerState.Open && _time.GetUtcNow() >= _openUntil && (_shared is null || _grant == ProbeGrant.Granted) ? BreakerState.HalfOpen : _state;
            }
        }
    }

    /// <summary>The thresholds in force now.</summary>
    public BreakerSettings Settings => _source();

    /// <summary>When the breaker may next let a call through, or null when it would now.</summary>
    public DateTimeOffset? BlockedUntil()
    {
        var settings = Settings;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            return _state switch
            {
                BreakerState.Open when now < _openUntil => _openUntil,
                BreakerState.HalfOpen when _probesInFlight >= settings.HalfOpenProbes => now + TimeSpan.FromMilliseconds(100),
                _ => null,
            };
        }
    }

    /// <summary>Asks to send a call. False when open, or half-open with every probe slot taken.</summary>
    public bool TryAcquire()
    {
        BreakerTransition? t = null;
        bool allowed;
        var ask = false;
        var settings = Settings;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_state == BreakerState.Open && now >= _openUntil)
            {
                if (_shared is null || _grant == ProbeGrant.Granted)
                {
                    t = Move(BreakerState.HalfOpen, _shared is null ? "open duration elapsed" : "open duration elapsed; this replica probes", now);
                    _probesInFlight = 0;
                    _probeSuccesses = 0;
                }
                else
                {
                    // Shared: stay open a step while asking (or while another replica holds the probe).
                    _openUntil = now + _shared.ProbeStep;
                    ask = _grant == ProbeGrant.None;
                    _grant = ask ? ProbeGrant.Asking : _grant;
                }
            }

            allowed = _state switch
            {
                BreakerState.Closed => true,
                BreakerState.HalfOpen when _probesInFlight < settings.HalfOpenProbes => ++_probesInFlight > 0,
                _ => false,
            };
        }

        Raise(t);
        if (ask)
        {
            AskForProbe(settings);
        }

        return allowed;
    }

    public void RecordSuccess(TimeSpan latency)
    {
        BreakerTransition? t = null;
        var settings = Settings;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var slow = settings.SlowCallDuration is { } limit && latency >= limit;
            Count(now, failure: false, slow, settings);
            _consecutive = 0;
            if (_state == BreakerState.HalfOpen)
            {
                _probesInFlight = Math.Max(0, _probesInFlight - 1);
                if (slow)
                {
                    t = Open(now, $"half-open probe slower than {settings.SlowCallDuration!.Value.TotalMilliseconds} ms", settings);
                }
                else if (++_probeSuccesses >= settings.HalfOpenProbes)
                {
                    t = Move(BreakerState.Closed, "half-open probes succeeded", now);
                    Array.Clear(_calls);
                    Array.Clear(_failures);
                    Array.Clear(_slow);
                }
            }
            else if (_state == BreakerState.Closed && slow)
            {
                t = CheckRatios(now, settings);
            }
        }

        Raise(t);
    }

    public void RecordFailure(string reason)
    {
        BreakerTransition? t = null;
        var settings = Settings;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            Count(now, failure: true, slow: false, settings);
            _consecutive++;
            if (_state == BreakerState.HalfOpen)
            {
                _probesInFlight = Math.Max(0, _probesInFlight - 1);
                t = Open(now, "half-open probe failed: " + reason, settings);
            }
            else if (_state == BreakerState.Closed)
            {
                t = _consecutive >= settings.ConsecutiveFailures
                    ? Open(now, $"{_consecutive} consecutive failures (last: {reason})", settings)
                    : CheckRatios(now, settings);
            }
        }

        Raise(t);
    }

    /// <summary>A probe slot was taken but no outcome will be recorded (request cancelled by the caller).</summary>
    public void ReleaseWithoutOutcome()
    {
        lock (_gate)
        {
            if (_state == BreakerState.HalfOpen)
            {
                _probesInFlight = Math.Max(0, _probesInFlight - 1);
            }
        }
    }

    private BreakerTransition? CheckRatios(DateTimeOffset now, BreakerSettings settings)
    {
        long calls = 0, failures = 0, slow = 0;
        var oldest = Stamp(now, settings) - Buckets + 1;
        for (var i = 0; i < Buckets; i++)
        {
            if (_bucketStamp[i] >= oldest)
            {
                calls += _calls[i];
                failures += _failures[i];
                slow += _slow[i];
            }
        }

        if (calls < settings.MinimumCalls)
        {
            return null;
        }

        if (settings.FailureRatio > 0 && failures >= settings.FailureRatio * calls)
        {
            return Open(now, $"failure ratio {failures}/{calls} over {settings.Window.TotalSeconds:0.#} s", settings);
        }

        if (settings.SlowCallDuration is not null && settings.SlowCallRatio > 0 && slow >= settings.SlowCallRatio * calls)
        {
            return Open(now, $"slow calls {slow}/{calls} over {settings.Window.TotalSeconds:0.#} s (latency spike)", settings);
        }

        return null;
    }

    private BreakerTransition? Open(DateTimeOffset now, string reason, BreakerSettings settings)
    {
        _openUntil = now + settings.OpenDuration;
        _probesInFlight = 0;
        _probeSuccesses = 0;
        _grant = ProbeGrant.None;
        return Move(BreakerState.Open, reason, now);
    }

    private BreakerTransition? Move(BreakerState to, string reason, DateTimeOffset now)
    {
        var from = _state;
        _state = to;
        if (to == BreakerState.Closed)
        {
            _consecutive = 0;
            _grant = ProbeGrant.None;
        }

        return from == to && to != BreakerState.Open ? null : new BreakerTransition(_id, from, to, reason, now);
    }

    private void Count(DateTimeOffset now, bool failure, bool slow, BreakerSettings settings)
    {
        var stamp = Stamp(now, settings);
        var i = (int)(stamp % Buckets);
        if (_bucketStamp[i] != stamp)
        {
            _bucketStamp[i] = stamp;
            _calls[i] = 0;
            _failures[i] = 0;
            _slow[i] = 0;
        }

        _calls[i]++;
        if (failure)
        {
            _failures[i]++;
        }

        if (slow)
        {
            _slow[i]++;
        }
    }

    private static long Stamp(DateTimeOffset now, BreakerSettings settings) => now.UtcTicks / Math.Max(1, settings.Window.Ticks / Buckets);

    private void Raise(BreakerTransition? t)
    {
        if (t is { } transition)
        {
            Transitioned?.Invoke(transition);
        }
    }
}
