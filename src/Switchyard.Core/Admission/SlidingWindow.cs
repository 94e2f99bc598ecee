namespace Switchyard.Core.Admission;

/// <summary>
/// A 60-second sliding window of one-second buckets (requests or tokens per minute). Check-and-add happens under
/// one lock, so a burst admits exactly up to the limit; settling adjusts the bucket the amount was added to.
/// </summary>
public sealed class SlidingWindow
{
    public const int Buckets = 60;
    private readonly Lock _gate = new();
    private readonly long[] _amounts = new long[Buckets];
    private readonly long[] _stamps = new long[Buckets];

    /// <summary>Adds <paramref name="amount"/> unless that takes the window past <paramref name="limit"/>.</summary>
    public bool TryAdd(long amount, long limit, DateTimeOffset now, out TimeSpan retryAfter, out long remaining)
    {
        var second = now.ToUnixTimeMilliseconds() / 1000;
        lock (_gate)
        {
            var total = Total(second);
            if (total + amount > limit && !(total == 0 && amount > limit))
            {
                retryAfter = UntilFits(second, total, amount, limit, now);
                remaining = Math.Max(0, limit - total);
                return false;
            }

            Add(second, amount);
            retryAfter = TimeSpan.Zero;
            remaining = Math.Max(0, limit - total - amount);
            return true;
        }
    }

    /// <summary>Adds a (possibly negative) correction to the bucket of <paramref name="at"/>, if it is still in the window.</summary>
    public void Adjust(long delta, DateTimeOffset at, DateTimeOffset now)
    {
        var second = at.ToUnixTimeMilliseconds() / 1000;
        var nowSecond = now.ToUnixTimeMilliseconds() / 1000;
        if (nowSecond - second >= Buckets)
        {
            return;
        }

        lock (_gate)
        {
            var i = (int)(second % Buckets);
            if (_stamps[i] == second)
            {
                _amounts[i] = Math.Max(0, _amounts[i] + delta);
            }
            else if (delta > 0)
            {
                Add(second, delta);
            }
        }
    }

    /// <summary>How long until <paramref name="amount"/> more fits under <paramref name="limit"/>; zero when it fits now.</summary>
    public TimeSpan TimeUntilFits(long amount, long limit, DateTimeOffset now)
    {
        var second = now.ToUnixTimeMilliseconds() / 1000;
        lock (_gate)
        {
            var total = Total(second);
            return total + amount <= limit ? TimeSpan.Zero : UntilFits(second, total, amount, limit, now);
        }
    }

    public long Current(DateTimeOffset now)
    {
        lock (_gate)
        {
            return Total(now.ToUnixTimeMilliseconds() / 1000);
        }
    }

    private long Total(long second)
    {
        long total = 0;
        for (var i = 0; i < Buckets; i++)
        {
            if (second - _stamps[i] < Buckets && _stamps[i] <= second)
            {
                total += _amounts[i];
            }
        }

        return total;
    }

    private void Add(long second, long amount)
    {
        var i = (int)(second % Buckets);
        if (_stamps[i] != second)
        {
            _stamps[i] = second;
            _amounts[i] = 0;
        }

        _amounts[i] += amount;
    }

    /// <summary>Time until enough of the oldest buckets leave the window for <paramref name="amount"/> to fit.</summary>
    private TimeSpan UntilFits(long second, long total, long amount, long limit, DateTimeOffset now)
    {
        var needed = total + amount - limit;
        for (var age = Buckets - 1; age >= 0; age--)
        {
            var s = second - age;
            var i = (int)(((s % Buckets) + Buckets) % Buckets);
            if (_stamps[i] != s)
            {
                continue;
            }

            needed -= _amounts[i];
            if (needed <= 0)
            {
                var leavesAtMs = (s + Buckets) * 1000;
                return TimeSpan.FromMilliseconds(Math.Max(1, leavesAtMs - now.ToUnixTimeMilliseconds()));
            }
        }

        return TimeSpan.FromSeconds(Buckets);
    }
}
