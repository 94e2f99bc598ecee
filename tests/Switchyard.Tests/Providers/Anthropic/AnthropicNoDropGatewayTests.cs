using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Anthropic;

/// <summary>
/// A mixed group (an OpenAI deployment and an Anthropic one) never answers a request with parameters Anthropic cannot
/// honour by silently ignoring them: OpenAI answers while it is up; when it is down the caller gets a 400
/// unsupported_value naming the parameter. What Anthropic can honour (structured output) is translated, and the
/// fallback's answer is the JSON the caller asked for. OpenAI's 503 carries Retry-After, so it cools down and the
/// group's next try goes to the Anthropic deployment (order 2) at once.
/// </summary>
public sealed class AnthropicNoDropGatewayTests
{
    private const string Key = AnthropicGatewayTests.Key;

    private static Task<GatewayFixture> StartMixedAsync(FakeUpstream openai, FakeUpstream anthropic, int openaiOrder = 1, int anthropicOrder = 2, string anthropicExtra = "")
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: mixed
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{openai.BaseUrl}}/v1
                  api_key: sk-openai-fake
                  order: {{openaiOrder}}
              - model_name: mixed
                litellm_params:
                  model: anthropic/claude-sonnet-4-5
                  api_base: {{anthropic.BaseUrl}}
                  api_key: {{Key}}
                  order: {{anthropicOrder}}{{anthropicExtra}}
            router_settings:
              num_retries: 1
              retry_after: 0
            switchyard:
              retry: { base_delay: 1ms, max_delay: 5ms }
            """);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task OpenAIDown_LogprobsRequest_Is400UnsupportedValueNamingIt_NotAnAnthropicAnswer()
    {
        await using var openai = await FakeUpstream.StartAsync();
        openai.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 503, "overloaded", retryAfter: TimeSpan.FromSeconds(30));
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("no logprobs here")]));
        await using var gw = await StartMixedAsync(openai, anthropic);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", Json("""{"model":"mixed","messages":[{"role":"user","content":"hi"}],"logprobs":true,"top_logprobs":2}"""));

        var summary = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", "unsupported_value");
        Assert.Equal("logprobs", summary.Param);
        Assert.Equal("anthropic", summary.ProviderFamily);
        Assert.Equal("mixed", summary.Route);
        Assert.Contains("logprobs", summary.Message, StringComparison.Ordinal);
        Assert.Equal(0, anthropic.Count);
        Assert.True(openai.Count >= 1);
    }

    [Fact]
    public async Task AnthropicFirst_LogprobsRequest_IsAnsweredByOpenAI()
    {
        await using var openai = await FakeUpstream.StartAsync();
        openai.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "with logprobs");
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("wrong")]));
        await using var gw = await StartMixedAsync(openai, anthropic, openaiOrder: 2, anthropicOrder: 1);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", Json("""{"model":"mixed","messages":[{"role":"user","content":"hi"}],"seed":7}"""));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("with logprobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("x-switchyard-dropped-params"));
        Assert.Equal(0, anthropic.Count);
        Assert.Contains("\"seed\":7", Assert.Single(openai.Requests).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropParams_OnTheAnthropicDeployment_DropsAndAnswers()
    {
        await using var openai = await FakeUpstream.StartAsync();
        openai.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 503, "overloaded", retryAfter: TimeSpan.FromSeconds(30));
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("fine")]));
        await using var gw = await StartMixedAsync(openai, anthropic, anthropicExtra: "\n      drop_params: true");

        using var response = await gw.Http.PostAsync("/v1/chat/completions", Json("""{"model":"mixed","messages":[{"role":"user","content":"hi"}],"logprobs":true,"seed":3}"""));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("logprobs,seed", Assert.Single(response.Headers.GetValues("x-switchyard-dropped-params")));
        Assert.Equal("""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"hi"}]}""", Assert.Single(anthropic.Requests).Body);
    }

    private static string AliasConfig(FakeUpstream anthropic, string alias) => $$"""
        model_list:
          - model_name: claude
            litellm_params:
              model: anthropic/claude-sonnet-4-5
              api_base: {{anthropic.BaseUrl}}
              api_key: {{Key}}
        router_settings:
          model_group_alias:
            claude-strict: claude
        switchyard:
          aliases:
            claude-loose: {{alias}}
        """;

    [Fact]
    public async Task AliasDropParams_DropsThroughTheAlias_GroupNameStillRefuses()
    {
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("fine")]));
        await using var gw = await GatewayFixture.StartAsync(AliasConfig(anthropic, "{model: claude, drop_params: true}"));
        static string Body(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}],"logprobs":true,"seed":3,"temperature":0.2}""";

        using var loose = await gw.Http.PostAsync("/v1/chat/completions", Json(Body("claude-loose")));

        Assert.Equal(200, (int)loose.StatusCode);
        Assert.Equal("logprobs,seed", Assert.Single(loose.Headers.GetValues("x-switchyard-dropped-params")));
        Assert.Contains("fine", await loose.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"hi"}],"temperature":0.2}""", Assert.Single(anthropic.Requests).Body);

        foreach (var name in (string[])["claude", "claude-strict"])
        {
            using var strict = await gw.Http.PostAsync("/v1/chat/completions", Json(Body(name)));

            var summary = await FailureAssert.ReadAsync(strict, 400, "invalid_request_error", "unsupported_value");
            Assert.Equal("logprobs", summary.Param);
            Assert.Equal(name, summary.Route);
            Assert.False(strict.Headers.Contains("x-switchyard-dropped-params"));
        }

        Assert.Single(anthropic.Requests);
    }

    [Fact]
    public async Task AliasDropParams_Reload_TurnsTheOptInOnAndOff()
    {
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("fine")]));
        await using var gw = await GatewayFixture.StartFromFileAsync(AliasConfig(anthropic, "claude"));
        var body = """{"model":"claude-loose","messages":[{"role":"user","content":"hi"}],"presence_penalty":0.5}""";

        using (var before = await gw.Http.PostAsync("/v1/chat/completions", Json(body)))
        {
            Assert.Equal("presence_penalty", (await FailureAssert.ReadAsync(before, 400, "invalid_request_error", "unsupported_value")).Param);
        }

        gw.WriteConfig(AliasConfig(anthropic, "{model: claude, drop_params: true}"));
        var reload = await gw.PostAsync("/config/reload", (object)"");
        Assert.True(reload.Status == 200, reload.ToString());
        using (var on = await gw.Http.PostAsync("/v1/chat/completions", Json(body)))
        {
            Assert.Equal(200, (int)on.StatusCode);
            Assert.Equal("presence_penalty", Assert.Single(on.Headers.GetValues("x-switchyard-dropped-params")));
        }

        gw.WriteConfig(AliasConfig(anthropic, "{model: claude, drop_params: false}"));
        reload = await gw.PostAsync("/config/reload", (object)"");
        Assert.True(reload.Status == 200, reload.ToString());
        using (var off = await gw.Http.PostAsync("/v1/chat/completions", Json(body)))
        {
            Assert.Equal("presence_penalty", (await FailureAssert.ReadAsync(off, 400, "invalid_request_error", "unsupported_value")).Param);
        }

        Assert.Equal("""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"hi"}]}""", Assert.Single(anthropic.Requests).Body);
    }

    [Fact]
    public async Task OpenAIDown_JsonSchema_AnthropicFallbackAnswersTheJsonAsText()
    {
        await using var openai = await FakeUpstream.StartAsync();
        openai.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 503, "overloaded", retryAfter: TimeSpan.FromSeconds(30));
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(c,
            [AnthropicWire.ToolUse("toolu_01", "city_weather", new { city = "Paris", celsius = 18 })], stopReason: "tool_use"));
        await using var gw = await StartMixedAsync(openai, anthropic);
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("city_weather", BinaryData.FromString("""
                {"type":"object","properties":{"city":{"type":"string"},"celsius":{"type":"integer"}},"required":["city","celsius"],"additionalProperties":false}
                """), jsonSchemaIsStrict: true),
        };

        var completion = (await gw.Chat("mixed").CompleteChatAsync([new UserChatMessage("Weather in Paris?")], options)).Value;

        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Empty(completion.ToolCalls);
        using var answer = JsonDocument.Parse(completion.Content[0].Text);
        Assert.Equal("Paris", answer.RootElement.GetProperty("city").GetString());
        Assert.Equal(18, answer.RootElement.GetProperty("celsius").GetInt32());
        Assert.Equal(
            """{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"Weather in Paris?"}],"tools":[{"name":"city_weather","description":"Give the final answer by calling this tool; its input is the answer and must match the schema.","input_schema":{"type":"object","properties":{"city":{"type":"string"},"celsius":{"type":"integer"}},"required":["city","celsius"],"additionalProperties":false}}],"tool_choice":{"type":"tool","name":"city_weather"}}""",
            Assert.Single(anthropic.Requests).Body);
    }

    [Fact]
    public async Task Streaming_JsonObject_ArrivesAsContentDeltas()
    {
        await using var anthropic = await FakeUpstream.StartAsync();
        anthropic.Handler = AnthropicWire.Validated(Key, async (c, _) =>
        {
            await AnthropicWire.StartStreamAsync(c);
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageStart());
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.ToolBlockStart(0, "toolu_02", "json_response"));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.JsonDelta(0, "{\"ok\": "));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.JsonDelta(0, "true}"));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.BlockStop(0));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageDelta("tool_use", 9));
            await AnthropicWire.WriteRawAsync(c, AnthropicWire.MessageStop());
        });
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(anthropic);

        var text = "";
        ChatFinishReason? finish = null;
        var toolUpdates = 0;
        await foreach (var update in gw.Chat("claude").CompleteChatStreamingAsync([new UserChatMessage("ok?")], new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat() }))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            toolUpdates += update.ToolCallUpdates.Count;
            finish ??= update.FinishReason;
        }

        Assert.Equal("{\"ok\": true}", text);
        Assert.Equal(0, toolUpdates);
        Assert.Equal(ChatFinishReason.Stop, finish);
        var sent = JsonDocument.Parse(Assert.Single(anthropic.Requests).Body).RootElement;
        Assert.Equal("""{"type":"tool","name":"json_response"}""", sent.GetProperty("tool_choice").GetRawText());
        Assert.True(sent.GetProperty("stream").GetBoolean());
    }
}
