using Switchyard.Core.Requests;

namespace Switchyard.Core.Config;

/// <summary>
/// Exact-match response caching (docs/configuration.md, "Response cache"): LiteLLM's <c>litellm_settings.cache</c> and
/// <c>cache_params</c>, plus <c>switchyard.cache</c> for what LiteLLM has no key for (memory bounds, isolation).
/// </summary>
public sealed record CacheSettings
{
    /// <summary>litellm_settings.cache: true turns the cache on.</summary>
    public bool Enabled { get; init; }

    /// <summary>cache_params.type: local (this process's memory) or redis.</summary>
    public CacheBackend Backend { get; init; } = CacheBackend.Local;

    /// <summary>The Redis server for <see cref="CacheBackend.Redis"/>: cache_params host/port/password, else the shared Redis.</summary>
    public string? RedisUrl { get; init; }

    /// <summary>cache_params.ttl: how long an answer is kept unless the request's cache.ttl says otherwise.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>cache_params.namespace: prefix of every key (Redis: <c>{namespace}:{hash}</c>).</summary>
    public string? Namespace { get; init; }

    /// <summary>cache_params.supported_call_types, as the operations they name.</summary>
    public IReadOnlySet<OperationKind> Operations { get; init; } = DefaultOperations;

    /// <summary>cache_params.mode: default_off caches only requests that send cache: {"use-cache": true}.</summary>
    public bool DefaultOff { get; init; }

    /// <summary>switchyard.cache.max_entries: the local cache's bound in entries (least recently used go first).</summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>switchyard.cache.max_bytes: the local cache's bound in bytes of stored answers.</summary>
    public long MaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>switchyard.cache.max_entry_bytes: a bigger answer is not stored (both back ends).</summary>
    public int MaxEntryBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>switchyard.cache.scope: tenant (default: one tenant never reads another's answers) or global.</summary>
    public bool SharedAcrossTenants { get; init; }

    /// <summary>switchyard.cache.timeout: a Redis cache call slower than this is a miss (or an unstored answer).</summary>
    public TimeSpan RedisTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Every operation whose answer is cached when supported_call_types is not set.</summary>
    public static readonly IReadOnlySet<OperationKind> DefaultOperations = new HashSet<OperationKind>
    {
        OperationKind.Chat, OperationKind.Completions, OperationKind.Embeddings, OperationKind.Messages,
    };
}

/// <summary>Where cached answers live.</summary>
public enum CacheBackend
{
    /// <summary>This process's memory, bounded, least recently used evicted first.</summary>
    Local,

    /// <summary>A Redis server, shared by every replica.</summary>
    Redis,
}
