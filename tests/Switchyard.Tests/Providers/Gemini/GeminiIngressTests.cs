using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI.Responses;
using Switchyard.Tests.Infrastructure;

#pragma warning disable OPENAI001 // the Responses client is marked experimental

namespace Switchyard.Tests.Providers.Gemini;

/// <summary>
/// Gemini deployments behind the other ingress formats: Anthropic Messages (the Anthropic .NET SDK) and OpenAI
/// Responses (the OpenAI .NET SDK's responses client), whole and streamed, tools included.
/// </summary>
public sealed class GeminiIngressTests
{
    private const string Key = GeminiGatewayTests.Key;

    private static AnthropicClient Anthropic(GatewayFixture gw) => new() { ApiKey = GatewayFixture.MasterKey, BaseUrl = gw.BaseUrl, MaxRetries = 0 };

    [Fact]
    public async Task Messages_NonStream_SystemToolsAndToolUse_TranslatedBothWays()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteResponseAsync(c,
            [GeminiWire.Call("get_weather", new { city = "Oslo" })], usage: GeminiWire.Usage(prompt: 40, candidates: 9)));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);

        var message = await Anthropic(gw).Messages.Create(new MessageCreateParams
        {
            Model = "gem",
            MaxTokens = 100,
            System = "Be brief.",
            Tools = [new Tool { Name = "get_weather", InputSchema = InputSchema.FromRawUnchecked(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"type":"object","properties":{"city":{"type":"string"}}}""")!) }],
            Messages = [new UserMessageParam("Weather in Oslo?")],
        });

        Assert.Contains("tool_use", message.StopReason?.ToString(), StringComparison.Ordinal);
        Assert.True(Assert.Single(message.Content).TryPickToolUse(out var use));
        Assert.Equal("get_weather", use.Name);
        Assert.Equal("Oslo", use.Input["city"].GetString());
        Assert.Equal(40, message.Usage.InputTokens);
        Assert.Equal(9, message.Usage.OutputTokens);
        var sent = GeminiWire.Body(Assert.Single(upstream.Requests));
        Assert.Equal("Be brief.", sent.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal(100, sent.GetProperty("generationConfig").GetProperty("maxOutputTokens").GetInt32());
        Assert.Equal("get_weather", sent.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Messages_Stream_TextDeltasStopReasonAndUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteStreamAsync(c,
            GeminiWire.Response([GeminiWire.Text("Bon")], null, GeminiWire.Usage(30, 1)),
            GeminiWire.Response([GeminiWire.Text("jour")], "MAX_TOKENS", GeminiWire.Usage(30, 2))));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);

        var text = new StringBuilder();
        string? stop = null;
        long output = 0;
        await foreach (var e in Anthropic(gw).Messages.CreateStreaming(new MessageCreateParams { Model = "gem", MaxTokens = 2, Messages = [new UserMessageParam("Hello")] }))
        {
            if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var t))
            {
                text.Append(t.Text);
            }
            else if (e.TryPickDelta(out var messageDelta))
            {
                stop = messageDelta.Delta.StopReason?.ToString();
                output = messageDelta.Usage.OutputTokens;
            }
        }

        Assert.Equal("Bonjour", text.ToString());
        Assert.Contains("max_tokens", stop, StringComparison.Ordinal);
        Assert.Equal(2, output);
        Assert.EndsWith(":streamGenerateContent?alt=sse", Assert.Single(upstream.Requests).PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_PromptBlocked_AnthropicErrorShapeWithSummaryFields()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteJsonAsync(c, new { promptFeedback = new { blockReason = "SAFETY" } }));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"gem","max_tokens":10,"messages":[{"role":"user","content":"bad"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", GatewayFixture.MasterKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await gw.Bare.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("content_policy_violation", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("gemini", body.GetProperty("error").GetProperty("provider_family").GetString());
    }

    [Fact]
    public async Task Responses_NonStreamAndStream_TranslatedThroughChat()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, r) => r.PathAndQuery.Contains("stream", StringComparison.Ordinal)
            ? GeminiWire.WriteStreamAsync(c, GeminiWire.Response([GeminiWire.Text("Ciao")], null), GeminiWire.Response([GeminiWire.Text(" mondo")], "STOP", GeminiWire.Usage(11, 3)))
            : GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("Hello from Gemini")], usage: GeminiWire.Usage(12, 4, thoughts: 6)));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);
        var client = gw.Client().GetResponsesClient();

        var whole = (await client.CreateResponseAsync(new CreateResponseOptions("gem", [ResponseItem.CreateUserMessageItem("hi")]) { Instructions = "be kind" })).Value;
        var streamed = "";
        await foreach (var update in await client.CreateResponseStreamingAsync(new CreateResponseOptions("gem", [ResponseItem.CreateUserMessageItem("hi")]) { StreamingEnabled = true }))
        {
            streamed += (update as StreamingResponseOutputTextDeltaUpdate)?.Delta;
        }

        Assert.Equal("Hello from Gemini", whole.GetOutputText());
        Assert.Equal(12, whole.Usage.InputTokenCount);
        Assert.Equal(10, whole.Usage.OutputTokenCount);
        Assert.Equal(6, whole.Usage.OutputTokenDetails.ReasoningTokenCount);
        Assert.Equal("Ciao mondo", streamed);
        var first = GeminiWire.Body(upstream.Requests.First());
        Assert.Equal("be kind", first.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Responses_ToolLoop_FunctionCallThenOutput_FunctionResponseNamedAfterTheCall()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => upstream.Count == 1
            ? GeminiWire.WriteResponseAsync(c, [GeminiWire.Call("weather", new { city = "Oslo" })])
            : GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("It is 3 degrees in Oslo.")]));
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream);
        var client = gw.Client().GetResponsesClient();
        var tool = ResponseTool.CreateFunctionTool("weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""), strictModeEnabled: false);

        var first = (await client.CreateResponseAsync(new CreateResponseOptions("gem", [ResponseItem.CreateUserMessageItem("weather in Oslo?")]) { Tools = { tool } })).Value;
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        var second = (await client.CreateResponseAsync(new CreateResponseOptions("gem", [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "3C")])
        {
            PreviousResponseId = first.Id,
            Tools = { tool },
        })).Value;

        Assert.Equal("weather", call.FunctionName);
        Assert.Equal("It is 3 degrees in Oslo.", second.GetOutputText());
        var contents = GeminiWire.Body(upstream.Requests.Last()).GetProperty("contents");
        Assert.Equal(["user", "model", "user"], contents.EnumerateArray().Select(c => c.GetProperty("role").GetString()));
        Assert.Equal("""{"functionResponse":{"name":"weather","response":{"content":"3C"}}}""", contents[2].GetProperty("parts")[0].GetRawText());
    }
}
