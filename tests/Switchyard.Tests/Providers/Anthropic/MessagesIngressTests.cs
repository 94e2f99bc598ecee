using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Anthropic;

/// <summary>
/// <c>POST /v1/messages</c> end to end with the official Anthropic .NET SDK: passed through to Anthropic deployments,
/// translated both ways for OpenAI ones, failures in Anthropic's error shape.
/// </summary>
public sealed class MessagesIngressTests
{
    private const string Key = AnthropicGatewayTests.Key;

    /// <summary>The anthropic-version the Anthropic .NET SDK 13.14.0 sends; the gateway forwards it unchanged.</summary>
    private const string SdkVersion = "2026-10-21";

    /// <summary>A fake Messages API that takes any API version (the SDK's is newer than the fake's) and records it.</summary>
    private static Func<HttpContext, RecordedRequest, Task> AnyVersion(Func<HttpContext, RecordedRequest, Task> handler)
        => (c, r) =>
        {
            var headers = new Dictionary<string, string>(r.Headers) { ["anthropic-version"] = AnthropicWire.Version };
            return AnthropicWire.Validated(Key, handler)(c, r with { Headers = headers });
        };

    private static AnthropicClient Sdk(GatewayFixture gw, string key = GatewayFixture.MasterKey)
        => new() { ApiKey = key, BaseUrl = gw.BaseUrl, MaxRetries = 0 };

    private static MessageCreateParams Ask(string model, string text = "Hello") => new()
    {
        Model = model,
        MaxTokens = 256,
        Messages = [new UserMessageParam(text)],
    };

    private static Task<GatewayFixture> OpenAIGatewayAsync(FakeUpstream upstream, string extra = "")
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gpt
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: sk-openai-0001
            """ + extra);

    private static async Task<HttpResponseMessage> PostMessagesAsync(GatewayFixture gw, string json, string path = "/v1/messages", string? xApiKey = GatewayFixture.MasterKey, string? bearer = null, string? beta = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gw.BaseUrl + path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (xApiKey is not null)
        {
            request.Headers.Add("x-api-key", xApiKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        request.Headers.Add("anthropic-version", "2023-06-01");
        if (beta is not null)
        {
            request.Headers.Add("anthropic-beta", beta);
        }

        return await gw.Bare.SendAsync(request);
    }

    [Fact]
    public async Task Native_NonStream_BodyPassedThroughWithOnlyModelSpliced_CachePriced()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, async (c, _) =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("""
                {"id":"msg_01N","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_reason":"end_turn","stop_sequence":null,
                 "content":[{"type":"thinking","thinking":"let me see","signature":"sig-1"},{"type":"text","text":"Bonjour"}],
                 "usage":{"input_tokens":100,"cache_creation_input_tokens":3000,"cache_read_input_tokens":20000,"output_tokens":50,
                          "cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000}}}
                """);
        });
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);
        const string body = """
            {"model":"claude","max_tokens":1024,"thinking":{"type":"enabled","budget_tokens":2000},"top_k":5,
             "system":[{"type":"text","text":"long prompt","cache_control":{"type":"ephemeral","ttl":"1h"}}],
             "messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]},
                         {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}]},
                         {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"42"}]}]}
            """;

        using var response = await PostMessagesAsync(gw, body, beta: "extended-cache-ttl-2025-04-11");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.Equal("thinking", answer.GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal("sig-1", answer.GetProperty("content")[0].GetProperty("signature").GetString());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal(body.Replace("\"model\":\"claude\"", "\"model\":\"claude-sonnet-4-5\"", StringComparison.Ordinal), sent.Body);
        Assert.Equal(Key, sent.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", sent.Headers["anthropic-version"]);
        Assert.Equal("extended-cache-ttl-2025-04-11", sent.Headers["anthropic-beta"]);

        // claude-sonnet-4 list price $3 in / $15 out per million: 100 uncached x 3 + 20,000 reads x 0.3 + 1,000 5m writes x 3.75
        // + 2,000 1h writes x 6 + 50 out x 15, per million = 0.0003 + 0.006 + 0.00375 + 0.012 + 0.00075 = 0.0228
        Assert.Equal("0.0228", response.Headers.GetValues("x-switchyard-response-cost").Single());
    }

    [Fact]
    public async Task Native_Sdk_NonStreamAndStream_CallerVersionForwarded()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnyVersion((c, r) => r.Body.Contains("\"stream\":true", StringComparison.Ordinal)
            ? AnthropicWire.WriteTextStreamAsync(c, "end_turn", "Hel", "lo")
            : AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("Hi there")], input: 12, output: 4, cacheRead: 3));
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);
        var client = Sdk(gw);

        var message = await client.Messages.Create(Ask("claude"));

        Assert.True(message.Content[0].TryPickText(out var block));
        Assert.Equal("Hi there", block.Text);
        Assert.Equal(12, message.Usage.InputTokens);
        Assert.Equal(3, message.Usage.CacheReadInputTokens);

        var pieces = new StringBuilder();
        long? startInput = null;
        await foreach (var e in client.Messages.CreateStreaming(Ask("claude")))
        {
            if (e.TryPickStart(out var start))
            {
                startInput = start.Message.Usage.InputTokens;
            }
            else if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var t))
            {
                pieces.Append(t.Text);
            }
        }

        Assert.Equal("Hello", pieces.ToString());
        Assert.Equal(25, startInput);
        Assert.Equal(2, upstream.Count);
        Assert.All(upstream.Requests, r => Assert.Equal(SdkVersion, r.Headers["anthropic-version"]));
    }

    [Fact]
    public async Task Native_RawStream_EventsRelayedAsSent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteToolStreamAsync(c, "toolu_9", "get_weather", "{\"city\":", "\"Oslo\"}"));
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        using var response = await PostMessagesAsync(gw, """{"model":"claude","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"w?"}]}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var expected = AnthropicWire.MessageStart() + AnthropicWire.TextBlockStart(0) + AnthropicWire.TextDelta(0, "Let me check.") + AnthropicWire.BlockStop(0)
            + AnthropicWire.ToolBlockStart(1, "toolu_9", "get_weather") + AnthropicWire.JsonDelta(1, "") + AnthropicWire.JsonDelta(1, "{\"city\":")
            + AnthropicWire.JsonDelta(1, "\"Oslo\"}") + AnthropicWire.BlockStop(1) + AnthropicWire.Ping() + AnthropicWire.MessageDelta("tool_use", 40) + AnthropicWire.MessageStop();
        Assert.Equal(expected, text);
        Assert.Equal("req_fake03", response.Headers.GetValues("x-request-id").Single()); // the provider's request id, as OpenAI SDKs read it
        Assert.Equal("req_fake03", response.Headers.GetValues("request-id").Single());
    }

    [Fact]
    public async Task Native_Stream_UsageWithCacheReadsSettledAndPriced()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, async (c, _) =>
        {
            await AnthropicWire.StartStreamAsync(c);
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.Ping());
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageStart(input: 25, cacheRead: 1000));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.TextBlockStart(0));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.TextDelta(0, "ok"));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.BlockStop(0));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageDelta("end_turn", 15));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageStop());
        });
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        using var response = await PostMessagesAsync(gw, """{"model":"claude","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith(AnthropicWire.Ping() + AnthropicWire.MessageStart(input: 25, cacheRead: 1000), text, StringComparison.Ordinal);
        var row = (await gw.GetAsync("/spend/logs")).Json[0];
        Assert.Equal(1025, row.GetProperty("prompt_tokens").GetInt32()); // limits count the whole input, cache reads included
        Assert.Equal(15, row.GetProperty("completion_tokens").GetInt32());
        // $3 / $15 per million, reads at 0.1x: 25 x 3 + 1,000 x 0.3 + 15 x 15 = 600 per million
        Assert.Equal(0.0006m, row.GetProperty("spend").GetDecimal());
    }

    [Fact]
    public async Task Translated_Sdk_NonStream_ToolUseFromOpenAIToolCall()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("""
                {"id":"chatcmpl-7","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,
                 "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
                 "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":40,"completion_tokens":9,"total_tokens":49}}
                """);
        };
        await using var gw = await OpenAIGatewayAsync(upstream);

        using var response = await PostMessagesAsync(gw, """
            {"model":"gpt","max_tokens":100,"system":"Be brief.","tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "messages":[{"role":"user","content":"Weather in Oslo?"}]}
            """);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tool_use", answer.GetProperty("stop_reason").GetString());
        var use = answer.GetProperty("content")[0];
        Assert.Equal("tool_use", use.GetProperty("type").GetString());
        Assert.Equal("Oslo", use.GetProperty("input").GetProperty("city").GetString());
        Assert.Equal(40, answer.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(9, answer.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        var sent = JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement;
        Assert.Equal("gpt-4o-mini", sent.GetProperty("model").GetString());
        Assert.Equal("system", sent.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal("get_weather", sent.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Translated_Sdk_Stream_TextAndToolCalls_UsageInStartAndDelta()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, r) =>
        {
            await OpenAIWire.StartStreamAsync(c);
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("Checking"));
            await OpenAIWire.WriteRawAsync(c, "data: " + """{"id":"chatcmpl-fake1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_5","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}""" + "\n\n");
            await OpenAIWire.WriteRawAsync(c, "data: " + """{"id":"chatcmpl-fake1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Rome\"}"}}]},"finish_reason":null}]}""" + "\n\n");
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk(null, "tool_calls"));
            Assert.Contains("\"include_usage\":true", r.Body, StringComparison.Ordinal);
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.UsageChunk(33, 7));
            await OpenAIWire.WriteRawAsync(c, "data: [DONE]\n\n");
        };
        await using var gw = await OpenAIGatewayAsync(upstream);
        var client = Sdk(gw);

        var text = new StringBuilder();
        var json = new StringBuilder();
        long startInput = 0, finalOutput = 0;
        string? stop = null, toolName = null;
        await foreach (var e in client.Messages.CreateStreaming(Ask("gpt", "Weather in Rome?")))
        {
            if (e.TryPickStart(out var start))
            {
                startInput = start.Message.Usage.InputTokens;
            }
            else if (e.TryPickContentBlockStart(out var blockStart) && blockStart.ContentBlock.TryPickToolUse(out var tool))
            {
                toolName = tool.Name;
            }
            else if (e.TryPickContentBlockDelta(out var delta))
            {
                if (delta.Delta.TryPickText(out var t))
                {
                    text.Append(t.Text);
                }
                else if (delta.Delta.TryPickInputJson(out var j))
                {
                    json.Append(j.PartialJson);
                }
            }
            else if (e.TryPickDelta(out var messageDelta))
            {
                stop = messageDelta.Delta.StopReason?.ToString();
                finalOutput = messageDelta.Usage.OutputTokens;
            }
        }

        Assert.Equal("Checking", text.ToString());
        Assert.Equal("get_weather", toolName);
        Assert.Equal("{\"city\":\"Rome\"}", json.ToString());
        Assert.True(startInput > 0, "message_start must carry the prompt estimate, not zero");
        Assert.Equal(7, finalOutput);
        Assert.Contains("tool_use", stop, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Translated_ClaudeCodeContextManagement_LeftOutAndNamedInHeader()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "done");
        await using var gw = await OpenAIGatewayAsync(upstream);

        // Claude Code 2.1+ sends context_management on every call (with the context-management beta)
        using var response = await PostMessagesAsync(gw, """
            {"model":"gpt","max_tokens":10,"context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},
             "messages":[{"role":"user","content":"x"}]}
            """, beta: "context-management-2025-06-27");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", JsonDocument.Parse(body).RootElement.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("context_management", response.Headers.GetValues("x-switchyard-dropped-params").Single());
        Assert.True(upstream.Requests.TryPeek(out var sent));
        Assert.DoesNotContain("context_management", sent.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Translated_UnsupportedParam_400NamingIt_NothingSent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await OpenAIGatewayAsync(upstream);

        using var response = await PostMessagesAsync(gw, """{"model":"gpt","max_tokens":10,"top_k":4,"messages":[{"role":"user","content":"x"}]}""");
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("top_k", error.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task Errors_AnthropicShape_WithSummaryFields()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await OpenAIGatewayAsync(upstream);
        var (limited, _) = await gw.GenerateKeyAsync(new { rpm_limit = 1 });

        var notFound = await Assert.ThrowsAsync<AnthropicNotFoundException>(() => Sdk(gw).Messages.Create(Ask("no-such-alias")));
        var unauthorized = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => Sdk(gw, "sk-wrong-token-000").Messages.Create(Ask("gpt")));
        await Sdk(gw, limited).Messages.Create(Ask("gpt"));
        var limitedError = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => Sdk(gw, limited).Messages.Create(Ask("gpt")));

        Assert.Equal(404, (int)notFound.StatusCode);
        Assert.Equal(401, (int)unauthorized.StatusCode);
        Assert.Equal(429, (int)limitedError.StatusCode);

        using var raw = await PostMessagesAsync(gw, """{"model":"no-such-alias","max_tokens":5,"messages":[{"role":"user","content":"x"}]}""");
        var body = JsonDocument.Parse(await raw.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("not_found_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("model_not_found", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(raw.Headers.GetValues("x-correlation-id").Single(), body.GetProperty("error").GetProperty("correlation_id").GetString());

        using var limitedRaw = await PostMessagesAsync(gw, """{"model":"gpt","max_tokens":5,"messages":[{"role":"user","content":"x"}]}""", xApiKey: limited);
        var limitedBody = JsonDocument.Parse(await limitedRaw.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedRaw.StatusCode);
        Assert.Equal("rate_limit_error", limitedBody.GetProperty("type").GetString());
        Assert.True(limitedBody.GetProperty("retry_after_ms").GetInt64() > 0);
        Assert.True(limitedRaw.Headers.RetryAfter is not null);
        Assert.Equal("gpt", limitedBody.GetProperty("route").GetString());
    }

    [Fact]
    public async Task Auth_XApiKeyAndBearer_BothAccepted()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await OpenAIGatewayAsync(upstream);
        const string body = """{"model":"gpt","max_tokens":5,"messages":[{"role":"user","content":"x"}]}""";

        using var byKey = await PostMessagesAsync(gw, body);
        using var byBearer = await PostMessagesAsync(gw, body, xApiKey: null, bearer: GatewayFixture.MasterKey);
        using var none = await PostMessagesAsync(gw, body, xApiKey: null);

        Assert.Equal(HttpStatusCode.OK, byKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byBearer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("authentication_error", JsonDocument.Parse(await none.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Native_MidStreamBreak_SdkStreamingThrows()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnyVersion(async (c, _) =>
        {
            await AnthropicWire.StartStreamAsync(c);
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageStart());
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.TextBlockStart(0));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.TextDelta(0, "half an ans"));
            // the body ends here, without message_stop (a reset instead could discard the unread events before the
            // gateway commits, which would make this a plain 502)
        });
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);
        var received = new StringBuilder();

        var thrown = await Record.ExceptionAsync(async () =>
        {
            await foreach (var e in Sdk(gw).Messages.CreateStreaming(Ask("claude")))
            {
                if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var t))
                {
                    received.Append(t.Text);
                }
            }
        });

        // the SDK raises the gateway's typed error event (it may not have handed out the events just before it)
        var sse = Assert.IsType<AnthropicSseException>(thrown);
        Assert.Contains("\"type\":\"api_error\"", sse.Message, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"upstream_invalid_response\"", sse.Message, StringComparison.Ordinal);
        Assert.True(received.Length is 0 or 11, received.ToString());
    }

    [Fact]
    public async Task CountTokens_AnthropicDeploymentCounts_OtherwiseEstimate()
    {
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.Handler = async (c, r) =>
        {
            Assert.Equal("/v1/messages/count_tokens", r.PathAndQuery);
            Assert.Equal(Key, r.Headers["x-api-key"]);
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("""{"input_tokens":1234}""");
        };
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(anthropic);
        await using var openai = await FakeUpstream.StartAsync();
        await using var gw2 = await OpenAIGatewayAsync(openai);
        const string body = """{"model":"{M}","messages":[{"role":"user","content":"how many tokens is this sentence?"}]}""";

        using var counted = await PostMessagesAsync(gw, body.Replace("{M}", "claude", StringComparison.Ordinal), "/v1/messages/count_tokens");
        using var estimated = await PostMessagesAsync(gw2, body.Replace("{M}", "gpt", StringComparison.Ordinal), "/v1/messages/count_tokens");
        using var unknown = await PostMessagesAsync(gw2, body.Replace("{M}", "nope", StringComparison.Ordinal), "/v1/messages/count_tokens");

        Assert.Equal("""{"input_tokens":1234}""", await counted.Content.ReadAsStringAsync());
        Assert.Equal("provider", counted.Headers.GetValues("x-switchyard-token-count").Single());
        Assert.Equal("claude-sonnet-4-5", JsonDocument.Parse(Assert.Single(anthropic.Requests).Body).RootElement.GetProperty("model").GetString());
        var estimate = JsonDocument.Parse(await estimated.Content.ReadAsStringAsync()).RootElement.GetProperty("input_tokens").GetInt64();
        Assert.InRange(estimate, 8, 60);
        Assert.Equal("estimate", estimated.Headers.GetValues("x-switchyard-token-count").Single());
        Assert.Equal(0, openai.Count);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
