namespace Switchyard.Core.Caching;

/// <summary>
/// A request's <c>cache</c> object, as LiteLLM reads it: <c>no-cache</c> (do not read a cached answer), <c>no-store</c>
/// (do not store this answer), <c>ttl</c> (seconds to keep it), <c>s-maxage</c> (accept only answers at most this old),
/// <c>namespace</c> (a separate key space) and <c>use-cache</c> (opt in when the cache is default_off).
/// </summary>
public readonly record struct CacheControls
{
    public bool NoCache { get; init; }

    public bool NoStore { get; init; }

    public TimeSpan? Ttl { get; init; }

    public TimeSpan? MaxAge { get; init; }

    public string? Namespace { get; init; }

    public bool UseCache { get; init; }
}
