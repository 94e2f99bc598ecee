using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Bedrock;

/// <summary>The Bedrock adapter end to end: real gateway, a fake Bedrock runtime on a real socket that verifies SigV4.</summary>
public sealed class BedrockGatewayTests
{
    private const string ModelId = "anthropic.claude-3-5-sonnet-20240620-v1:0";

    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream, string model = "bedrock/converse/" + ModelId)
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: {{model}}
                  aws_access_key_id: {{BedrockWire.AccessKey}}
                  aws_secret_access_key: {{BedrockWire.Secret}}
                  aws_region_name: {{BedrockWire.Region}}
                  aws_bedrock_runtime_endpoint: {{upstream.BaseUrl}}
              - model_name: titan
                litellm_params:
                  model: amazon.titan-embed-text-v2:0
                  aws_access_key_id: {{BedrockWire.AccessKey}}
                  aws_secret_access_key: {{BedrockWire.Secret}}
                  aws_region_name: {{BedrockWire.Region}}
                  api_base: {{upstream.BaseUrl}}
            """);

    [Fact]
    public async Task Chat_NonStream_SignedConverse_TranslatedBothWays()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => BedrockWire.WriteConverseAsync(c,
            [new { text = "Hi " }, new { text = "there" }], usage: BedrockWire.Usage(30, 4, cacheRead: 10)));
        await using var gw = await StartAsync(upstream);

        var completion = (await gw.Chat("claude").CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Hello"), new AssistantChatMessage("Hi."), new UserChatMessage("Again")],
            new ChatCompletionOptions { Temperature = 0.5f, MaxOutputTokenCount = 100, StopSequences = { "###" } })).Value;

        Assert.Equal("Hi there", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(40, completion.Usage.InputTokenCount);
        Assert.Equal(10, completion.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(4, completion.Usage.OutputTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse", sent.PathAndQuery);
        Assert.Contains($"Credential={BedrockWire.AccessKey}/", sent.Headers["authorization"], StringComparison.Ordinal);
        var body = BedrockWire.Body(sent);
        Assert.Equal("""[{"text":"Be brief."}]""", body.GetProperty("system").GetRawText());
        Assert.Equal("""[{"role":"user","content":[{"text":"Hello"}]},{"role":"assistant","content":[{"text":"Hi."}]},{"role":"user","content":[{"text":"Again"}]}]""",
            body.GetProperty("messages").GetRawText());
        Assert.Equal(100, body.GetProperty("inferenceConfig").GetProperty("maxTokens").GetInt32());
        Assert.Equal("""["###"]""", body.GetProperty("inferenceConfig").GetProperty("stopSequences").GetRawText());
    }

    [Fact]
    public async Task Chat_WrongSecret_RefusedByTheFakesSignatureCheck_AsUpstreamAuth()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => BedrockWire.WriteConverseAsync(c, [new { text = "never" }]));
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: {{ModelId}}
                  aws_access_key_id: {{BedrockWire.AccessKey}}
                  aws_secret_access_key: not-the-secret
                  aws_region_name: {{BedrockWire.Region}}
                  api_base: {{upstream.BaseUrl}}
            """);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"claude","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("bedrock", error.GetProperty("provider_family").GetString());
        Assert.DoesNotContain("signature we calculated", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_Tools_ToolUseAnswer_BecomesToolCalls_AndToolResultsGoBack()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => BedrockWire.WriteConverseAsync(c,
            [new { toolUse = new { toolUseId = "tooluse_1", name = "get_weather", input = new { city = "Oslo" } } }], "tool_use"));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""
            {"model":"claude","messages":[{"role":"user","content":"Weather?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"tooluse_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Bergen\"}"}}]},
              {"role":"tool","tool_call_id":"tooluse_0","content":"rain"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],"tool_choice":"required"}
            """));

        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var choice = answer.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var call = choice.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("tooluse_1", call.GetProperty("id").GetString());
        Assert.Equal("""{"city":"Oslo"}""", call.GetProperty("function").GetProperty("arguments").GetString());
        var body = BedrockWire.Body(Assert.Single(upstream.Requests));
        Assert.Equal("get_weather", body.GetProperty("toolConfig").GetProperty("tools")[0].GetProperty("toolSpec").GetProperty("name").GetString());
        Assert.Equal("""{"any":{}}""", body.GetProperty("toolConfig").GetProperty("toolChoice").GetRawText());
        Assert.Equal("""{"toolUse":{"toolUseId":"tooluse_0","name":"get_weather","input":{"city":"Bergen"}}}""", body.GetProperty("messages")[1].GetProperty("content")[0].GetRawText());
        Assert.Equal("tooluse_0", body.GetProperty("messages")[2].GetProperty("content")[0].GetProperty("toolResult").GetProperty("toolUseId").GetString());
    }

    [Fact]
    public async Task Chat_Throttled_Is429RateLimited_WithRetryAfter()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => BedrockWire.WriteErrorAsync(c, 429, "ThrottlingException", "Too many requests, please wait before trying again.", retryAfter: "3"));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"claude","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(3000, error.GetProperty("retry_after_ms").GetInt64());
        Assert.DoesNotContain("Too many requests, please wait", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_EventStreamFrames_RelayedAsChunks_WithToolCallAndUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => BedrockWire.WriteStreamAsync(c,
            BedrockWire.Event("messageStart", new { role = "assistant" }),
            BedrockWire.Event("contentBlockDelta", new { contentBlockIndex = 0, delta = new { text = "Hel" } }),
            BedrockWire.Event("contentBlockDelta", new { contentBlockIndex = 0, delta = new { text = "lo" } }),
            BedrockWire.Event("contentBlockStop", new { contentBlockIndex = 0 }),
            BedrockWire.Event("messageStop", new { stopReason = "max_tokens" }),
            BedrockWire.Event("metadata", new { usage = BedrockWire.Usage(12, 2), metrics = new { latencyMs = 50 } })));
        await using var gw = await StartAsync(upstream);

        var text = "";
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in gw.Chat("claude").CompleteChatStreamingAsync([new UserChatMessage("hi")], new ChatCompletionOptions()))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("Hello", text);
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.NotNull(usage);
        Assert.Equal(12, usage.InputTokenCount);
        Assert.Equal(2, usage.OutputTokenCount);
        Assert.Equal("/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse-stream", Assert.Single(upstream.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Stream_CorruptedFrame_EndsAsTypedFailure_NotAHang()
    {
        var bad = BedrockWire.Event("contentBlockDelta", new { contentBlockIndex = 0, delta = new { text = "lo" } });
        bad[^6] ^= 0x5A; // a payload byte flipped: the message CRC no longer matches
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => BedrockWire.WriteStreamAsync(c,
            BedrockWire.Event("messageStart", new { role = "assistant" }),
            BedrockWire.Event("contentBlockDelta", new { contentBlockIndex = 0, delta = new { text = "Hel" } }),
            bad,
            BedrockWire.Event("messageStop", new { stopReason = "end_turn" })));
        await using var gw = await StartAsync(upstream);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("""{"model":"claude","stream":true,"messages":[{"role":"user","content":"hi"}]}""") };
        using var response = await gw.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var raw = new StringBuilder();
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                raw.AppendLine(line);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // the transfer is aborted after the error event, as the failure contract says
        }

        Assert.Contains("\"error\"", raw.ToString(), StringComparison.Ordinal);
        Assert.Contains("Hel", raw.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", raw.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"lo\"", raw.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_ThrottlingExceptionFirst_IsRateLimitedBeforeCommit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => BedrockWire.WriteStreamAsync(c, BedrockWire.Exception("throttlingException", "slow down")));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"claude","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("retry_after_ms").GetInt64() > 0);
    }

    [Fact]
    public async Task Messages_NonStream_ThroughConverse()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => BedrockWire.WriteConverseAsync(c, [new { text = "Bonjour" }], usage: BedrockWire.Usage(20, 3)));
        await using var gw = await StartAsync(upstream);
        var client = new AnthropicClient { ApiKey = GatewayFixture.MasterKey, BaseUrl = gw.BaseUrl, MaxRetries = 0 };

        var message = await client.Messages.Create(new MessageCreateParams { Model = "claude", MaxTokens = 50, System = "French.", Messages = [new UserMessageParam("Hello")] });

        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("Bonjour", text.Text);
        Assert.Equal(20, message.Usage.InputTokens);
        var body = BedrockWire.Body(Assert.Single(upstream.Requests));
        Assert.Equal("French.", body.GetProperty("system")[0].GetProperty("text").GetString());
        Assert.Equal(50, body.GetProperty("inferenceConfig").GetProperty("maxTokens").GetInt32());
    }

    [Fact]
    public async Task Responses_Stream_ThroughConverseStream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => BedrockWire.WriteStreamAsync(c,
            BedrockWire.Event("messageStart", new { role = "assistant" }),
            BedrockWire.Event("contentBlockDelta", new { contentBlockIndex = 0, delta = new { text = "Salut" } }),
            BedrockWire.Event("messageStop", new { stopReason = "end_turn" }),
            BedrockWire.Event("metadata", new { usage = BedrockWire.Usage(8, 1) })));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/responses", new StringContent("""{"model":"claude","stream":true,"input":"hi"}"""));
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("response.output_text.delta", raw, StringComparison.Ordinal);
        Assert.Contains("Salut", raw, StringComparison.Ordinal);
        Assert.Contains("response.completed", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_Titan_OneSignedInvokePerInput()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified(async (c, r) =>
        {
            var text = BedrockWire.Body(r).GetProperty("inputText").GetString()!;
            await c.Response.WriteAsJsonAsync(new { embedding = new[] { text.Length * 0.5, 0.25 }, inputTextTokenCount = text.Length });
        });
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/embeddings", new StringContent("""{"model":"titan","input":["ab","abcd"],"dimensions":256}""", Encoding.UTF8, "application/json"));
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1.0, answer.GetProperty("data")[0].GetProperty("embedding")[0].GetDouble());
        Assert.Equal(2.0, answer.GetProperty("data")[1].GetProperty("embedding")[0].GetDouble());
        Assert.Equal(6, answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(2, upstream.Requests.Count);
        Assert.All(upstream.Requests, r => Assert.Equal("/model/amazon.titan-embed-text-v2:0/invoke", r.PathAndQuery));
        Assert.Equal(256, BedrockWire.Body(upstream.Requests.First()).GetProperty("dimensions").GetInt32());
    }
}
