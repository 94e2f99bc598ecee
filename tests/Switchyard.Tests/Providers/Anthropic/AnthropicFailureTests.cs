using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Anthropic;

/// <summary>Anthropic failures through the gateway: classification, retries and fallbacks, stream breaks, secrecy.</summary>
public sealed class AnthropicFailureTests
{
    private const string Key = AnthropicGatewayTests.Key;

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(GatewayFixture gw, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        using var response = await gw.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var (text, broken) = await GatewayRequests.ReadAllAsync(response);

        // a stream that broke after its first byte ends with its error event and then as a failed transfer
        Assert.Equal(broken, text.Contains("\"error\"", StringComparison.Ordinal) && response.StatusCode == HttpStatusCode.OK);
        return (response.StatusCode, text);
    }

    private static JsonElement Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error");

    /// <summary>The SSE events of a raw stream body, as their data payloads.</summary>
    private static string[] Events(string body)
        => body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.StartsWith("data: ", StringComparison.Ordinal) ? e[6..] : e).ToArray();

    [Fact]
    public async Task Overloaded529_IsRetriedThenFallsBackToOpenAIGroup()
    {
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var openai = await FakeUpstream.StartAsync();
        anthropic.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteErrorAsync(c, 529, "overloaded_error", "Overloaded"));
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(anthropic, $$"""

              - model_name: gpt
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{openai.BaseUrl}}/v1
            router_settings:
              num_retries: 1
              fallbacks:
                - claude: [gpt]
            """);

        var result = await gw.Chat("claude").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("hello from fake", result.Value.Content[0].Text);
        Assert.Equal(2, anthropic.Count);
        Assert.Equal(1, openai.Count);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-switchyard-attempts", out var attempts));
        Assert.Equal("3", attempts);
    }

    [Fact]
    public async Task AllAttemptsFail_SummaryNamesAnthropicAndHonoursRetryAfter()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteErrorAsync(c, 529, "overloaded_error", "Overloaded: upstream-private-detail", TimeSpan.FromSeconds(7)));
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        var (status, body) = await PostAsync(gw, "/v1/chat/completions", """{"model":"claude","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadGateway, status);
        var error = Error(body);
        Assert.Equal("anthropic", error.GetProperty("provider_family").GetString());
        Assert.Equal("upstream_server_error", error.GetProperty("code").GetString());
        Assert.Equal("claude", error.GetProperty("route").GetString());
        Assert.InRange(error.GetProperty("retry_after_ms").GetInt64(), 1, 7000);
        Assert.Contains("529", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("upstream-private-detail", body, StringComparison.Ordinal);
        Assert.Equal(1, upstream.Count); // Retry-After beyond the retry cap: no second try on the same deployment
    }

    [Fact]
    public async Task PromptTooLong_IsContextWindowExceeded()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteErrorAsync(c, 400, "invalid_request_error", "prompt is too long: 215000 tokens > 200000 maximum"));
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        var (status, body) = await PostAsync(gw, "/v1/chat/completions", """{"model":"claude","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("context_length_exceeded", Error(body).GetProperty("code").GetString());
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task MidStreamErrorEvent_EndsClientStreamWithOneErrorEvent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, async (c, _) =>
        {
            await AnthropicWire.StartStreamAsync(c);
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageStart());
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.TextBlockStart(0));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.TextDelta(0, "Hel"));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.Error("overloaded_error", "Overloaded: upstream-private-detail"));
        });
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        var (status, body) = await PostAsync(gw, "/v1/chat/completions", """{"model":"claude","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var events = Events(body);
        Assert.Equal(3, events.Length);
        Assert.Equal("assistant", JsonDocument.Parse(events[0]).RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("Hel", JsonDocument.Parse(events[1]).RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        var error = Error(events[2]);
        Assert.Equal("anthropic", error.GetProperty("provider_family").GetString());
        Assert.Equal("upstream_server_error", error.GetProperty("code").GetString());
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
        Assert.DoesNotContain("upstream-private-detail", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamWithoutMessageStop_EndsWithInvalidResponseErrorEvent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, async (c, _) =>
        {
            await AnthropicWire.StartStreamAsync(c);
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageStart() + AnthropicWire.TextBlockStart(0) + AnthropicWire.TextDelta(0, "cut"));
        });
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        var (_, body) = await PostAsync(gw, "/v1/chat/completions", """{"model":"claude","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal("upstream_invalid_response", Error(Events(body)[^1]).GetProperty("code").GetString());
    }

    [Fact]
    public async Task StreamIdleBeyondTimeout_EndsWithTimeoutErrorEvent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, async (c, _) =>
        {
            await AnthropicWire.StartStreamAsync(c);
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageStart() + AnthropicWire.Ping());
            await Task.Delay(TimeSpan.FromSeconds(5), c.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5
                  api_base: {{upstream.BaseUrl}}
                  api_key: {{Key}}
                  timeout: 300ms
                  stream_timeout: 5s
            """);

        var (_, body) = await PostAsync(gw, "/v1/chat/completions", """{"model":"claude","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        var events = Events(body);
        Assert.Equal(2, events.Length);
        Assert.Equal("upstream_timeout", Error(events[1]).GetProperty("code").GetString());
    }

    [Fact]
    public async Task StreamStalledBeforeMessageStart_FallsBackBeforeAnythingReachesTheCaller()
    {
        await using var anthropic = await FakeUpstream.StartAsync();
        await using var openai = await FakeUpstream.StartAsync();
        anthropic.Handler = AnthropicWire.Validated(Key, async (c, _) =>
        {
            await AnthropicWire.StartStreamAsync(c);
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.Ping());
            await Task.Delay(TimeSpan.FromSeconds(5), c.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        openai.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "from ", "fallback");
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5
                  api_base: {{anthropic.BaseUrl}}
                  api_key: {{Key}}
                  stream_timeout: 300ms
              - model_name: gpt
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{openai.BaseUrl}}/v1
            router_settings:
              num_retries: 0
              fallbacks:
                - claude: [gpt]
            """);

        var text = "";
        await foreach (var update in gw.Chat("claude").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
        }

        Assert.Equal("from fallback", text);
        Assert.Equal(1, anthropic.Count);
    }

    [Fact]
    public async Task RawStream_WithoutIncludeUsage_HasNoUsageChunkAndEndsWithDone()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteTextStreamAsync(c, "max_tokens", "a", "b"));
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        var (_, body) = await PostAsync(gw, "/v1/chat/completions", """{"model":"claude","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        var events = Events(body);
        Assert.Equal(["", "a", "b"], events[..3].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));
        Assert.Equal("length", JsonDocument.Parse(events[3]).RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("[DONE]", events[4]);
        Assert.Equal(5, events.Length);
        Assert.DoesNotContain("\"usage\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_RoutedToAnthropic_IsCallerError400WithoutUpstreamCall()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        var (status, body) = await PostAsync(gw, "/v1/embeddings", """{"model":"claude","input":"hello"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Error(body);
        Assert.Equal("operation_not_supported", error.GetProperty("code").GetString());
        Assert.Equal("anthropic", error.GetProperty("provider_family").GetString());
        Assert.Contains("no embeddings API", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task InvalidToolArguments_IsCallerError400NamingTheField()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        var (status, body) = await PostAsync(gw, "/v1/chat/completions", """
            {"model":"claude","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":"w","arguments":"{oops"}}]},{"role":"tool","tool_call_id":"a","content":"r"}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("messages[1].tool_calls", Error(body).GetProperty("param").GetString());
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task ProviderKey_IsSentAsXApiKey_AndNeverReachesResponsesOrLogs()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var round = 0;
        upstream.Handler = AnthropicWire.Validated(Key, async (c, _) =>
        {
            switch (Interlocked.Increment(ref round))
            {
                case 1:
                    await AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("fine")]);
                    break;
                case 2:
                    await AnthropicWire.WriteErrorAsync(c, 401, "authentication_error", "invalid x-api-key " + Key);
                    break;
                default:
                    await AnthropicWire.StartStreamAsync(c);
                    await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageStart() + AnthropicWire.Error("api_error", "internal: key " + Key));
                    break;
            }
        });
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream, "\nrouter_settings:\n  num_retries: 0\n");
        const string chat = """{"model":"claude","messages":[{"role":"user","content":"hi"}]}""";

        var ok = await PostAsync(gw, "/v1/chat/completions", chat);
        var denied = await PostAsync(gw, "/v1/chat/completions", chat);
        var broken = await PostAsync(gw, "/v1/chat/completions", chat.Replace("\"messages\"", "\"stream\":true,\"messages\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(HttpStatusCode.BadGateway, denied.Status);
        Assert.Equal("upstream_auth_failed", Error(denied.Body).GetProperty("code").GetString());
        Assert.Equal("upstream_server_error", Error(Events(broken.Body)[^1]).GetProperty("code").GetString());
        Assert.All(upstream.Requests, r => Assert.Equal(Key, r.Headers["x-api-key"]));
        Assert.DoesNotContain(Key, ok.Body + denied.Body + broken.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, gw.Logs.All, StringComparison.Ordinal);
        Assert.NotEmpty(gw.Logs.Lines);
    }

    [Fact]
    public async Task SdkSeesUpstreamAuthFailureAsBadGateway()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated("sk-ant-some-other-key", (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("never")]));
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        var e = await Assert.ThrowsAsync<ClientResultException>(() => gw.Chat("claude").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(502, e.Status);
        Assert.Equal(1, upstream.Count);
    }
}
