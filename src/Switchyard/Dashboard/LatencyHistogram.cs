namespace Switchyard.Dashboard;

/// <summary>
/// The fixed latency bins every dashboard bucket counts into (milliseconds, roughly 1-2-5 steps): a bucket holds one
/// counter per bin instead of its samples, so its size never grows, and a percentile is read as the upper bound of the
/// bin it falls in (the top bin, which has none, reports its lower bound).
/// </summary>
internal static class LatencyHistogram
{
    /// <summary>Upper bounds of every bin but the last (which takes everything above).</summary>
    private static readonly double[] Bounds = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000, 30_000, 60_000];

    public static int Bins => Bounds.Length + 1;

    public static int Bin(double ms)
    {
        var bounds = Bounds;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (ms <= bounds[i])
            {
                return i;
            }
        }

        return bounds.Length;
    }

    /// <summary>The <paramref name="q"/> quantile (0..1) of the counts, or null when there are none.</summary>
    public static double? Quantile(ReadOnlySpan<long> counts, double q)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return i < Bounds.Length ? Bounds[i] : Bounds[^1];
            }
        }

        return Bounds[^1];
    }
}
