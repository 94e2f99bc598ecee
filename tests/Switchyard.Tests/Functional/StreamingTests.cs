using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class StreamingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static string Single(FakeUpstream upstream, string parameters = "") => $$"""
        model_list:
          - model_name: chat
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{upstream.BaseUrl}}/v1
              {{parameters}}
        router_settings:
          num_retries: 0
        """;

    /// <summary>Reads one SSE event's data (null at the end of the stream).</summary>
    private static async Task<string?> ReadEventAsync(StreamReader reader)
    {
        var data = new StringBuilder();
        while (await reader.ReadLineAsync().WaitAsync(Bound) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    return data.ToString();
                }

                continue;
            }

            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line[5..].TrimStart());
            }
        }

        return data.Length > 0 ? data.ToString() : null;
    }

    private static void AssertSingleErrorEventLast(IReadOnlyList<string> data, string correlationId, string type, string code)
    {
        Assert.Single(data, d => d.Contains("\"error\"", StringComparison.Ordinal));
        Assert.DoesNotContain("[DONE]", data);
        var s = FailureAssert.Parse(data[^1]);
        Assert.Equal(type, s.Type);
        Assert.Equal(code, s.Code);
        Assert.Equal("chat", s.Route);
        Assert.Equal("openai", s.ProviderFamily);
        Assert.Null(s.Param);
        Assert.Equal(Switchyard.Core.Failures.FailureMapping.UpstreamRetryHintMs, s.RetryAfterMs); // a broken stream is retryable: the same short hint as a 502/504 answer
        Assert.Equal(correlationId, s.CorrelationId);
    }

    [Fact]
    public async Task Stream_ChunksRelayedInOrderAsTheyArrive()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Handler = async (c, _) =>
        {
            await OpenAIWire.StartStreamAsync(c);
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("one"));
            await firstSeen.Task.WaitAsync(Bound); // the rest comes only after the caller saw the first chunk
            foreach (var piece in new[] { " two", " three", " four" })
            {
                await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk(piece));
            }

            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk(null, "stop"));
            await OpenAIWire.WriteRawAsync(c, "data: [DONE]\n\n");
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chat", stream: true), streamResponse: true);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = await ReadEventAsync(reader);
        Assert.Equal(["one"], GatewayRequests.ContentDeltas([first!]));
        firstSeen.SetResult();
        var rest = new List<string>();
        while (await ReadEventAsync(reader) is { } e)
        {
            rest.Add(e);
        }

        Assert.Equal([" two", " three", " four"], GatewayRequests.ContentDeltas(rest));
        Assert.Equal("[DONE]", rest[^1]);
        Assert.Equal(5, rest.Count);
    }

    [Fact]
    public async Task Stream_UpstreamResetsAfterFirstByte_EndsWithOneErrorEvent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) =>
        {
            await OpenAIWire.StartStreamAsync(c);
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("Hel"));
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("lo"));
            await Task.Delay(50);
            c.Abort();
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chat", stream: true), streamResponse: true);

        Assert.Equal(200, (int)response.StatusCode);
        var correlationId = response.Headers.GetValues("X-Correlation-Id").Single();
        var data = GatewayRequests.SseData(await GatewayRequests.ReadAbandonedAsync(response));
        Assert.Equal(["Hel", "lo"], GatewayRequests.ContentDeltas(data.Take(2)));
        Assert.Equal(3, data.Count);
        AssertSingleErrorEventLast(data, correlationId, "upstream_error", "upstream_connection_error");
    }

    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 2)]
    public async Task Stream_UpstreamResetsMidEvent_ErrorEventStillParsesOnItsOwn(bool callerAskedForUsage, int expectedEvents)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) =>
        {
            await OpenAIWire.StartStreamAsync(c);
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("Hel"));
            await OpenAIWire.WriteRawAsync(c, "data: {\"id\":\"chatcmpl-fake1\",\"choi");
            await Task.Delay(50);
            c.Abort();
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));
        var request = callerAskedForUsage
            ? """{"model":"chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"ping"}]}"""
            : GatewayRequests.ChatBody("chat", stream: true);

        using var response = await gw.PostAsync("/v1/chat/completions", request, streamResponse: true);

        // Byte relay (the caller set stream_options) passes the broken half event through and closes it with a blank
        // line; event relay (the gateway added include_usage itself, to strip it again) only ever forwards whole events.
        var body = await GatewayRequests.ReadAbandonedAsync(response);
        var data = GatewayRequests.SseData(body);
        Assert.Equal(expectedEvents, data.Count);
        Assert.Contains("Hel", data[0], StringComparison.Ordinal);
        if (callerAskedForUsage)
        {
            Assert.StartsWith("{\"id\":\"chatcmpl-fake1\",\"choi", data[1], StringComparison.Ordinal);
        }

        AssertSingleErrorEventLast(data, response.Headers.GetValues("X-Correlation-Id").Single(), "upstream_error", "upstream_connection_error");
        Assert.EndsWith("\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_EndsWithoutDone_EndsWithOneErrorEvent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) =>
        {
            await OpenAIWire.StartStreamAsync(c);
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("partial"));
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk(null, "stop"));
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chat", stream: true), streamResponse: true);

        var data = GatewayRequests.SseData(await GatewayRequests.ReadAbandonedAsync(response));
        Assert.Equal(3, data.Count);
        AssertSingleErrorEventLast(data, response.Headers.GetValues("X-Correlation-Id").Single(), "upstream_error", "upstream_invalid_response");
        Assert.Contains("[DONE]", FailureAssert.Parse(data[^1]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_StallsAfterFirstByte_IdleTimeoutEndsWithTimeoutEvent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) =>
        {
            await OpenAIWire.StartStreamAsync(c);
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("Hel"));
            await OpenAIWire.HangAsync(c);
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "timeout: 400ms\n      stream_timeout: 10"));

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chat", stream: true), streamResponse: true);

        var data = GatewayRequests.SseData(await GatewayRequests.ReadAbandonedAsync(response).WaitAsync(Bound));
        Assert.Equal(2, data.Count);
        AssertSingleErrorEventLast(data, response.Headers.GetValues("X-Correlation-Id").Single(), "upstream_timeout", "upstream_timeout");
    }

    public static TheoryData<string> Paths => new() { "/v1/chat/completions", "/chat/completions" };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Stream_OpenClawLikeRequest_PassesThroughUntouchedAndRelaysUsage(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "I'll ", "read ", "the file.");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));
        var body = OpenClawBody("router-less", out var size);
        body = body.Replace("\"model\":\"router-less\"", "\"model\":\"chat\"", StringComparison.Ordinal);
        Assert.InRange(size, 55_000, 70_000);

        using var response = await gw.PostAsync(path, body, streamResponse: true);

        Assert.Equal(200, (int)response.StatusCode);
        var data = GatewayRequests.SseData(await response.Content.ReadAsStringAsync());
        Assert.Equal(["I'll ", "read ", "the file."], GatewayRequests.ContentDeltas(data));
        Assert.Equal("[DONE]", data[^1]);
        using (var usage = JsonDocument.Parse(data[^2]))
        {
            Assert.Equal(11, usage.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        }

        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal(body.Replace("\"model\":\"chat\"", "\"model\":\"gpt-4o-mini\"", StringComparison.Ordinal), sent.Body);
    }

    [Fact]
    public async Task Stream_OpenClawLikeRequestThroughSdk_ToolsAndUsageArrive()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "ok");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 4096 };
        for (var i = 0; i < 12; i++)
        {
            options.Tools.Add(ChatTool.CreateFunctionTool($"tool_{i}", $"Tool number {i}", BinaryData.FromString(
                """{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}""")));
        }

        var text = "";
        ChatTokenUsage? usage = null;
        await foreach (var update in gw.Chat("chat").CompleteChatStreamingAsync(
            [new SystemChatMessage(new string('s', 50_000)), new UserChatMessage("read README.md")], options))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
        }

        Assert.Equal("ok", text);
        Assert.Equal(11, usage?.InputTokenCount);
        var sent = JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement;
        Assert.Equal(12, sent.GetProperty("tools").GetArrayLength());
        Assert.Equal(4096, sent.GetProperty("max_completion_tokens").GetInt32());
        Assert.True(sent.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    /// <summary>A request shaped like OpenClaw's: a long system prompt, history, a dozen tools, streaming with usage.</summary>
    private static string OpenClawBody(string model, out int size)
    {
        var tools = Enumerable.Range(0, 12).Select(i => new Dictionary<string, object>
        {
            ["type"] = "function",
            ["function"] = new Dictionary<string, object>
            {
                ["name"] = $"tool_{i}",
                ["description"] = $"Tool {i}: " + new string('d', 300),
                ["parameters"] = new
                {
                    type = "object",
                    properties = new Dictionary<string, object> { ["path"] = new { type = "string" }, ["limit"] = new { type = "integer" } },
                    required = new[] { "path" },
                },
            },
        }).ToArray();
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = model,
            ["messages"] = new object[]
            {
                new { role = "system", content = "You are a coding agent. " + new string('x', 50_000) },
                new { role = "user", content = "Read the README and summarise it. ünïcødé ✓" },
                new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name = "tool_0", arguments = "{\"path\":\"README.md\"}" } } } },
                new { role = "tool", tool_call_id = "call_1", content = new string('r', 4_000) },
            },
            ["tools"] = tools,
            ["tool_choice"] = "auto",
            ["max_completion_tokens"] = 4096,
            ["stream"] = true,
            ["stream_options"] = new { include_usage = true },
            ["temperature"] = 0.2,
        });
        size = Encoding.UTF8.GetByteCount(body);
        return body;
    }
}
