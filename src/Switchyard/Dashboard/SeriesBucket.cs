using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Switchyard.Dashboard;

/// <summary>
/// One time bucket of a <see cref="SeriesRing"/>: requests, errors (and per failure code), a fixed latency histogram,
/// tokens and spend, all counted with <see cref="Interlocked"/>. <see cref="Id"/> says which period it holds now; a
/// bucket is reused (cleared) when its slot's period comes round again.
/// </summary>
internal sealed class SeriesBucket
{
    /// <summary>At most this many distinct failure codes per bucket; more are counted as "other".</summary>
    public const int MaxCodes = 64;

    private readonly long[] _latency = new long[LatencyHistogram.Bins];
    private ConcurrentDictionary<string, StrongBox<long>>? _codes;
    private long _id = long.MinValue;

    /// <summary>Taken only to clear the bucket for a new period.</summary>
    public Lock Gate { get; } = new();

    public long Requests;
    public long Errors;
    public long Tokens;
    public long SpendNanos;

    /// <summary>The period (bucket number since the epoch) this bucket counts.</summary>
    public long Id => Volatile.Read(ref _id);

    public ReadOnlySpan<long> Latency => _latency;

    /// <summary>Clears the bucket for <paramref name="id"/>; the caller holds the bucket's lock.</summary>
    public void Reset(long id)
    {
        Requests = 0;
        Errors = 0;
        Tokens = 0;
        SpendNanos = 0;
        Array.Clear(_latency);
        _codes?.Clear();
        Volatile.Write(ref _id, id);
    }

    public void Add(string? errorCode, double latencyMs, long tokens, long spendNanos)
    {
        Interlocked.Increment(ref Requests);
        if (latencyMs >= 0)
        {
            Interlocked.Increment(ref _latency[LatencyHistogram.Bin(latencyMs)]);
        }

        if (tokens != 0)
        {
            Interlocked.Add(ref Tokens, tokens);
        }

        if (spendNanos != 0)
        {
            Interlocked.Add(ref SpendNanos, spendNanos);
        }

        if (errorCode is not null)
        {
            Interlocked.Increment(ref Errors);
            var codes = _codes ?? Interlocked.CompareExchange(ref _codes, new(StringComparer.Ordinal), null) ?? _codes;
            if (!codes.TryGetValue(errorCode, out var box))
            {
                box = codes.Count < MaxCodes ? codes.GetOrAdd(errorCode, static _ => new StrongBox<long>()) : codes.GetOrAdd("other", static _ => new StrongBox<long>());
            }

            Interlocked.Increment(ref box.Value);
        }
    }

    /// <summary>Adds this bucket's failure codes into <paramref name="into"/>.</summary>
    public void CopyCodes(Dictionary<string, long> into)
    {
        if (_codes is not { } codes)
        {
            return;
        }

        foreach (var (code, box) in codes)
        {
            into[code] = into.GetValueOrDefault(code) + Volatile.Read(ref box.Value);
        }
    }
}
