using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Clients;

/// <summary>
/// Claude Code 2.1.328's second call of a tool round (captured: <c>POST /v1/messages?beta=true</c>, its
/// <c>anthropic-beta</c> list, a <c>system</c> turn between the user's turns, adaptive thinking with
/// <c>output_config.effort</c>, <c>context_management</c>, a deferred tool, a tool_result with cache_control) against
/// each kind of deployment, with a scoped key as <c>ANTHROPIC_AUTH_TOKEN</c> sends it.
/// </summary>
public sealed class ClaudeCodeReplayTests
{
    private static readonly CapturedRequest Captured = CapturedRequest.Load("claude-code-2.1.328-tool-result-turn");

    private static async Task<(GatewayFixture Gateway, string Key)> StartAsync(string deployment)
    {
        var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: claude-agent
                litellm_params: {{deployment}}
            """);
        var (key, _) = await gw.GenerateKeyAsync(new { models = new[] { "claude-agent" } });
        return (gw, key);
    }

    /// <summary>The text of a Messages event stream: its text_delta pieces joined.</summary>
    private static string StreamedText(string sse)
        => string.Concat(sse.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[6..]).RootElement)
            .Where(e => e.TryGetProperty("delta", out var d) && d.TryGetProperty("type", out var t) && t.GetString() == "text_delta")
            .Select(e => e.GetProperty("delta").GetProperty("text").GetString()));

    private static string[] Roles(JsonElement messages) => messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()!).ToArray();

    [Fact]
    public async Task ToolResultTurn_AnthropicDeployment_PassedThroughWithTheSystemTurnAndBetaHeader()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => AnthropicWire.WriteTextStreamAsync(c, "end_turn", "The tool said ", "hello-from-tool");
        var (gw, key) = await StartAsync($"{{ model: anthropic/claude-sonnet-4-5, api_base: \"{upstream.BaseUrl}\", api_key: sk-ant-upstream }}");
        await using var lifetime = gw;

        var (status, body, _) = await Captured.SendAsync(gw, key);

        Assert.True(status == 200, body);
        Assert.Contains("event: message_stop", body, StringComparison.Ordinal);
        Assert.Contains("hello-from-tool", body, StringComparison.Ordinal);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        Assert.Equal(Captured.Headers["anthropic-beta"], sent.Headers["anthropic-beta"]);
        var forwarded = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal("claude-sonnet-4-5", forwarded.GetProperty("model").GetString());
        Assert.Equal(["user", "system", "assistant", "user"], Roles(forwarded.GetProperty("messages")));
        Assert.Equal("adaptive", forwarded.GetProperty("thinking").GetProperty("type").GetString());
        Assert.Equal("high", forwarded.GetProperty("output_config").GetProperty("effort").GetString());
        Assert.True(forwarded.TryGetProperty("context_management", out _), "context_management was not passed to Anthropic");
    }

    [Fact]
    public async Task ToolResultTurn_ChatDeployment_SystemTurnKeptInPlace_EffortTranslated_ContextManagementNamedAsDropped()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "The tool said ", "hello-from-tool");
        var (gw, key) = await StartAsync($"{{ model: openai/gpt-4o, api_base: \"{upstream.BaseUrl}/v1\", api_key: sk-upstream }}");
        await using var lifetime = gw;

        var (status, body, headers) = await Captured.SendAsync(gw, key);

        Assert.True(status == 200, body);
        Assert.Contains("event: message_stop", body, StringComparison.Ordinal);
        Assert.Contains("hello-from-tool", body, StringComparison.Ordinal);
        Assert.Contains("context_management", string.Join(",", headers.GetValues("x-switchyard-dropped-params")), StringComparison.Ordinal);
        var chat = JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement;
        // the top-level system prompt first, then the turns in order: Claude Code's system turn stays between them
        Assert.Equal(["system", "user", "system", "assistant", "tool"], Roles(chat.GetProperty("messages")));
        Assert.StartsWith("# Environment", chat.GetProperty("messages")[2].GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("high", chat.GetProperty("reasoning_effort").GetString());
        Assert.False(chat.TryGetProperty("output_config", out _));
        Assert.False(chat.TryGetProperty("thinking", out _));
        Assert.Equal(Captured.Body["tools"]!.AsArray().Count, chat.GetProperty("tools").GetArrayLength());
    }

    [Fact]
    public async Task ToolResultTurn_OfflineMock_AnswersTheToolResult()
    {
        var (gw, key) = await StartAsync("{ model: mock/agent }");
        await using var lifetime = gw;

        var (status, body, _) = await Captured.SendAsync(gw, key);

        Assert.True(status == 200, body);
        Assert.Contains("to the tool result: hello-from-tool", StreamedText(body), StringComparison.Ordinal);
        Assert.Contains("\"stop_reason\":\"end_turn\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"effort":"extreme"}""", 400, "invalid_value", "output_config.effort")]
    [InlineData("""{"effort":"low","task_budget":{"total":1000}}""", 400, "unsupported_value", "output_config.task_budget")]
    [InlineData("\"high\"", 400, "invalid_type", "output_config")]
    public async Task OutputConfig_ChatDeployment_BadOrUntranslatable_RefusedByName(string outputConfig, int expectedStatus, string code, string param)
    {
        var (gw, key) = await StartAsync("{ model: mock/agent }");
        await using var lifetime = gw;
        var request = Captured.CopyBody();
        request["output_config"] = JsonNode.Parse(outputConfig);

        var (status, body, _) = await Captured.SendAsync(gw, key, request);

        Assert.Equal(expectedStatus, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task OutputConfigFormat_ChatDeployment_BecomesResponseFormat()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "{\"ok\":true}");
        var (gw, key) = await StartAsync($"{{ model: openai/gpt-4o, api_base: \"{upstream.BaseUrl}/v1\", api_key: sk-upstream }}");
        await using var lifetime = gw;
        var request = JsonNode.Parse("""
            {"model":"claude-agent","max_tokens":256,"messages":[{"role":"user","content":"ok?"}],
             "output_config":{"effort":"medium","format":{"type":"json_schema","schema":{"type":"object","properties":{"ok":{"type":"boolean"}}}}}}
            """)!.AsObject();

        var (status, body, _) = await Captured.SendAsync(gw, key, request);

        Assert.True(status == 200, body);
        var chat = JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement;
        Assert.Equal("json_schema", chat.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal("medium", chat.GetProperty("reasoning_effort").GetString());
    }

    [Fact]
    public async Task ToolRoleTurn_Refused_SystemTurnIsTheOnlyAddedRole()
    {
        var (gw, key) = await StartAsync("{ model: mock/agent }");
        await using var lifetime = gw;
        var request = JsonNode.Parse("""{"model":"claude-agent","max_tokens":64,"messages":[{"role":"user","content":"hi"},{"role":"tool","content":"x"}]}""")!.AsObject();

        var (status, body, _) = await Captured.SendAsync(gw, key, request);

        Assert.Equal(400, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("messages[1].role", error.GetProperty("param").GetString());
        Assert.Contains("user, assistant or system", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_WithAnthropicVersion_CarriesAnthropicsListFields_WithoutItOpenAIsOnly()
    {
        var (gw, key) = await StartAsync("{ model: mock/agent }");
        await using var lifetime = gw;

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("x-api-key", key);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await gw.Bare.SendAsync(request);
        var anthropic = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var openai = (await gw.GetAsync("/v1/models", key)).Json;

        Assert.False(anthropic.GetProperty("has_more").GetBoolean());
        Assert.Equal("claude-agent", anthropic.GetProperty("first_id").GetString());
        Assert.Equal("claude-agent", anthropic.GetProperty("last_id").GetString());
        var model = Assert.Single(anthropic.GetProperty("data").EnumerateArray());
        Assert.Equal("model", model.GetProperty("type").GetString());
        Assert.Equal("claude-agent", model.GetProperty("display_name").GetString());
        Assert.True(DateTimeOffset.TryParse(model.GetProperty("created_at").GetString(), out _));
        Assert.False(openai.TryGetProperty("has_more", out _));
        Assert.False(Assert.Single(openai.GetProperty("data").EnumerateArray()).TryGetProperty("type", out _));
    }
}
