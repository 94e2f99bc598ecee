using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Caching;
using Switchyard.Core.Caching;
using Switchyard.Core.Requests;

namespace Switchyard.Tests.Caching;

/// <summary>What the cache key depends on, the request controls, and the local back end's LRU and byte bounds.</summary>
public sealed class ResponseCacheKeyTests
{
    private static string Key(string body, string scope = "tenant:acme", string route = "chat")
        => ResponseCacheKey.Compute(Encoding.UTF8.GetBytes(body), scope, OperationKind.Chat, route, null).Key;

    private const string Base = """{"model":"chat","messages":[{"role":"user","content":"hi"}],"temperature":0.5}""";

    [Theory]
    [InlineData("""{"model":"chat","messages":[{"role":"user","content":"hi"}],"temperature":0.5,"stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("""{"temperature":0.5,"user":"u1","metadata":{"a":1},"messages":[{"role":"user","content":"hi"}],"model":"chat"}""")]
    [InlineData("""{ "model" : "chat" , "messages" : [ { "role" : "user" , "content" : "hi" } ] , "temperature" : 0.5 , "cache" : {"ttl": 5} }""")]
    public void Compute_StreamUserMetadataOrderWhitespaceCacheControls_SameKey(string other)
        => Assert.Equal(Key(Base), Key(other));

    [Theory]
    [InlineData("""{"model":"chat","messages":[{"role":"user","content":"hi!"}],"temperature":0.5}""")]
    [InlineData("""{"model":"chat","messages":[{"role":"user","content":"hi"}],"temperature":0.6}""")]
    [InlineData("""{"model":"chat","messages":[{"role":"user","content":"hi"}],"temperature":0.5,"tools":[]}""")]
    [InlineData("""{"model":"chat","messages":[{"role":"user","content":"hi"}],"temperature":0.5,"response_format":{"type":"json_object"}}""")]
    [InlineData("""{"model":"chat","messages":[{"role":"user","content":"hi"}],"temperature":0.5,"cache":{"namespace":"other"}}""")]
    public void Compute_AnswerChangingFields_DifferentKey(string other)
        => Assert.NotEqual(Key(Base), Key(other));

    [Fact]
    public void Compute_OtherTenantOrRoute_DifferentKey()
    {
        Assert.NotEqual(Key(Base), Key(Base, scope: "tenant:globex"));
        Assert.NotEqual(Key(Base), Key(Base, route: "chat\nother-group"));
    }

    [Fact]
    public void Compute_Controls_ReadAndFieldLocated()
    {
        var body = """{"model":"chat","cache":{"no-cache":true,"no-store":true,"ttl":30,"s-maxage":5},"messages":[]}""";
        var r = ResponseCacheKey.Compute(Encoding.UTF8.GetBytes(body), "s", OperationKind.Chat, "chat", null);

        Assert.True(r.Controls.NoCache);
        Assert.True(r.Controls.NoStore);
        Assert.Equal(TimeSpan.FromSeconds(30), r.Controls.Ttl);
        Assert.Equal(TimeSpan.FromSeconds(5), r.Controls.MaxAge);
        var (start, end) = r.CacheField!.Value;
        Assert.Equal("""{"model":"chat","messages":[]}""", Encoding.UTF8.GetString(ResponseCacheService.WithoutField(Encoding.UTF8.GetBytes(body), start, end)));
    }

    [Theory]
    [InlineData("""{"model":"chat","cache":true}""", "cache")]
    [InlineData("""{"model":"chat","cache":{"no-cache":"yes"}}""", "cache.no-cache")]
    [InlineData("""{"model":"chat","cache":{"ttl":0}}""", "cache.ttl")]
    public void Compute_MalformedControls_ValidationErrorNamingTheField(string body, string param)
    {
        var e = Assert.Throws<RequestValidationException>(() => ResponseCacheKey.Compute(Encoding.UTF8.GetBytes(body), "s", OperationKind.Chat, "chat", null));
        Assert.Equal(param, e.Param);
    }

    [Fact]
    public async Task Memory_EntryBound_LeastRecentlyUsedGoesFirst()
    {
        var cache = new MemoryResponseCache(2, long.MaxValue, new FakeTimeProvider());
        await cache.SetAsync("a", Answer(10), TimeSpan.FromMinutes(1), default);
        await cache.SetAsync("b", Answer(10), TimeSpan.FromMinutes(1), default);
        Assert.NotNull((await cache.GetAsync("a", default)).Answer); // a is now the most recently used
        await cache.SetAsync("c", Answer(10), TimeSpan.FromMinutes(1), default);

        Assert.NotNull((await cache.GetAsync("a", default)).Answer);
        Assert.Null((await cache.GetAsync("b", default)).Answer);
        Assert.NotNull((await cache.GetAsync("c", default)).Answer);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task Memory_ByteBound_HeldBytesNeverAboveIt()
    {
        var one = Answer(1000).Size + 2;
        var cache = new MemoryResponseCache(1000, one * 3, new FakeTimeProvider());
        for (var i = 0; i < 10; i++)
        {
            await cache.SetAsync(((char)('a' + i)).ToString(), Answer(1000), TimeSpan.FromMinutes(1), default);
            Assert.True(cache.Bytes <= one * 3);
        }

        Assert.Equal(3, cache.Count);
        Assert.Equal(7, cache.Evictions);
        Assert.NotNull((await cache.GetAsync("j", default)).Answer);
        Assert.Null((await cache.GetAsync("g", default)).Answer);
    }

    [Fact]
    public async Task Memory_Ttl_ExpiredEntryIsAMiss()
    {
        var time = new FakeTimeProvider();
        var cache = new MemoryResponseCache(10, long.MaxValue, time);
        await cache.SetAsync("a", Answer(1), TimeSpan.FromSeconds(10), default);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.NotNull((await cache.GetAsync("a", default)).Answer);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null((await cache.GetAsync("a", default)).Answer);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void CachedAnswer_Serialized_RoundTrips()
    {
        var answer = new CachedAnswer(CachedAnswerKind.Stream, "data: x\n\n"u8.ToArray(), new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "chat-0");
        var back = CachedAnswer.Deserialize(answer.Serialize())!;

        Assert.Equal(answer.Kind, back.Kind);
        Assert.Equal(answer.StoredAt, back.StoredAt);
        Assert.Equal("chat-0", back.Deployment);
        Assert.Equal("data: x\n\n", Encoding.UTF8.GetString(back.Body.Span));
        Assert.Null(CachedAnswer.Deserialize(new byte[] { 9, 9, 9 }));
    }

    private static CachedAnswer Answer(int bytes) => new(CachedAnswerKind.Whole, new byte[bytes], DateTimeOffset.UnixEpoch, "d");
}
