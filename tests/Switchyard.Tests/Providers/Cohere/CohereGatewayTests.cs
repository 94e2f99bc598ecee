using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Cohere;

/// <summary>The Cohere adapter end to end: real gateway, a fake Cohere v2 API on a real socket that checks the Bearer key.</summary>
public sealed class CohereGatewayTests
{
    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream, string key = CohereWire.Key)
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: command
                litellm_params:
                  model: cohere/command-r-plus-08-2024
                  api_key: {{key}}
                  api_base: {{upstream.BaseUrl}}
              - model_name: bare
                litellm_params:
                  model: command-r-08-2024
                  api_key: {{key}}
                  api_base: {{upstream.BaseUrl}}
              - model_name: embed
                litellm_params:
                  model: cohere/embed-english-v3.0
                  api_key: {{key}}
                  api_base: {{upstream.BaseUrl}}
            """);

    [Fact]
    public async Task Chat_NonStream_ThroughV2Chat_TranslatedBothWays()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteChatAsync(c, "Hi there", "MAX_TOKENS", usage: CohereWire.Usage(71, 4)));
        await using var gw = await StartAsync(upstream);

#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; the wire field is stable
        var options = new ChatCompletionOptions { Temperature = 0.5f, TopP = 0.9f, MaxOutputTokenCount = 100, StopSequences = { "###" }, Seed = 7 };
#pragma warning restore OPENAI001
        var completion = (await gw.Chat("command").CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Hello"), new AssistantChatMessage("Hi."), new UserChatMessage("Again")], options)).Value;

        Assert.Equal("Hi there", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(71, completion.Usage.InputTokenCount);
        Assert.Equal(4, completion.Usage.OutputTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v2/chat", sent.PathAndQuery);
        var body = CohereWire.Body(sent);
        Assert.Equal("command-r-plus-08-2024", body.GetProperty("model").GetString());
        Assert.False(body.GetProperty("stream").GetBoolean());
        Assert.Equal("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi."},{"role":"user","content":"Again"}]""",
            body.GetProperty("messages").GetRawText());
        Assert.Equal(100, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal(0.9, body.GetProperty("p").GetDouble(), 3);
        Assert.Equal(7, body.GetProperty("seed").GetInt64());
        Assert.Equal("""["###"]""", body.GetProperty("stop_sequences").GetRawText());
        Assert.False(body.TryGetProperty("top_p", out _));
    }

    [Fact]
    public async Task Chat_BareCommandModel_IsACohereDeployment()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteChatAsync(c, "ok"));
        await using var gw = await StartAsync(upstream);

        var completion = (await gw.Chat("bare").CompleteChatAsync([new UserChatMessage("hi")])).Value;

        Assert.Equal("ok", completion.Content[0].Text);
        Assert.Equal("command-r-08-2024", CohereWire.Body(Assert.Single(upstream.Requests)).GetProperty("model").GetString());
    }

    [Fact]
    public async Task Chat_WrongKey_RefusedByTheFake_AsTheGatewaysCredentials()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteChatAsync(c, "never"));
        await using var gw = await StartAsync(upstream, key: "not-the-key");

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"command","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("cohere", error.GetProperty("provider_family").GetString());
        Assert.DoesNotContain("invalid api token", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Bearer not-the-key", Assert.Single(upstream.Requests).Headers["authorization"]);
    }

    [Fact]
    public async Task Chat_Tools_ToolCallAnswer_BecomesToolCalls_AndToolResultsGoBack()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteChatAsync(c, null, "TOOL_CALL",
            [CohereWire.ToolCall("get_weather_x1", "get_weather", """{"city":"Oslo"}""")], toolPlan: "I will look up the weather."));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""
            {"model":"command","messages":[{"role":"user","content":"Weather?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"get_weather_x0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Bergen\"}"}}]},
              {"role":"tool","tool_call_id":"get_weather_x0","content":"rain"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],"tool_choice":"required"}
            """));

        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var choice = answer.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var call = choice.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("get_weather_x1", call.GetProperty("id").GetString());
        Assert.Equal("""{"city":"Oslo"}""", call.GetProperty("function").GetProperty("arguments").GetString());
        var body = CohereWire.Body(Assert.Single(upstream.Requests));
        Assert.Equal("""[{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]""",
            body.GetProperty("tools").GetRawText());
        Assert.Equal("REQUIRED", body.GetProperty("tool_choice").GetString());
        Assert.Equal("""{"role":"assistant","tool_calls":[{"id":"get_weather_x0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Bergen\"}"}}]}""",
            body.GetProperty("messages")[1].GetRawText());
        Assert.Equal("""{"role":"tool","tool_call_id":"get_weather_x0","content":"rain"}""", body.GetProperty("messages")[2].GetRawText());
    }

    [Fact]
    public async Task Chat_Throttled_Is429RateLimited_WithRetryAfter()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteErrorAsync(c, 429, "You are using a Trial key, which is limited to 10 API calls / minute.", retryAfter: "3"));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"command","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(3000, error.GetProperty("retry_after_ms").GetInt64());
        Assert.DoesNotContain("Trial key", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_Cohere422_IsAnInvalidRequest_WithoutCoheresMessage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteErrorAsync(c, 422, "invalid request: temperature must be between 0 and 1"));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"command","temperature":1.5,"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode); // Cohere's status is relayed
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_request", error.GetProperty("code").GetString());
        Assert.DoesNotContain("temperature must be between 0 and 1", error.GetProperty("message").GetString(), StringComparison.Ordinal); // free text never passes on
    }

    [Fact]
    public async Task Messages_NonStream_ThroughV2Chat()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteChatAsync(c, "Bonjour", usage: CohereWire.Usage(80, 3)));
        await using var gw = await StartAsync(upstream);
        var client = new AnthropicClient { ApiKey = GatewayFixture.MasterKey, BaseUrl = gw.BaseUrl, MaxRetries = 0 };

        var message = await client.Messages.Create(new MessageCreateParams { Model = "command", MaxTokens = 50, System = "French.", Messages = [new UserMessageParam("Hello")] });

        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("Bonjour", text.Text);
        Assert.Equal(80, message.Usage.InputTokens);
        var body = CohereWire.Body(Assert.Single(upstream.Requests));
        Assert.Equal("""{"role":"system","content":"French."}""", body.GetProperty("messages")[0].GetRawText());
        Assert.Equal(50, body.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task Stream_V2Events_RelayedAsChunks_WithToolPlanToolCallAndUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteStreamAsync(c,
            CohereWire.Start(),
            CohereWire.Event("tool-plan-delta", new { message = new { tool_plan = "I will check." } }),
            CohereWire.Event("tool-call-start", new { message = new { tool_calls = new { id = "get_weather_7", type = "function", function = new { name = "get_weather", arguments = "" } } } }, 0),
            CohereWire.Event("tool-call-delta", new { message = new { tool_calls = new { function = new { arguments = "{\"city\":" } } } }, 0),
            CohereWire.Event("tool-call-delta", new { message = new { tool_calls = new { function = new { arguments = "\"Oslo\"}" } } } }, 0),
            CohereWire.Event("tool-call-end", index: 0),
            CohereWire.End("TOOL_CALL", CohereWire.Usage(90, 12))));
        await using var gw = await StartAsync(upstream);

        var arguments = new StringBuilder();
        string? callId = null, name = null;
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "Weather now", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}""")) } };
        await foreach (var update in gw.Chat("command").CompleteChatStreamingAsync([new UserChatMessage("Weather in Oslo?")], options))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                callId ??= call.ToolCallId;
                name ??= call.FunctionName;
                arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("get_weather_7", callId);
        Assert.Equal("get_weather", name);
        Assert.Equal("""{"city":"Oslo"}""", arguments.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.NotNull(usage);
        Assert.Equal(90, usage.InputTokenCount);
        Assert.Equal(12, usage.OutputTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v2/chat", sent.PathAndQuery);
        Assert.True(CohereWire.Body(sent).GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task Stream_Text_ThroughMessagesIngress()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteStreamAsync(c,
            CohereWire.Start(),
            CohereWire.Event("content-start", new { message = new { content = new { type = "text", text = "" } } }, 0),
            CohereWire.Text("Bon"),
            CohereWire.Text("jour"),
            CohereWire.Event("content-end", index: 0),
            CohereWire.End("COMPLETE")));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/messages", new StringContent("""{"model":"command","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"Hello"}]}""", Encoding.UTF8, "application/json"));
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("content_block_delta", raw, StringComparison.Ordinal);
        Assert.Contains("\"Bon\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"jour\"", raw, StringComparison.Ordinal);
        Assert.Contains("\"end_turn\"", raw, StringComparison.Ordinal);
        Assert.Contains("message_stop", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_Responses_ThroughV2ChatStream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteStreamAsync(c, CohereWire.Start(), CohereWire.Text("Salut"), CohereWire.End("COMPLETE")));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/responses", new StringContent("""{"model":"command","stream":true,"input":"hi"}"""));
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("response.output_text.delta", raw, StringComparison.Ordinal);
        Assert.Contains("Salut", raw, StringComparison.Ordinal);
        Assert.Contains("response.completed", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_ClosedBeforeMessageEnd_EndsAsTypedFailure_WithoutDone()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteStreamAsync(c, CohereWire.Start(), CohereWire.Text("Hel")));
        await using var gw = await StartAsync(upstream);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("""{"model":"command","stream":true,"messages":[{"role":"user","content":"hi"}]}""") };
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

        Assert.Contains("Hel", raw.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"error\"", raw.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", raw.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_Throttled_Is429BeforeCommit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => CohereWire.WriteErrorAsync(c, 429, "rate limited"));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"command","stream":true,"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal(1000, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("retry_after_ms").GetInt64());
    }

    [Fact]
    public async Task Embeddings_V2Embed_FloatVectors_WithBilledUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified(async (c, r) =>
        {
            var texts = CohereWire.Body(r).GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToArray();
            await c.Response.WriteAsJsonAsync(new
            {
                id = "8a9b3d1c-2f4e-4b6a-9c8d-7e6f5a4b3c2d",
                embeddings = new { @float = texts.Select(t => new[] { t.Length * 0.5, 0.25 }).ToArray() },
                texts,
                meta = new { api_version = new { version = "2" }, billed_units = new { input_tokens = 6 } },
                response_type = "embeddings_by_type",
            });
        });
        await using var gw = await StartAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/embeddings", new StringContent("""{"model":"embed","input":["ab","abcd"],"input_type":"search_query"}""", Encoding.UTF8, "application/json"));
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1.0, answer.GetProperty("data")[0].GetProperty("embedding")[0].GetDouble());
        Assert.Equal(2.0, answer.GetProperty("data")[1].GetProperty("embedding")[0].GetDouble());
        Assert.Equal(6, answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v2/embed", sent.PathAndQuery);
        var body = CohereWire.Body(sent);
        Assert.Equal("search_query", body.GetProperty("input_type").GetString());
        Assert.Equal("""["float"]""", body.GetProperty("embedding_types").GetRawText());
        Assert.Equal("embed-english-v3.0", body.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Embeddings_ThroughTheOpenAISdk_DefaultInputTypeIsSearchDocument()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = CohereWire.Verified((c, _) => c.Response.WriteAsJsonAsync(new
        {
            id = "1", embeddings = new { @float = new[] { new[] { 0.5, -0.25 } } }, texts = new[] { "hello" },
            meta = new { billed_units = new { input_tokens = 1 } }, response_type = "embeddings_by_type",
        }));
        await using var gw = await StartAsync(upstream);

        var embedding = (await gw.Client().GetEmbeddingClient("embed").GenerateEmbeddingAsync("hello")).Value;

        Assert.Equal([0.5f, -0.25f], embedding.ToFloats().ToArray());
        Assert.Equal("search_document", CohereWire.Body(Assert.Single(upstream.Requests)).GetProperty("input_type").GetString());
    }
}
