using Switchyard.Core.Tenancy;

namespace Switchyard.Core.Admission;

/// <summary>
/// Spend in the current budget period plus cost reserved by requests in flight (nano-dollars). A request reserves its
/// estimate (its upper-bound cost) and settles to its real cost. It is admitted while spent + reserved + its estimate
/// fits the budget, or, when nothing else is reserved, while spent alone is below it (so one request may pass the
/// budget by at most its own estimate). The period resets on its schedule (the reset is reported so it can be persisted).
/// </summary>
public sealed class BudgetMeter(long spentNanos, DateTimeOffset? resetAt)
{
    private readonly Lock _gate = new();
    private long _spent = spentNanos;
    private long _reserved;
    private int _reservations;
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

    /// <summary>How many requests hold a reservation now.</summary>
    public int Reservations
    {
        get
        {
            lock (_gate)
            {
                return _reservations;
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

    /// <summary>
    /// Reserves <paramref name="estimateNanos"/>, or says why not: the budget is spent (<see cref="BudgetRefusal.Exhausted"/>),
    /// or the spend leaves room but reservations of requests in flight fill it.
    /// </summary>
    public BudgetRefusal? TryReserve(long estimateNanos, long maxNanos, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_spent >= maxNanos)
            {
                return new BudgetRefusal(true, _spent, _reserved, _reservations, _resetAt is { } r && r > now ? r - now : null);
            }

            if (_reserved > 0 && _spent + _reserved + estimateNanos > maxNanos)
            {
                return new BudgetRefusal(false, _spent, _reserved, _reservations, _resetAt is { } r && r > now ? r - now : null);
            }

            _reserved += estimateNanos;
            _reservations++;
            return null;
        }
    }

    public void Reserve(long estimateNanos)
    {
        lock (_gate)
        {
            _reserved += estimateNanos;
            _reservations++;
        }
    }

    /// <summary>Takes over the spend and reset time of the shared limiter (reservations are this replica's own and stay).</summary>
    internal void Mirror(long spentNanos, DateTimeOffset? resetAt)
    {
        lock (_gate)
        {
            _spent = spentNanos;
            if (resetAt is not null)
            {
                _resetAt = resetAt;
            }
        }
    }

    /// <summary>Replaces a reservation by the real cost (0 on failure).</summary>
    public void Settle(long reservedNanos, long actualNanos)
    {
        lock (_gate)
        {
            _reserved = Math.Max(0, _reserved - reservedNanos);
            _reservations = Math.Max(0, _reservations - 1);
            _spent += actualNanos;
        }
    }
}
