namespace Switchyard.Dashboard;

/// <summary>
/// A fixed ring of <see cref="SeriesBucket"/>s of one width (a minute, a quarter of an hour): the slot for a time is
/// its period number modulo the ring's length, so memory never grows and old periods are overwritten. Slots are made
/// on first use (a tenant that calls once holds one bucket, not the whole ring). Counting takes no lock; only the
/// first request of a new period takes the slot's lock to clear it.
/// </summary>
internal sealed class SeriesRing(int length, TimeSpan width)
{
    private readonly SeriesBucket?[] _slots = new SeriesBucket?[length];

    public int Length => length;

    public TimeSpan Width => width;

    public long PeriodOf(DateTimeOffset time) => time.UtcTicks / width.Ticks;

    public DateTimeOffset StartOf(long period) => new(period * width.Ticks, TimeSpan.Zero);

    public void Add(DateTimeOffset time, string? errorCode, double latencyMs, long tokens, long spendNanos)
        => BucketFor(PeriodOf(time)).Add(errorCode, latencyMs, tokens, spendNanos);

    /// <summary>The bucket holding <paramref name="period"/>, or null when that period is not in the ring (never counted, or overwritten).</summary>
    public SeriesBucket? Find(long period)
    {
        var slot = Volatile.Read(ref _slots[(int)(period % length)]);
        return slot is not null && slot.Id == period ? slot : null;
    }

    private SeriesBucket BucketFor(long period)
    {
        ref var slotRef = ref _slots[(int)(period % length)];
        var slot = Volatile.Read(ref slotRef);
        if (slot is null)
        {
            var made = new SeriesBucket();
            made.Reset(period);
            slot = Interlocked.CompareExchange(ref slotRef, made, null) ?? made;
        }

        if (slot.Id != period)
        {
            lock (slot.Gate)
            {
                if (slot.Id < period)
                {
                    slot.Reset(period);
                }
            }
        }

        return slot;
    }
}
