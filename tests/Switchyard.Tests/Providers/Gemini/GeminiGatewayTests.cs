using System.Text.Json;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Gemini;

/// <summary>The Gemini adapter end to end: the OpenAI .NET SDK against a real gateway routing to a fake Gemini API.</summary>
public sealed class GeminiGatewayTests
{
    internal const string Key = "AIza-fake-gemini-key-0042";

    internal static Task<GatewayFixture> StartGatewayAsync(FakeUpstream upstream, string extra = "", string model = GeminiWire.Model)
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gem
                litellm_params:
                  model: gemini/{{model}}
                  api_base: {{upstream.BaseUrl}}
                  api_key: {{Key}}
            """ + extra);

    [Fact]
    public async Task NonStream_Text_TranslatesRequestAndAnswer_UsageWithCachedAndThinkingTokens()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteResponseAsync(
            c, [GeminiWire.Thought("Greeting back."), GeminiWire.Text("Hi "), GeminiWire.Text("there")], usage: GeminiWire.Usage(prompt: 40, candidates: 4, cached: 32, thoughts: 9)));
        await using var gw = await StartGatewayAsync(upstream);

        var completion = (await gw.Chat("gem").CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Hello"), new AssistantChatMessage("Hi."), new UserChatMessage("Again")],
            new ChatCompletionOptions { Temperature = 0.5f, TopP = 0.9f, MaxOutputTokenCount = 100, StopSequences = { "###" } })).Value;

        Assert.Equal("Hi there", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(GeminiWire.Model, completion.Model);
        Assert.Equal(40, completion.Usage.InputTokenCount);
        Assert.Equal(32, completion.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(13, completion.Usage.OutputTokenCount);
        Assert.Equal(9, completion.Usage.OutputTokenDetails.ReasoningTokenCount);
        Assert.Equal(53, completion.Usage.TotalTokenCount);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal($"/v1beta/models/{GeminiWire.Model}:generateContent", sent.PathAndQuery);
        Assert.Equal(Key, sent.Headers["x-goog-api-key"]);
        Assert.False(sent.Headers.ContainsKey("authorization"));
        Assert.True(sent.Headers.ContainsKey("x-correlation-id"));
        var body = GeminiWire.Body(sent);
        Assert.Equal("""{"parts":[{"text":"Be brief."}]}""", body.GetProperty("systemInstruction").GetRawText());
        Assert.Equal("""[{"role":"user","parts":[{"text":"Hello"}]},{"role":"model","parts":[{"text":"Hi."}]},{"role":"user","parts":[{"text":"Again"}]}]""",
            body.GetProperty("contents").GetRawText());
        var config = body.GetProperty("generationConfig");
        Assert.Equal(0.5, config.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.9, config.GetProperty("topP").GetDouble(), 3);
        Assert.Equal(100, config.GetProperty("maxOutputTokens").GetInt32());
        Assert.Equal("""["###"]""", config.GetProperty("stopSequences").GetRawText());
    }

    [Fact]
    public async Task NonStream_Cost_PricedFromTheTable_CachedTokensAtTheCacheReadPrice()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("ok")], usage: GeminiWire.Usage(prompt: 1000, candidates: 100, cached: 400, thoughts: 100)));
        await using var gw = await StartGatewayAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gem","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        // gemini-2.5-flash: $0.30 in, $2.50 out per million; cache reads 0.1x. 600 uncached + 400 cached + 200 out (answer and thinking).
        var expected = (600 * 0.30m + 400 * 0.03m + 200 * 2.50m) / 1_000_000m;
        Assert.Equal(expected.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture), Assert.Single(response.Headers.GetValues("x-litellm-response-cost")));
    }

    [Theory]
    [InlineData("STOP", "Stop")]
    [InlineData("MAX_TOKENS", "Length")]
    [InlineData("SAFETY", "ContentFilter")]
    [InlineData("RECITATION", "ContentFilter")]
    [InlineData("PROHIBITED_CONTENT", "ContentFilter")]
    [InlineData("OTHER", "Stop")]
    public async Task FinishReason_Mapped(string finishReason, string expected)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("partial")], finishReason));
        await using var gw = await StartGatewayAsync(upstream);

        var completion = (await gw.Chat("gem").CompleteChatAsync([new UserChatMessage("go")])).Value;

        Assert.Equal(Enum.Parse<ChatFinishReason>(expected), completion.FinishReason);
    }

    [Fact]
    public async Task Tools_RoundTrip_SchemaCleaned_CallsAndResponsesTranslated_ThoughtSignatureSentBack()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, r) => upstream.Count == 1
            ? GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("Checking."), GeminiWire.Call("get_weather", new { city = "Paris", unit = "c" }, signature: "c2lnLTAx")])
            : GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("18C and sunny in Paris.")]));
        await using var gw = await StartGatewayAsync(upstream);
        var tool = ChatTool.CreateFunctionTool("get_weather", "Current weather for a city", BinaryData.FromString("""
            {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
             "properties":{"city":{"type":"string","format":"city-name"},"unit":{"$ref":"#/$defs/unit"},"note":{"type":["string","null"]}},
             "required":["city","unit"],"$defs":{"unit":{"type":"string","enum":["c","f"]}}}
            """), functionSchemaIsStrict: true);
        var options = new ChatCompletionOptions { Tools = { tool }, ToolChoice = ChatToolChoice.CreateAutoChoice() };
        List<ChatMessage> history = [new UserChatMessage("Weather in Paris?")];

        var first = (await gw.Chat("gem").CompleteChatAsync(history, options)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("Checking.", first.Content[0].Text);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.EndsWith("__thought__c2lnLTAx", call.Id, StringComparison.Ordinal);
        Assert.Equal("Paris", JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("city").GetString());
        var sent = GeminiWire.Body(upstream.Requests.First());
        var declaration = sent.GetProperty("tools")[0].GetProperty("functionDeclarations")[0];
        Assert.Equal("get_weather", declaration.GetProperty("name").GetString());
        Assert.Equal("""
            {"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["c","f"]},"note":{"type":"string","nullable":true}},"required":["city","unit"]}
            """.Trim(), declaration.GetProperty("parameters").GetRawText());
        Assert.Equal("""{"functionCallingConfig":{"mode":"AUTO"}}""", sent.GetProperty("toolConfig").GetRawText());

        history.Add(new AssistantChatMessage(first));
        history.Add(new ToolChatMessage(call.Id, """{"temp_c":18,"sky":"sunny"}"""));
        var second = (await gw.Chat("gem").CompleteChatAsync(history, options)).Value;

        Assert.Equal("18C and sunny in Paris.", second.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        var contents = GeminiWire.Body(upstream.Requests.Last()).GetProperty("contents");
        Assert.Equal(3, contents.GetArrayLength());
        Assert.Equal("""{"role":"model","parts":[{"text":"Checking."},{"functionCall":{"name":"get_weather","args":{"city":"Paris","unit":"c"}},"thoughtSignature":"c2lnLTAx"}]}""",
            contents[1].GetRawText());
        Assert.Equal("""{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp_c":18,"sky":"sunny"}}}]}""", contents[2].GetRawText());
    }

    [Fact]
    public async Task ToolChoice_RequiredAndNamed_BecomeFunctionCallingConfig_PlainTextResultWrapped()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Call("lookup", new { q = "x" }), GeminiWire.Call("lookup", new { q = "y" })]));
        await using var gw = await StartGatewayAsync(upstream);
        var lookup = ChatTool.CreateFunctionTool("lookup", "Look up", BinaryData.FromString("""{"type":"object","properties":{"q":{"type":"string"}}}"""));
        var noArgs = ChatTool.CreateFunctionTool("now", "The time");

        var parallel = (await gw.Chat("gem").CompleteChatAsync([new UserChatMessage("find x and y")],
            new ChatCompletionOptions { Tools = { lookup, noArgs }, ToolChoice = ChatToolChoice.CreateRequiredChoice() })).Value;
        await gw.Chat("gem").CompleteChatAsync(
            [
                new UserChatMessage("find x and y"),
                new AssistantChatMessage(parallel.ToolCalls),
                new ToolChatMessage(parallel.ToolCalls[0].Id, "found x"),
                new ToolChatMessage(parallel.ToolCalls[1].Id, "found y"),
            ],
            new ChatCompletionOptions { Tools = { lookup }, ToolChoice = ChatToolChoice.CreateFunctionChoice("lookup") });

        Assert.Equal(2, parallel.ToolCalls.Count);
        Assert.NotEqual(parallel.ToolCalls[0].Id, parallel.ToolCalls[1].Id);
        var first = GeminiWire.Body(upstream.Requests.First());
        Assert.Equal("""{"functionCallingConfig":{"mode":"ANY"}}""", first.GetProperty("toolConfig").GetRawText());
        Assert.Equal("""{"name":"now","description":"The time"}""", first.GetProperty("tools")[0].GetProperty("functionDeclarations")[1].GetRawText());
        var second = GeminiWire.Body(upstream.Requests.Last());
        Assert.Equal("""{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["lookup"]}}""", second.GetProperty("toolConfig").GetRawText());
        Assert.Equal("""[{"functionResponse":{"name":"lookup","response":{"content":"found x"}}},{"functionResponse":{"name":"lookup","response":{"content":"found y"}}}]""",
            second.GetProperty("contents")[2].GetProperty("parts").GetRawText());
    }

    [Fact]
    public async Task Image_DataUrl_BecomesInlineData_RemoteUrlRefusedNamingIt_NothingSent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("a red dot")]));
        await using var gw = await StartGatewayAsync(upstream);

        await gw.Chat("gem").CompleteChatAsync([new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("What is this?"),
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes([1, 2, 3]), "image/png"))]);
        using var remote = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""
            {"model":"gem","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}
            """));

        var parts = GeminiWire.Body(Assert.Single(upstream.Requests)).GetProperty("contents")[0].GetProperty("parts");
        Assert.Equal("""[{"text":"What is this?"},{"inlineData":{"mimeType":"image/png","data":"AQID"}}]""", parts.GetRawText());
        var summary = await FailureAssert.ReadAsync(remote, 400, "invalid_request_error", "unsupported_value");
        Assert.Equal("messages[0].content[0].image_url", summary.Param);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task JsonSchemaOutput_BecomesResponseMimeTypeAndCleanedSchema_ReasoningEffortThinkingBudget()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("""{"name":"Ada","age":36}""")]));
        await using var gw = await StartGatewayAsync(upstream);

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""
            {"model":"gem","seed":7,"reasoning_effort":"low","messages":[{"role":"user","content":"who?"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"person","strict":true,"schema":{"type":"object","additionalProperties":false,
               "properties":{"name":{"type":"string"},"age":{"anyOf":[{"type":"integer"},{"type":"null"}]}},"required":["name","age"]}}}}
            """));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var config = GeminiWire.Body(Assert.Single(upstream.Requests)).GetProperty("generationConfig");
        Assert.Equal("application/json", config.GetProperty("responseMimeType").GetString());
        Assert.Equal("""{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","nullable":true}},"required":["name","age"]}""",
            config.GetProperty("responseSchema").GetRawText());
        Assert.Equal("""{"thinkingBudget":1024,"includeThoughts":true}""", config.GetProperty("thinkingConfig").GetRawText());
        Assert.Equal(7, config.GetProperty("seed").GetInt32());
    }

    [Fact]
    public async Task UnsupportedParams_RefusedNamingThem_OrDroppedAndNamedUnderDropParams()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("ok")]));
        await using var gw = await StartGatewayAsync(upstream, """

              - model_name: gem-loose
                litellm_params:
                  model: gemini/gemini-2.5-flash
                  api_base: BASE
                  api_key: KEY
                  drop_params: true
            """.Replace("BASE", upstream.BaseUrl, StringComparison.Ordinal).Replace("KEY", Key, StringComparison.Ordinal));

        using var refused = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gem","logprobs":true,"messages":[{"role":"user","content":"hi"}]}"""));
        using var dropped = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gem-loose","logprobs":true,"n":1,"messages":[{"role":"user","content":"hi"}]}"""));

        var summary = await FailureAssert.ReadAsync(refused, 400, "invalid_request_error", "unsupported_value");
        Assert.Equal("logprobs", summary.Param);
        Assert.Equal(System.Net.HttpStatusCode.OK, dropped.StatusCode);
        Assert.Equal("logprobs", Assert.Single(dropped.Headers.GetValues("x-switchyard-dropped-params")));
        Assert.Single(upstream.Requests);
    }
}
