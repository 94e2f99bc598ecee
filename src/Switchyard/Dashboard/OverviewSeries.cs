namespace Switchyard.Dashboard;

/// <summary>
/// One scope's overview (the whole replica, or one tenant): minute buckets for the last hour, quarter-hour buckets for
/// the last day, and today's totals (UTC day). Fixed size whatever the traffic.
/// </summary>
internal sealed class OverviewSeries
{
    public SeriesRing Minutes { get; } = new(61, TimeSpan.FromMinutes(1));

    public SeriesRing Quarters { get; } = new(97, TimeSpan.FromMinutes(15));

    public DayTotals Today { get; } = new();

    public void Add(DateTimeOffset time, string? errorCode, double addedLatencyMs, long tokens, long spendNanos)
    {
        Minutes.Add(time, errorCode, addedLatencyMs, tokens, spendNanos);
        Quarters.Add(time, errorCode, addedLatencyMs, tokens, spendNanos);
        Today.Add(time, tokens, spendNanos);
    }
}

/// <summary>Requests, tokens and spend of the current UTC day; cleared by the first request of the next day.</summary>
internal sealed class DayTotals
{
    private readonly Lock _gate = new();
    private long _day = long.MinValue;
    private long _requests;
    private long _tokens;
    private long _spendNanos;

    public void Add(DateTimeOffset time, long tokens, long spendNanos)
    {
        var day = time.UtcTicks / TimeSpan.TicksPerDay;
        if (Volatile.Read(ref _day) != day)
        {
            lock (_gate)
            {
                if (_day < day)
                {
                    _requests = 0;
                    _tokens = 0;
                    _spendNanos = 0;
                    Volatile.Write(ref _day, day);
                }
            }
        }

        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _tokens, tokens);
        Interlocked.Add(ref _spendNanos, spendNanos);
    }

    /// <summary>Today's totals as of <paramref name="now"/> (zero when nothing was counted today).</summary>
    public (long Requests, long Tokens, long SpendNanos) Read(DateTimeOffset now)
        => Volatile.Read(ref _day) == now.UtcTicks / TimeSpan.TicksPerDay
            ? (Interlocked.Read(ref _requests), Interlocked.Read(ref _tokens), Interlocked.Read(ref _spendNanos))
            : (0, 0, 0);
}
