namespace Switchyard.Core.Caching;

/// <summary>
/// Where cached answers live (in process, or Redis). A back end that cannot answer (Redis down or slow) reports a
/// failure as a value and the request goes on uncached: the cache never fails a request.
/// </summary>
public interface IResponseCache
{
    /// <summary>The answer stored under <paramref name="key"/>, a miss, or a failure of the back end.</summary>
    ValueTask<CacheLookup> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="answer"/> for <paramref name="ttl"/>; false when the back end failed.</summary>
    ValueTask<bool> SetAsync(string key, CachedAnswer answer, TimeSpan ttl, CancellationToken cancellationToken);
}

/// <summary>A lookup's result: the answer (a hit), none (a miss), or <see cref="Failed"/> with the back end's reason.</summary>
public readonly record struct CacheLookup(CachedAnswer? Answer, string? Failed = null)
{
    public static CacheLookup Miss => default;
}
