using Switchyard.Core.Config;
using Switchyard.Core.Requests;

namespace Switchyard.Tests.Caching;

/// <summary>litellm_settings.cache and cache_params as LiteLLM configs write them, and switchyard.cache.</summary>
public sealed class CacheConfigTests
{
    private const string Models = """
        model_list:
          - model_name: chat
            litellm_params:
              model: openai/gpt-4o-mini
              api_key: k
        """;

    private static GatewayConfig Load(string yaml, Dictionary<string, string>? env = null)
        => ConfigLoader.Load(Models + "\n" + yaml, "/tmp", n => env is not null && env.TryGetValue(n, out var v) ? v : null);

    [Fact]
    public void Load_RedisCacheParamsWithHostPortPasswordTtlCallTypes_Read()
    {
        var c = Load("""
            litellm_settings:
              cache: True
              cache_params:
                type: redis
                host: os.environ/REDIS_HOST
                port: "6380"
                password: os.environ/REDIS_PASSWORD
                ttl: 600
                namespace: litellm.caching.caching
                supported_call_types: ["acompletion", "completion", "embedding", "aembedding"]
            """, new() { ["REDIS_HOST"] = "cache.internal", ["REDIS_PASSWORD"] = "s3cret" }).Cache;

        Assert.True(c.Enabled);
        Assert.Equal(CacheBackend.Redis, c.Backend);
        Assert.Equal("redis://:s3cret@cache.internal:6380", c.RedisUrl);
        Assert.Equal(TimeSpan.FromSeconds(600), c.Ttl);
        Assert.Equal("litellm.caching.caching", c.Namespace);
        Assert.Equal([OperationKind.Chat, OperationKind.Embeddings], c.Operations.Order());
    }

    [Fact]
    public void Load_RedisTypeWithoutHost_UsesTheSharedRedisOfRouterSettings()
    {
        var config = Load("""
            router_settings:
              redis_host: 10.0.0.5
            litellm_settings:
              cache: true
              cache_params:
                type: redis
            """);

        Assert.Equal(config.Shared.RedisUrl, config.Cache.RedisUrl);
        Assert.Equal("redis://10.0.0.5:6379", config.Cache.RedisUrl);
    }

    [Fact]
    public void Load_CacheTrueNoParamsNoRedis_LocalWithAWarning_NoUnsupportedKeyWarnings()
    {
        var config = Load("""
            litellm_settings:
              cache: true
            switchyard:
              cache:
                max_entries: 50
                max_bytes: 1048576
                scope: global
            """);

        Assert.Equal(CacheBackend.Local, config.Cache.Backend);
        Assert.Equal(50, config.Cache.MaxEntries);
        Assert.Equal(1_048_576, config.Cache.MaxBytes);
        Assert.True(config.Cache.SharedAcrossTenants);
        Assert.Contains(config.Warnings, w => w.Path == "litellm_settings.cache" && w.Message.Contains("type: local", StringComparison.Ordinal));
        Assert.DoesNotContain(config.Warnings, w => w.Message.Contains("unsupported key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("type: redis", "litellm_settings.cache_params.type")]
    [InlineData("ttl: -5", "litellm_settings.cache_params.ttl")]
    [InlineData("mode: sometimes", "litellm_settings.cache_params.mode")]
    public void Load_BadCacheParams_ErrorWithItsPath(string line, string path)
    {
        var e = Assert.Throws<ConfigException>(() => Load($"""
            litellm_settings:
              cache: true
              cache_params:
                {line}
            """));

        Assert.Contains(e.Errors, d => d.Path == path);
    }

    [Fact]
    public void Load_CacheParamsWithoutCache_WarnsNoEffect()
    {
        var config = Load("""
            litellm_settings:
              cache_params:
                type: local
            """);

        Assert.False(config.Cache.Enabled);
        Assert.Contains(config.Warnings, w => w.Path == "litellm_settings.cache_params" && w.Message.Contains("no effect", StringComparison.Ordinal));
    }
}
