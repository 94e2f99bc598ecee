using System.Text.Json;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Anthropic;

/// <summary>The Anthropic adapter end to end: the OpenAI SDK against a real gateway routing to a fake Messages API.</summary>
public sealed class AnthropicGatewayTests
{
    internal const string Key = "sk-ant-provider-secret-0042";

    internal static Task<GatewayFixture> StartGatewayAsync(FakeUpstream upstream, string extra = "")
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5
                  api_base: {{upstream.BaseUrl}}
                  api_key: {{Key}}
            """ + extra);

    private static JsonElement Body(RecordedRequest r) => JsonDocument.Parse(r.Body).RootElement;

    [Fact]
    public async Task NonStream_Text_TranslatesRequestHeadersAndAnswer()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("Hi "), AnthropicWire.Text("there")], input: 12, output: 4, cacheRead: 3));
        await using var gw = await StartGatewayAsync(upstream);

        var completion = (await gw.Chat("claude").CompleteChatAsync([new UserChatMessage("Hello")])).Value;

        Assert.Equal("Hi there", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(15, completion.Usage.InputTokenCount);
        Assert.Equal(4, completion.Usage.OutputTokenCount);
        Assert.Equal(19, completion.Usage.TotalTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        Assert.Equal(Key, sent.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", sent.Headers["anthropic-version"]);
        Assert.StartsWith("application/json", sent.Headers["content-type"], StringComparison.Ordinal);
        Assert.False(sent.Headers.ContainsKey("authorization"));
        Assert.True(sent.Headers.ContainsKey("x-correlation-id"));
        var body = Body(sent);
        Assert.Equal("claude-sonnet-4-5", body.GetProperty("model").GetString());
        Assert.Equal(4096, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal("""[{"role":"user","content":"Hello"}]""", body.GetProperty("messages").GetRawText());
        Assert.False(body.TryGetProperty("stream", out _));
    }

    [Fact]
    public async Task SystemPrompt_GoesToTopLevelSystem_AndApiBaseWithV1IsNotDoubled()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("ok")]));
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: {{Key}}
                  max_tokens: 300
            """);

        await gw.Chat("claude").CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Hi"), new UserChatMessage("Still there?")]);

        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        var body = Body(sent);
        Assert.Equal("Be brief.", body.GetProperty("system").GetString());
        Assert.Equal(300, body.GetProperty("max_tokens").GetInt32());
        var message = Assert.Single(body.GetProperty("messages").EnumerateArray().ToArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal(2, message.GetProperty("content").GetArrayLength());
    }

    [Fact]
    public async Task Tools_RoundTrip_ToolCallsAndResultsBecomeBlocks_ToolUseBecomesToolCalls()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(
            c, [AnthropicWire.Text("Checking London."), AnthropicWire.ToolUse("toolu_01B", "get_weather", new { city = "London", unit = "c" })], stopReason: "tool_use"));
        await using var gw = await StartGatewayAsync(upstream);
        var tool = ChatTool.CreateFunctionTool("get_weather", "Current weather for a city",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { Tools = { tool }, ToolChoice = ChatToolChoice.CreateAutoChoice(), AllowParallelToolCalls = false };
        ChatMessage[] history =
        [
            new UserChatMessage("Weather in Paris, then London?"),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("toolu_01A", "get_weather", BinaryData.FromString("""{"city":"Paris"}"""))]),
            new ToolChatMessage("toolu_01A", "18C, sunny"),
        ];

        var completion = (await gw.Chat("claude").CompleteChatAsync(history, options)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal("Checking London.", completion.Content[0].Text);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("toolu_01B", call.Id);
        Assert.Equal("get_weather", call.FunctionName);
        using var args = JsonDocument.Parse(call.FunctionArguments);
        Assert.Equal("London", args.RootElement.GetProperty("city").GetString());

        var body = Body(Assert.Single(upstream.Requests));
        var sentTool = Assert.Single(body.GetProperty("tools").EnumerateArray().ToArray());
        Assert.Equal("get_weather", sentTool.GetProperty("name").GetString());
        Assert.Equal("Current weather for a city", sentTool.GetProperty("description").GetString());
        Assert.Equal("object", sentTool.GetProperty("input_schema").GetProperty("type").GetString());
        Assert.Equal("""{"type":"auto","disable_parallel_tool_use":true}""", body.GetProperty("tool_choice").GetRawText());
        var messages = body.GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(3, messages.Length);
        Assert.Equal("""[{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]""", messages[1].GetProperty("content").GetRawText());
        Assert.Equal("""[{"type":"tool_result","tool_use_id":"toolu_01A","content":"18C, sunny"}]""", messages[2].GetProperty("content").GetRawText());
    }

    [Theory]
    [InlineData("end_turn", "Stop")]
    [InlineData("stop_sequence", "Stop")]
    [InlineData("max_tokens", "Length")]
    [InlineData("refusal", "ContentFilter")]
    public async Task StopReason_MapsToFinishReason(string stopReason, string finishReason)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("partial")], stopReason));
        await using var gw = await StartGatewayAsync(upstream);

        var completion = (await gw.Chat("claude").CompleteChatAsync([new UserChatMessage("go")], new ChatCompletionOptions { StopSequences = { "###" }, MaxOutputTokenCount = 5 })).Value;

        Assert.Equal(Enum.Parse<ChatFinishReason>(finishReason), completion.FinishReason);
        var body = Body(Assert.Single(upstream.Requests));
        Assert.Equal("""["###"]""", body.GetProperty("stop_sequences").GetRawText());
        Assert.Equal(5, body.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task Streaming_Text_AssemblesTextFinishAndUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteTextStreamAsync(c, "end_turn", "Hel", "lo", " world"));
        await using var gw = await StartGatewayAsync(upstream);

        var text = "";
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        ChatMessageRole? role = null;
        await foreach (var update in gw.Chat("claude").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
            finish ??= update.FinishReason;
            role ??= update.Role;
        }

        Assert.Equal("Hello world", text);
        Assert.Equal(ChatMessageRole.Assistant, role);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(25, usage.InputTokenCount);
        Assert.Equal(15, usage.OutputTokenCount);
        Assert.True(Body(Assert.Single(upstream.Requests)).GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task Streaming_ToolCall_AssemblesIdNameAndArguments()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(Key, (c, _) => AnthropicWire.WriteToolStreamAsync(c, "toolu_01S", "get_weather", "{\"ci", "ty\": \"Par", "is\"}"));
        await using var gw = await StartGatewayAsync(upstream);
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather") }, ToolChoice = ChatToolChoice.CreateFunctionChoice("get_weather") };

        var text = "";
        string? id = null, name = null;
        var arguments = "";
        ChatFinishReason? finish = null;
        await foreach (var update in gw.Chat("claude").CompleteChatStreamingAsync([new UserChatMessage("weather?")], options))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            foreach (var t in update.ToolCallUpdates)
            {
                Assert.Equal(0, t.Index);
                id ??= t.ToolCallId;
                name ??= t.FunctionName;
                arguments += t.FunctionArgumentsUpdate?.ToString();
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("Let me check.", text);
        Assert.Equal("toolu_01S", id);
        Assert.Equal("get_weather", name);
        Assert.Equal("{\"city\": \"Paris\"}", arguments);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal("""{"type":"tool","name":"get_weather"}""", Body(Assert.Single(upstream.Requests)).GetProperty("tool_choice").GetRawText());
    }
}
