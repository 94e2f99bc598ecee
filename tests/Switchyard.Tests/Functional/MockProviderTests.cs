using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>The built-in mock speaks the OpenAI shapes real SDKs expect (the default config and smoke rely on it).</summary>
public sealed class MockProviderTests
{
    private const string Yaml = """
        model_list:
          - model_name: embed
            litellm_params: { model: mock/embed }
          - model_name: agent
            litellm_params: { model: mock/agent }
        """;

    private const string WeatherSchema = """
        {"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]},
         "days":{"type":"integer","minimum":1},"detailed":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string"}}},
         "required":["city","unit","days","detailed","tags"],"additionalProperties":false}
        """;

    private static ChatCompletionOptions WeatherTools() => new()
    {
        Tools =
        {
            ChatTool.CreateFunctionTool("get_weather", "Current weather", BinaryData.FromString(WeatherSchema)),
            ChatTool.CreateFunctionTool("get_time", "Current time", BinaryData.FromString("""{"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}""")),
        },
    };

    private static void AssertWeatherArguments(string arguments)
    {
        using var doc = JsonDocument.Parse(arguments);
        var a = doc.RootElement;
        Assert.Equal(JsonValueKind.String, a.GetProperty("city").ValueKind);
        Assert.Equal("celsius", a.GetProperty("unit").GetString());
        Assert.True(a.GetProperty("days").GetInt32() >= 1);
        Assert.Equal(JsonValueKind.True, a.GetProperty("detailed").ValueKind);
        Assert.Equal(JsonValueKind.String, Assert.Single(a.GetProperty("tags").EnumerateArray()).ValueKind);
        Assert.Equal(5, a.EnumerateObject().Count());
    }

    [Fact]
    public async Task Embeddings_ThroughSdk_OneVectorPerInputInBase64AndFloatAlike()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var sdk = await gw.Client().GetEmbeddingClient("embed").GenerateEmbeddingsAsync(["alpha", "beta", "alpha"]);
        using var raw = await gw.Http.PostAsync("/v1/embeddings", new StringContent("""{"model":"embed","input":["alpha"],"encoding_format":"float"}"""));
        var floats = JsonDocument.Parse(await raw.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("embedding")
            .EnumerateArray().Select(e => e.GetSingle()).ToArray();

        Assert.Equal(3, sdk.Value.Count);
        var vectors = sdk.Value.Select(e => e.ToFloats().ToArray()).ToArray();
        Assert.All(vectors, v => Assert.Equal(16, v.Length));
        Assert.Equal(vectors[0], vectors[2]);
        Assert.NotEqual(vectors[0], vectors[1]);
        Assert.Equal(floats, vectors[0]);
    }

    [Fact]
    public async Task ToolLoop_ThroughSdk_CallsTheToolThenAnswersTheResult()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var chat = gw.Chat("agent");
        var options = WeatherTools();
        List<ChatMessage> messages = [new UserChatMessage("Weather in Paris?")];

        var first = (await chat.CompleteChatAsync(messages, options)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.StartsWith("call_mock_", call.Id, StringComparison.Ordinal);
        AssertWeatherArguments(call.FunctionArguments.ToString());

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "18C and sunny"));
        var second = (await chat.CompleteChatAsync(messages, options)).Value;

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Empty(second.ToolCalls);
        Assert.Contains("18C and sunny", second.Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolCall_ForcedTool_IsCalled_ToolChoiceNone_AnswersText()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var forced = WeatherTools();
        forced.ToolChoice = ChatToolChoice.CreateFunctionChoice("get_time");
        var none = WeatherTools();
        none.ToolChoice = ChatToolChoice.CreateNoneChoice();

        var timed = (await gw.Chat("agent").CompleteChatAsync([new UserChatMessage("time?")], forced)).Value;
        var text = (await gw.Chat("agent").CompleteChatAsync([new UserChatMessage("time?")], none)).Value;

        Assert.Equal("get_time", Assert.Single(timed.ToolCalls).FunctionName);
        Assert.Equal("""{"zone":"mock zone"}""", timed.ToolCalls[0].FunctionArguments.ToString());
        Assert.Equal(ChatFinishReason.Stop, text.FinishReason);
        Assert.Empty(text.ToolCalls);
    }

    [Fact]
    public async Task ToolCall_Streamed_ArgumentsArriveInPiecesAndMatchTheWholeAnswer()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var options = WeatherTools();
        string? id = null, name = null;
        var pieces = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in gw.Chat("agent").CompleteChatStreamingAsync([new UserChatMessage("Weather in Paris?")], options))
        {
            foreach (var t in update.ToolCallUpdates)
            {
                Assert.Equal(0, t.Index);
                id ??= t.ToolCallId;
                name ??= t.FunctionName;
                if (t.FunctionArgumentsUpdate?.ToString() is { Length: > 0 } piece)
                {
                    pieces.Add(piece);
                }
            }

            finish ??= update.FinishReason;
        }

        var whole = (await gw.Chat("agent").CompleteChatAsync([new UserChatMessage("Weather in Paris?")], WeatherTools())).Value;
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal("get_weather", name);
        Assert.StartsWith("call_mock_", id, StringComparison.Ordinal);
        Assert.True(pieces.Count >= 3, $"arguments in {pieces.Count} piece(s)");
        Assert.Equal(whole.ToolCalls[0].FunctionArguments.ToString(), string.Concat(pieces));
        AssertWeatherArguments(string.Concat(pieces));
    }

    [Fact]
    public async Task StructuredOutput_ThroughSdk_JsonMatchesTheSchema_JsonObjectIsAnObject()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var schema = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("weather", BinaryData.FromString(WeatherSchema), jsonSchemaIsStrict: true),
        };
        var obj = new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat() };

        var structured = (await gw.Chat("agent").CompleteChatAsync([new UserChatMessage("Weather in Paris as JSON")], schema)).Value;
        var json = (await gw.Chat("agent").CompleteChatAsync([new UserChatMessage("Answer in JSON")], obj)).Value;

        Assert.Equal(ChatFinishReason.Stop, structured.FinishReason);
        AssertWeatherArguments(structured.Content[0].Text);
        using var doc = JsonDocument.Parse(json.Content[0].Text);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TokenCounts_SameStreamedOrNot(bool tools)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var extra = tools ? ""","tools":[{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}]""" : "";
        var request = $$"""{"model":"agent","messages":[{"role":"user","content":"Count these tokens, please."}]{{extra}}""";

        using var whole = await gw.Http.PostAsync("/v1/chat/completions", new StringContent(request + "}", Encoding.UTF8, "application/json"));
        using var streamed = await gw.Http.PostAsync("/v1/chat/completions", new StringContent(request + ""","stream":true,"stream_options":{"include_usage":true}}""", Encoding.UTF8, "application/json"));

        var usage = JsonDocument.Parse(await whole.Content.ReadAsStringAsync()).RootElement.GetProperty("usage");
        var lastUsage = (await streamed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e != "data: [DONE]").Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)
            .Single(e => e.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object).GetProperty("usage");
        Assert.True(usage.GetProperty("prompt_tokens").GetInt64() > 0);
        Assert.True(usage.GetProperty("completion_tokens").GetInt64() > 0);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt64(), lastUsage.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt64(), lastUsage.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(usage.GetProperty("total_tokens").GetInt64(), lastUsage.GetProperty("total_tokens").GetInt64());
    }
}
