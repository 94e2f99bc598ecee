using Switchyard.Core.Caching;

namespace Switchyard.Caching;

/// <summary>What the response cache does for one request: its key, whether to look it up and to store the answer, and for how long.</summary>
public sealed record CachePlan(string Key, CacheControls Controls, bool Lookup, bool Store, TimeSpan Ttl)
{
    /// <summary>The <c>x-switchyard-cache</c> value of an answer not served from the cache: miss, or skip (no-cache, or default_off without use-cache).</summary>
    public string MissHeader => Lookup ? "miss" : "skip";
}
