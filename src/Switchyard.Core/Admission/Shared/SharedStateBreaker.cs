namespace Switchyard.Core.Admission.Shared;

/// <summary>
/// A breaker in front of the shared state store: <see cref="FailureThreshold"/> consecutive failures (a call slower
/// than the timeout counts as one) open it; after <see cref="Cooldown"/> one call goes through as a probe, and its
/// success closes the breaker again while its failure reopens it for another cooldown.
/// </summary>
public sealed class SharedStateBreaker(TimeProvider time, TimeSpan slowCall, int failureThreshold = 3, TimeSpan? cooldown = null)
{
    private readonly Lock _gate = new();
    private int _failures;
    private bool _open;
    private bool _probing;
    private DateTimeOffset _retryAt;

    public int FailureThreshold { get; } = failureThreshold;

    public TimeSpan Cooldown { get; } = cooldown ?? TimeSpan.FromSeconds(2);

    /// <summary>A call slower than this counts as a failure even when it answered.</summary>
    public TimeSpan SlowCall { get; } = slowCall;

    /// <summary>Raised on every change: true when the store is usable again, false when the breaker opened.</summary>
    public event Action<bool, string>? Changed;

    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>Whether a call may go to the store now (when open: only the one probe after the cooldown).</summary>
    public bool TryEnter()
    {
        lock (_gate)
        {
            if (!_open)
            {
                return true;
            }

            if (_probing || time.GetUtcNow() < _retryAt)
            {
                return false;
            }

            _probing = true;
            return true;
        }
    }

    /// <summary>How long until the next probe may go (the retry hint while open).</summary>
    public TimeSpan RetryAfter
    {
        get
        {
            lock (_gate)
            {
                var left = _retryAt - time.GetUtcNow();
                return left > TimeSpan.Zero ? left : Cooldown;
            }
        }
    }

    /// <summary>Records a call that answered after <paramref name="elapsed"/>.</summary>
    public void Record(TimeSpan elapsed)
    {
        if (elapsed > SlowCall)
        {
            Fail($"a call took {elapsed.TotalMilliseconds:0} ms (timeout {SlowCall.TotalMilliseconds:0} ms)");
            return;
        }

        bool closed;
        lock (_gate)
        {
            _failures = 0;
            _probing = false;
            closed = _open;
            _open = false;
        }

        if (closed)
        {
            Changed?.Invoke(true, "a probe succeeded");
        }
    }

    /// <summary>Records a failed call (an error or a timeout).</summary>
    public void Fail(string reason)
    {
        bool opened;
        lock (_gate)
        {
            _failures++;
            var wasProbe = _probing;
            _probing = false;
            opened = !_open && _failures >= FailureThreshold;
            if (opened || wasProbe)
            {
                _open = true;
                _retryAt = time.GetUtcNow() + Cooldown;
            }
        }

        if (opened)
        {
            Changed?.Invoke(false, reason);
        }
    }

    /// <summary>A probe that ended without an outcome (cancelled) frees the probe slot.</summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _probing = false;
        }
    }
}
