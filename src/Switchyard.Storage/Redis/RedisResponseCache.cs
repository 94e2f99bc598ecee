using StackExchange.Redis;
using Switchyard.Core.Caching;
using Switchyard.Core.Config;

namespace Switchyard.Storage.Redis;

/// <summary>
/// The redis back end of the response cache: one string per answer (<see cref="CachedAnswer.Serialize"/>) under
/// <c>{namespace}:{key}</c> (LiteLLM's layout when cache_params.namespace is set) or <c>{key_prefix}cache:{key}</c>,
/// with the ttl as its expiry. A call that fails or takes longer than switchyard.cache.timeout is reported as a failure,
/// never thrown: the request goes on uncached.
/// </summary>
public sealed class RedisResponseCache : IResponseCache, IAsyncDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly TimeSpan _timeout;

    public RedisResponseCache(IConnectionMultiplexer redis, CacheSettings settings, string keyPrefix)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _redis = redis;
        _prefix = settings.Namespace is { } ns ? ns + ":" : keyPrefix + "cache:";
        _timeout = settings.RedisTimeout;
    }

    /// <summary>Connects without waiting for Redis to be up (it reconnects in the background; until then every call is a failure).</summary>
    public static RedisResponseCache Connect(CacheSettings settings, string keyPrefix)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = RedisUrl.ToOptions(settings.RedisUrl ?? throw new ArgumentException("no Redis URL", nameof(settings)), settings.RedisTimeout);
        return new RedisResponseCache(ConnectionMultiplexer.Connect(options), settings, keyPrefix);
    }

    /// <summary>The Redis key an answer is stored under.</summary>
    public string RedisKey(string key) => _prefix + key;

    public async ValueTask<CacheLookup> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var value = await _redis.GetDatabase().StringGetAsync(RedisKey(key)).WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            return value.IsNull ? CacheLookup.Miss : new CacheLookup(CachedAnswer.Deserialize((ReadOnlyMemory<byte>)value));
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            return new CacheLookup(null, e.GetType().Name + ": " + e.Message);
        }
    }

    public async ValueTask<bool> SetAsync(string key, CachedAnswer answer, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        try
        {
            return await _redis.GetDatabase().StringSetAsync(RedisKey(key), answer.Serialize(), ttl).WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync().ConfigureAwait(false);
}
