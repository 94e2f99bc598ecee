using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Caching;

/// <summary>The redis back end with a real redis-server: shared by gateways, and bypassed (never failing a request) while Redis is down.</summary>
public sealed class ResponseCacheRedisTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    private string Params => $"type: redis\n    host: 127.0.0.1\n    port: {_redis.Port}\n    namespace: litellm.caching.caching";

    [Fact]
    public async Task Redis_AnswerStoredByOneGateway_HitOnAnother_UnderTheNamespace()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var a = await GatewayFixture.StartAsync(CacheWire.Config(upstream, Params));
        await using var b = await GatewayFixture.StartAsync(CacheWire.Config(upstream, Params));

        var first = await a.PostChatAsync(CacheWire.Chat());
        var streamed = await b.PostAsync("/v1/chat/completions", CacheWire.Chat(stream: true), streamResponse: true);
        var (body, _) = await GatewayRequests.ReadAllAsync(streamed);
        var whole = await b.PostChatAsync(CacheWire.Chat());

        Assert.Equal("miss", first.Header("x-switchyard-cache"));
        Assert.Equal("hit", streamed.Headers.GetValues("x-switchyard-cache").Single());
        Assert.Equal("Hello", string.Concat(GatewayRequests.ContentDeltas(GatewayRequests.SseData(body))));
        Assert.Equal("hit", whole.Header("x-switchyard-cache"));
        Assert.Equal(1, upstream.Count);
        var key = whole.Header("x-litellm-cache-key");
        Assert.Equal(":1", await _redis.CommandAsync("EXISTS litellm.caching.caching:" + key));
    }

    [Fact]
    public async Task Redis_Down_RequestsAnsweredUncached_FailuresMetered()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream, Params));
        _redis.Stop();

        var first = await gw.PostChatAsync(CacheWire.Chat());
        var second = await gw.PostChatAsync(CacheWire.Chat());

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal("miss", second.Header("x-switchyard-cache"));
        Assert.Equal(2, upstream.Count);
        Assert.Contains("switchyard_cache_failures", await gw.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }
}
