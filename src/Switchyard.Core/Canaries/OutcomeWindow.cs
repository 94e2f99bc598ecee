namespace Switchyard.Core.Canaries;

/// <summary>
/// Outcomes of one alias's calls to one route group over the last hour, in 15-second slots: requests, failures and a
/// log-scale latency histogram of the answers (so p50/p95 within a factor of about 1.19). Fixed arrays, one short lock
/// per record, no allocation per request; a slot is cleared when the clock comes round to it again.
/// </summary>
public sealed class OutcomeWindow
{
    /// <summary>The longest window a question may ask about.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromHours(1);

    internal const int LatencyBuckets = 64;
    private const int Slots = 240;
    private const int Stride = 2 + LatencyBuckets; // requests, failures, latency buckets
    private static readonly long SlotTicks = Span.Ticks / Slots;

    /// <summary>Upper bound (ms) of each latency bucket: 1 ms x 2^(i/4); the last one takes everything above.</summary>
    private static readonly double[] Bounds = Enumerable.Range(0, LatencyBuckets).Select(i => Math.Pow(2, i / 4.0)).ToArray();

    private readonly Lock _gate = new();
    private readonly int[] _counts = new int[Slots * Stride];
    private readonly long[] _stamps = new long[Slots];

    /// <summary>One call: answered (with its latency: to the whole answer, or to a stream's first byte) or failed.</summary>
    public void Record(DateTimeOffset now, bool failed, TimeSpan latency)
    {
        var bucket = failed ? -1 : Bucket(latency.TotalMilliseconds);
        lock (_gate)
        {
            var at = Slot(now);
            _counts[at]++;
            if (failed)
            {
                _counts[at + 1]++;
            }
            else
            {
                _counts[at + 2 + bucket]++;
            }
        }
    }

    /// <summary>A call counted as answered whose stream then broke: one more failure, not one more request.</summary>
    public void RecordBrokenStream(DateTimeOffset now)
    {
        lock (_gate)
        {
            _counts[Slot(now) + 1]++;
        }
    }

    /// <summary>The figures over <paramref name="window"/> (at most an hour) up to <paramref name="now"/>, from <paramref name="since"/> on when given.</summary>
    public OutcomeFigures Figures(DateTimeOffset now, TimeSpan window, DateTimeOffset? since = null)
    {
        var newest = now.UtcTicks / SlotTicks;
        var slots = (int)Math.Clamp((window.Ticks + SlotTicks - 1) / SlotTicks, 1, Slots);
        var oldest = newest - slots + 1;
        if (since is { } s && s.UtcTicks / SlotTicks > oldest)
        {
            oldest = s.UtcTicks / SlotTicks;
        }

        Span<int> latency = stackalloc int[LatencyBuckets];
        long requests = 0, failures = 0;
        lock (_gate)
        {
            for (var stamp = oldest; stamp <= newest; stamp++)
            {
                var i = (int)(stamp % Slots);
                if (_stamps[i] != stamp)
                {
                    continue;
                }

                var at = i * Stride;
                requests += _counts[at];
                failures += _counts[at + 1];
                for (var b = 0; b < LatencyBuckets; b++)
                {
                    latency[b] += _counts[at + 2 + b];
                }
            }
        }

        return new OutcomeFigures(requests, Math.Min(failures, requests), Percentile(latency, 0.50), Percentile(latency, 0.95));
    }

    private int Slot(DateTimeOffset now)
    {
        var stamp = now.UtcTicks / SlotTicks;
        var i = (int)(stamp % Slots);
        var at = i * Stride;
        if (_stamps[i] != stamp)
        {
            _stamps[i] = stamp;
            Array.Clear(_counts, at, Stride);
        }

        return at;
    }

    private static int Bucket(double ms)
    {
        var b = ms <= 1 ? 0 : (int)Math.Ceiling(4 * Math.Log2(ms));
        return Math.Clamp(b, 0, LatencyBuckets - 1);
    }

    /// <summary>The bucket bound at or below which <paramref name="q"/> of the answers fall; null with no answers.</summary>
    private static double? Percentile(ReadOnlySpan<int> histogram, double q)
    {
        long total = 0;
        foreach (var c in histogram)
        {
            total += c;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var b = 0; b < histogram.Length; b++)
        {
            seen += histogram[b];
            if (seen >= rank)
            {
                return Math.Round(Bounds[b], 1);
            }
        }

        return Bounds[^1];
    }
}

/// <summary>What one side of an alias did over a window: requests, failures, p50 and p95 latency of its answers (ms).</summary>
public readonly record struct OutcomeFigures(long Requests, long Failures, double? P50Ms, double? P95Ms)
{
    public double? ErrorRate => Requests == 0 ? null : (double)Failures / Requests;
}
