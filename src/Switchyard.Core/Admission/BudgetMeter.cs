using Switchyard.Core.Tenancy;

namespace Switchyard.Core.Admission;

/// <summary>
/// Spend in the current budget period plus cost reserved by requests in flight (nano-dollars). A request is admitted
/// while spent + reserved is below the budget; it reserves its estimate and settles to its real cost. The period
/// resets on its schedule (the reset is reported so it can be persisted).
/// </summary>
public sealed class BudgetMeter(long spentNanos, DateTimeOffset? resetAt)
{
    private readonly Lock _gate = new();
    private long _spent = spentNanos;
    private long _reserved;
    private DateTimeOffset? _resetAt = resetAt;

    public long SpentNanos
    {
        get
        {
            lock (_gate)
            {
                return _spent;
            }
        }
    }

    public long ReservedNanos
    {
        get
        {
            lock (_gate)
            {
                return _reserved;
            }
        }
    }

    public DateTimeOffset? ResetAt
    {
        get
        {
            lock (_gate)
            {
                return _resetAt;
            }
        }
    }

    /// <summary>Rolls the period forward when due. Returns the new reset time when a reset happened.</summary>
    public DateTimeOffset? Roll(BudgetDuration? duration, DateTimeOffset now)
    {
        if (duration is not { } d)
        {
            return null;
        }

        lock (_gate)
        {
            if (_resetAt is null)
            {
                _resetAt = d.Next(now);
                return _resetAt;
            }

            if (now < _resetAt)
            {
                return null;
            }

            var next = _resetAt.Value;
            while (next <= now)
            {
                next = d.Next(next);
            }

            _resetAt = next;
            _spent = 0;
            return next;
        }
    }

    public bool TryReserve(long estimateNanos, long maxNanos, DateTimeOffset now, out TimeSpan? retryAfter)
    {
        lock (_gate)
        {
            if (_spent + _reserved >= maxNanos)
            {
                retryAfter = _resetAt is { } r && r > now ? r - now : null;
                return false;
            }

            _reserved += estimateNanos;
            retryAfter = null;
            return true;
        }
    }

    public void Reserve(long estimateNanos)
    {
        lock (_gate)
        {
            _reserved += estimateNanos;
        }
    }

    /// <summary>Replaces a reservation by the real cost (0 on failure).</summary>
    public void Settle(long reservedNanos, long actualNanos)
    {
        lock (_gate)
        {
            _reserved = Math.Max(0, _reserved - reservedNanos);
            _spent += actualNanos;
        }
    }
}
