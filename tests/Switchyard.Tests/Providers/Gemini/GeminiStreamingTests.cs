using System.Text.Json;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Gemini;

/// <summary>Gemini alt=sse streams relayed as OpenAI chunks, read with the OpenAI .NET SDK and as raw SSE.</summary>
public sealed class GeminiStreamingTests
{
    private const string Key = GeminiGatewayTests.Key;

    [Fact]
    public async Task Stream_Text_AssemblesTextFinishAndUsage_FromStreamGenerateContent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteStreamAsync(c,
            GeminiWire.Response([GeminiWire.Thought("Hmm.")], null, GeminiWire.Usage(20, 0)),
            GeminiWire.Response([GeminiWire.Text("Hel")], null, GeminiWire.Usage(20, 1)),
            GeminiWire.Response([GeminiWire.Text("lo")], null, GeminiWire.Usage(20, 2)),
            GeminiWire.Response([GeminiWire.Text(" world")], "STOP", GeminiWire.Usage(20, 3, cached: 8, thoughts: 5))));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);

        var text = "";
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in gw.Chat("gem").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("Hello world", text);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(20, usage.InputTokenCount);
        Assert.Equal(8, usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(8, usage.OutputTokenCount);
        Assert.Equal(5, usage.OutputTokenDetails.ReasoningTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal($"/v1beta/models/{GeminiWire.Model}:streamGenerateContent?alt=sse", sent.PathAndQuery);
        Assert.Equal(Key, sent.Headers["x-goog-api-key"]);
    }

    [Fact]
    public async Task Stream_Raw_ReasoningAndToolCallChunks_ThenDone()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteStreamAsync(c,
            GeminiWire.Response([GeminiWire.Thought("Need the weather.")], null),
            GeminiWire.Response([GeminiWire.Call("get_weather", new { city = "Oslo" }, signature: "c2ln")], "STOP")));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""
            {"model":"gem","stream":true,"messages":[{"role":"user","content":"Oslo?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}
            """));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement.GetProperty("choices")[0]).ToArray();
        Assert.Equal("assistant", chunks[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("Need the weather.", chunks[1].GetProperty("delta").GetProperty("reasoning_content").GetString());
        var start = chunks[2].GetProperty("delta").GetProperty("tool_calls")[0];
        Assert.Equal("get_weather", start.GetProperty("function").GetProperty("name").GetString());
        Assert.EndsWith("__thought__c2ln", start.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("""{"city":"Oslo"}""", chunks[3].GetProperty("delta").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("tool_calls", chunks[^1].GetProperty("finish_reason").GetString());
        Assert.DoesNotContain(events, e => e.Contains("\"usage\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stream_ErrorEventAfterFirstChunk_EndsWithErrorEventAndAbort()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteStreamAsync(c,
            GeminiWire.Response([GeminiWire.Text("Hel")], null),
            """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"""));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("gem", stream: true), streamResponse: true);

        var text = await GatewayRequests.ReadAbandonedAsync(response);
        var data = GatewayRequests.SseData(text);
        Assert.Equal(["", "Hel"], GatewayRequests.ContentDeltas(data));
        var summary = FailureAssert.Parse(data[^1]);
        Assert.Equal("gemini", summary.ProviderFamily);
        Assert.Equal("upstream_server_error", summary.Code);
        Assert.Equal(response.Headers.GetValues("X-Correlation-Id").Single(), summary.CorrelationId);
        Assert.DoesNotContain("overloaded", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_EndsWithoutFinishReason_IsAFailedStream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteStreamAsync(c, GeminiWire.Response([GeminiWire.Text("Hel")], null)));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("gem", stream: true), streamResponse: true);

        var data = GatewayRequests.SseData(await GatewayRequests.ReadAbandonedAsync(response));
        Assert.Equal(["", "Hel"], GatewayRequests.ContentDeltas(data));
        var summary = FailureAssert.Parse(data[^1]);
        Assert.Equal("upstream_invalid_response", summary.Code);
        Assert.Contains("finishReason", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_BlockedPromptInFirstChunk_Is400ContentPolicy_BeforeAnyByte()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteStreamAsync(c,
            new { promptFeedback = new { blockReason = "SAFETY" }, usageMetadata = GeminiWire.Usage(9, 0), modelVersion = GeminiWire.Model }));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gem","stream":true,"messages":[{"role":"user","content":"bad"}]}"""));

        var summary = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", "content_policy_violation");
        Assert.Contains("SAFETY", summary.Message, StringComparison.Ordinal);
        Assert.Single(upstream.Requests);
    }
}
