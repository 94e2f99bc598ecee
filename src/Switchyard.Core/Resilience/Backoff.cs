namespace Switchyard.Core.Resilience;

/// <summary>Exponential backoff with jitter that honours an upstream Retry-After.</summary>
public static class Backoff
{
    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (0-based): base * 2^retry with "equal jitter"
    /// (half fixed, half random), at least <paramref name="minimum"/>, and at least the upstream's Retry-After.
    /// </summary>
    public static TimeSpan Delay(int retry, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan minimum, TimeSpan? retryAfter, double random)
    {
        var exp = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 20));
        var capped = Math.Min(exp, maxDelay.TotalMilliseconds);
        var jittered = (capped / 2) + (capped / 2 * random);
        var ms = Math.Max(jittered, minimum.TotalMilliseconds);
        if (retryAfter is { } ra)
        {
            ms = Math.Max(ms, ra.TotalMilliseconds);
        }

        return TimeSpan.FromMilliseconds(ms);
    }
}
