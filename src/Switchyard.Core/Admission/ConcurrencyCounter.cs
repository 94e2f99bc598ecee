namespace Switchyard.Core.Admission;

/// <summary>In-flight requests against a cap; exact under contention.</summary>
public sealed class ConcurrencyCounter
{
    private int _current;

    public int Current => Volatile.Read(ref _current);

    public bool TryEnter(int limit)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current >= limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _current, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Enter() => Interlocked.Increment(ref _current);

    public void Exit() => Interlocked.Decrement(ref _current);
}
