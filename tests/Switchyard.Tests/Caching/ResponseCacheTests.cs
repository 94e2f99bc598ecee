using Microsoft.Extensions.Time.Testing;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Caching;

/// <summary>
/// The response cache through the real gateway (litellm_settings.cache, type local), with a fake OpenAI upstream that
/// counts the calls that reach it.
/// </summary>
public sealed class ResponseCacheTests
{
    [Fact]
    public async Task Chat_SecondIdenticalCall_ServedFromCacheWithLiteLLMKeyHeader()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));

        var first = await gw.PostChatAsync(CacheWire.Chat());
        var second = await gw.PostChatAsync(CacheWire.Chat());

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal(1, upstream.Count);
        Assert.Equal("miss", first.Header("x-switchyard-cache"));
        Assert.Null(first.Header("x-litellm-cache-key")); // LiteLLM sends the key on hits only
        Assert.Equal("hit", second.Header("x-switchyard-cache"));
        Assert.Matches("^[0-9a-f]{64}$", second.Header("x-litellm-cache-key"));
        Assert.Equal("0", second.Header("x-litellm-response-cost"));
        Assert.Equal(first.Body, second.Body);
    }

    [Fact]
    public async Task Chat_FieldOrderAndWhitespaceDiffer_StillAHit_SamplingParamsDiffer_AMiss()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));

        await gw.PostChatAsync("""{"model":"chat","temperature":0.2,"messages":[{"role":"user","content":"ping"}],"user":"a"}""");
        var reordered = await gw.PostChatAsync("""{ "messages" : [ {"role":"user", "content":"ping"} ], "user": "b", "temperature": 0.2, "model": "chat" }""");
        var warmer = await gw.PostChatAsync("""{"model":"chat","temperature":0.9,"messages":[{"role":"user","content":"ping"}]}""");

        Assert.Equal("hit", reordered.Header("x-switchyard-cache"));
        Assert.Equal("miss", warmer.Header("x-switchyard-cache"));
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task Stream_AfterAWholeAnswer_ReplayedAsSseTheOpenAISdkReads()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));
        var chat = gw.Chat("chat");

        var whole = await chat.CompleteChatAsync([new UserChatMessage("ping")]);
        var text = "";
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("ping")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            finish ??= update.FinishReason;
        }

        Assert.Equal("Hello", whole.Value.Content[0].Text);
        Assert.Equal("Hello", text);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(1, upstream.Count);

        using var raw = await gw.PostAsync("/v1/chat/completions", CacheWire.Chat(stream: true), streamResponse: true);
        var (body, broken) = await GatewayRequests.ReadAllAsync(raw);
        Assert.False(broken);
        Assert.Equal("text/event-stream", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal("hit", raw.Headers.GetValues("x-switchyard-cache").Single());
        var data = GatewayRequests.SseData(body);
        Assert.Equal("[DONE]", data[^1]);
        Assert.Equal("Hello", string.Concat(GatewayRequests.ContentDeltas(data)));
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task Stream_CompletedCleanly_StoredAndReplayedToTheNextStream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));

        var texts = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var text = "";
            await foreach (var update in gw.Chat("chat").CompleteChatStreamingAsync([new UserChatMessage("ping")]))
            {
                text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            }

            texts.Add(text);
        }

        Assert.Equal(["Hello", "Hello"], texts);
        Assert.Equal(1, upstream.Count);

        var whole = await gw.PostChatAsync(CacheWire.Chat()); // a stored stream is not turned into a whole answer
        Assert.Equal("miss", whole.Header("x-switchyard-cache"));
        Assert.Equal("Hello", whole.Json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task Stream_BrokenMidway_NotCached()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = Clients.OpenAISdkStreamFailureTests.BreaksAfterTwoChunks();
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));

        using (var broken = await gw.PostAsync("/v1/chat/completions", CacheWire.Chat(stream: true), streamResponse: true))
        {
            await GatewayRequests.ReadAbandonedAsync(broken);
        }

        upstream.Handler = CacheWire.Answer;
        using var next = await gw.PostAsync("/v1/chat/completions", CacheWire.Chat(stream: true), streamResponse: true);
        var (body, _) = await GatewayRequests.ReadAllAsync(next);

        Assert.Equal("miss", next.Headers.GetValues("x-switchyard-cache").Single());
        Assert.Equal("Hello", string.Concat(GatewayRequests.ContentDeltas(GatewayRequests.SseData(body))));
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task UpstreamError_NotCached_TheNextCallGoesUpstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));

        var failed = await gw.PostChatAsync(CacheWire.Chat());
        upstream.Handler = CacheWire.Answer;
        var answered = await gw.PostChatAsync(CacheWire.Chat());
        var hit = await gw.PostChatAsync(CacheWire.Chat());

        Assert.NotEqual(200, failed.Status);
        Assert.Equal("miss", answered.Header("x-switchyard-cache"));
        Assert.Equal("hit", hit.Header("x-switchyard-cache"));
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task Tenants_NeverShareAnswers_KeysOfOneTenantDo()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream, switchyard: """
            switchyard:
              tenants:
                - tenant_id: acme
                - tenant_id: globex
            """));
        var (acme1, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var (acme2, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var (globex, _) = await gw.GenerateKeyAsync(new { team_id = "globex" });

        var a1 = await gw.PostChatAsync(CacheWire.Chat(), acme1);
        var a2 = await gw.PostChatAsync(CacheWire.Chat(), acme2);
        var g = await gw.PostChatAsync(CacheWire.Chat(), globex);

        Assert.Equal("miss", a1.Header("x-switchyard-cache"));
        Assert.Equal("hit", a2.Header("x-switchyard-cache"));
        Assert.Equal("miss", g.Header("x-switchyard-cache"));
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task NoCache_SkipsTheLookupButStores_NoStore_DoesNotStore_CacheFieldNeverSentUpstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));

        var noStore = await gw.PostChatAsync(CacheWire.Chat("a", extra: ""","cache":{"no-store":true}"""));
        var afterNoStore = await gw.PostChatAsync(CacheWire.Chat("a"));
        var noCache = await gw.PostChatAsync(CacheWire.Chat("a", extra: ""","cache":{"no-cache":true}"""));
        var afterNoCache = await gw.PostChatAsync(CacheWire.Chat("a"));

        Assert.Equal("miss", noStore.Header("x-switchyard-cache"));
        Assert.Equal("miss", afterNoStore.Header("x-switchyard-cache")); // the no-store answer was not kept
        Assert.Equal("skip", noCache.Header("x-switchyard-cache"));    // went upstream although an answer was cached
        Assert.Equal("hit", afterNoCache.Header("x-switchyard-cache"));
        Assert.Equal(3, upstream.Count);
        Assert.All(upstream.Requests, r => Assert.DoesNotContain("\"cache\"", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ttl_AnswerExpires_SMaxAge_RefusesOlderAnswers()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream, "ttl: 600"), time);

        await gw.PostChatAsync(CacheWire.Chat("short", extra: ""","cache":{"ttl":60}"""));
        time.Advance(TimeSpan.FromSeconds(61));
        var expired = await gw.PostChatAsync(CacheWire.Chat("short"));  // stored again, for 600 s
        time.Advance(TimeSpan.FromSeconds(30));
        var fresh = await gw.PostChatAsync(CacheWire.Chat("short", extra: ""","cache":{"s-maxage":45}"""));
        var tooOld = await gw.PostChatAsync(CacheWire.Chat("short", extra: ""","cache":{"s-maxage":10}"""));

        Assert.Equal("miss", expired.Header("x-switchyard-cache"));
        Assert.Equal("hit", fresh.Header("x-switchyard-cache"));
        Assert.Equal("30", fresh.Header("x-switchyard-cache-age"));
        Assert.Equal("miss", tooOld.Header("x-switchyard-cache"));
        Assert.Equal(3, upstream.Count);
    }

    [Fact]
    public async Task MalformedCacheControls_TypedBadRequest_NothingSent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));

        var r = await gw.PostChatAsync(CacheWire.Chat(extra: ""","cache":{"ttl":"soon"}"""));

        Assert.Equal(400, r.Status);
        Assert.Equal("cache.ttl", r.ErrorParam);
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task Embeddings_SecondIdenticalCall_Hit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));

        var first = await gw.EmbedAsync(GatewayFixture.MasterKey, "embed");
        var second = await gw.EmbedAsync(GatewayFixture.MasterKey, "embed");

        Assert.Equal(200, second.Status);
        Assert.Equal("hit", second.Header("x-switchyard-cache"));
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task SupportedCallTypes_WithoutEmbedding_EmbeddingsNotCached()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream, "supported_call_types: [acompletion]"));

        await gw.EmbedAsync(GatewayFixture.MasterKey, "embed");
        var second = await gw.EmbedAsync(GatewayFixture.MasterKey, "embed");
        await gw.PostChatAsync(CacheWire.Chat());
        var chat = await gw.PostChatAsync(CacheWire.Chat());

        Assert.Null(second.Header("x-switchyard-cache"));
        Assert.Equal("hit", chat.Header("x-switchyard-cache"));
        Assert.Equal(3, upstream.Count);
    }

    [Fact]
    public async Task LocalCache_MaxEntriesOne_LeastRecentlyUsedEvicted()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream, switchyard: """
            switchyard:
              cache:
                max_entries: 1
            """));

        await gw.PostChatAsync(CacheWire.Chat("a"));
        var aAgain = await gw.PostChatAsync(CacheWire.Chat("a"));
        await gw.PostChatAsync(CacheWire.Chat("b")); // evicts a
        var aEvicted = await gw.PostChatAsync(CacheWire.Chat("a"));

        Assert.Equal("hit", aAgain.Header("x-switchyard-cache"));
        Assert.Equal("miss", aEvicted.Header("x-switchyard-cache"));
        Assert.Equal(3, upstream.Count);
    }

    [Fact]
    public async Task CacheHit_CountsAgainstRpm_SpendRowAtZeroCostMarkedCache()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        string path, hash;
        await using (var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream, switchyard: """
            switchyard:
              tenants:
                - tenant_id: acme
            """)))
        {
            path = gw.SqlitePath;
            var (key, _) = await gw.GenerateKeyAsync(new { team_id = "acme", rpm_limit = 2 });
            hash = GatewayApi.Sha256Hex(key);
            Assert.Equal("miss", (await gw.PostChatAsync(CacheWire.Chat(), key)).Header("x-switchyard-cache"));
            Assert.Equal("hit", (await gw.PostChatAsync(CacheWire.Chat(), key)).Header("x-switchyard-cache"));
            Assert.Equal(429, (await gw.PostChatAsync(CacheWire.Chat(), key)).Status); // a hit is a request, as LiteLLM counts it

            var metrics = await gw.Http.GetStringAsync("/metrics");
            Assert.Contains("switchyard_cache_hits", metrics, StringComparison.Ordinal);
            Assert.Contains("switchyard_cache_stores", metrics, StringComparison.Ordinal);
        }

        using var db = GatewayApi.OpenSqlite(path);
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM spend_logs WHERE token_hash = '{hash}' AND provider_family = 'cache' AND cost_nanos = 0 AND prompt_tokens = 0 AND status = 200"));
        Assert.Equal(1, db.Scalar($"SELECT COUNT(*) FROM spend_logs WHERE token_hash = '{hash}' AND provider_family = 'openai' AND cost_nanos > 0"));
        Assert.Equal(db.Scalar($"SELECT SUM(cost_nanos) FROM spend_logs WHERE token_hash = '{hash}'"), db.Scalar($"SELECT spend_nanos FROM keys WHERE token_hash = '{hash}'"));
    }
    [Fact]
    public async Task Messages_TranslatedAnswer_CachedInTheCallersProtocol_WholeThenStream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CacheWire.Answer;
        await using var gw = await GatewayFixture.StartAsync(CacheWire.Config(upstream));
        var headers = new Dictionary<string, string> { ["anthropic-version"] = "2023-06-01" };
        const string Whole = """{"model":"chat","max_tokens":64,"messages":[{"role":"user","content":"ping"}]}""";
        const string Stream = """{"model":"chat","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"ping"}]}""";

        using var first = await gw.PostAsync("/v1/messages", Whole, headers);
        using var second = await gw.PostAsync("/v1/messages", Whole, headers);
        using var streamMiss = await gw.PostAsync("/v1/messages", Stream, headers, streamResponse: true);
        var (missText, _) = await GatewayRequests.ReadAllAsync(streamMiss);
        using var streamHit = await gw.PostAsync("/v1/messages", Stream, headers, streamResponse: true);
        var (hitText, broken) = await GatewayRequests.ReadAllAsync(streamHit);

        Assert.Equal("hit", second.Headers.GetValues("x-switchyard-cache").Single());
        var answer = await second.Content.ReadAsStringAsync();
        Assert.Contains("\"type\":\"message\"", answer, StringComparison.Ordinal);
        Assert.Equal(await first.Content.ReadAsStringAsync(), answer);
        Assert.Equal("miss", streamMiss.Headers.GetValues("x-switchyard-cache").Single()); // a whole Messages answer is not replayed as a stream
        Assert.Equal("hit", streamHit.Headers.GetValues("x-switchyard-cache").Single());
        Assert.False(broken);
        Assert.Contains("event: message_stop", hitText, StringComparison.Ordinal);
        Assert.Equal(missText, hitText);
        Assert.Equal(2, upstream.Count);
    }
}
