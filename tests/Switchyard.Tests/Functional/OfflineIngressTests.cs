using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI.Responses;
using Switchyard.Tests.Infrastructure;

#pragma warning disable OPENAI001 // the Responses client is marked experimental

namespace Switchyard.Tests.Functional;

/// <summary>
/// The README's offline promise for the two agent protocols: with the embedded default config and no provider keys,
/// <c>/v1/messages</c> (Anthropic SDK) and <c>/v1/responses</c> (OpenAI SDK) answer from the mock, whole and streamed,
/// and a tool offered is called with arguments that match its schema.
/// </summary>
public sealed class OfflineIngressTests
{
    private const string CitySchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    private static async Task<GatewayFixture> StartAsync()
        => await GatewayFixture.StartAsync(await File.ReadAllTextAsync(TestPaths.DefaultConfig), env: new Dictionary<string, string> { ["SWITCHYARD_MASTER_KEY"] = GatewayFixture.MasterKey });

    private static AnthropicClient Anthropic(GatewayFixture gw) => new() { ApiKey = GatewayFixture.MasterKey, BaseUrl = gw.BaseUrl, MaxRetries = 0 };

    private static MessageCreateParams Ask(string text, bool withTool) => new()
    {
        Model = "router.default",
        MaxTokens = 64,
        Messages = [new UserMessageParam(text)],
        Tools = withTool
            ? [new Tool { Name = "get_weather", Description = "Current weather", InputSchema = InputSchema.FromRawUnchecked(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(CitySchema)!) }]
            : null,
    };

    private static string City(string argumentsJson)
    {
        using var doc = JsonDocument.Parse(argumentsJson);
        return doc.RootElement.GetProperty("city").GetString()!;
    }

    [Fact]
    public async Task Messages_Offline_TextWholeAndStreamed_SameUsage()
    {
        await using var gw = await StartAsync();
        var client = Anthropic(gw);

        var whole = await client.Messages.Create(Ask("ping", withTool: false));
        var text = new StringBuilder();
        long? streamedInput = null, streamedOutput = null;
        await foreach (var e in client.Messages.CreateStreaming(Ask("ping", withTool: false)))
        {
            if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var t))
            {
                text.Append(t.Text);
            }
            else if (e.TryPickDelta(out var messageDelta))
            {
                streamedInput = messageDelta.Usage.InputTokens;
                streamedOutput = messageDelta.Usage.OutputTokens;
            }
        }

        Assert.True(whole.Content[0].TryPickText(out var block));
        Assert.Equal("This is a mock response from router-default to: ping", block.Text);
        Assert.Equal("This is a mock response from router-default to: ping", text.ToString());
        Assert.Contains("end_turn", whole.StopReason?.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.True(whole.Usage.InputTokens > 0);
        Assert.Equal(whole.Usage.InputTokens, streamedInput);
        Assert.Equal(whole.Usage.OutputTokens, streamedOutput);
    }

    [Fact]
    public async Task Messages_Offline_ToolOffered_ToolUseWholeAndStreamed()
    {
        await using var gw = await StartAsync();
        var client = Anthropic(gw);

        var whole = await client.Messages.Create(Ask("Weather in Oslo?", withTool: true));
        string? streamedTool = null, stop = null;
        var json = new StringBuilder();
        await foreach (var e in client.Messages.CreateStreaming(Ask("Weather in Oslo?", withTool: true)))
        {
            if (e.TryPickContentBlockStart(out var start) && start.ContentBlock.TryPickToolUse(out var use))
            {
                streamedTool = use.Name;
            }
            else if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickInputJson(out var j))
            {
                json.Append(j.PartialJson);
            }
            else if (e.TryPickDelta(out var messageDelta))
            {
                stop = messageDelta.Delta.StopReason?.ToString();
            }
        }

        Assert.Contains("tool_use", whole.StopReason?.ToString(), StringComparison.OrdinalIgnoreCase);
        var tool = Assert.Single(whole.Content, c => c.TryPickToolUse(out _));
        Assert.True(tool.TryPickToolUse(out var call));
        Assert.Equal("get_weather", call.Name);
        Assert.False(string.IsNullOrEmpty(call.ID));
        Assert.False(string.IsNullOrEmpty(City(JsonSerializer.Serialize(call.Input))));
        Assert.Equal("get_weather", streamedTool);
        Assert.Contains("tool_use", stop, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(City(JsonSerializer.Serialize(call.Input)), City(json.ToString()));
    }

    [Fact]
    public async Task Responses_Offline_ToolOffered_FunctionCallWholeAndStreamed()
    {
        await using var gw = await StartAsync();
        var client = gw.Client().GetResponsesClient();
        var tool = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(CitySchema), strictModeEnabled: false, functionDescription: "Current weather");

        var whole = (await client.CreateResponseAsync(new CreateResponseOptions("router.default", [ResponseItem.CreateUserMessageItem("Weather in Oslo?")]) { Tools = { tool } })).Value;
        var arguments = new StringBuilder();
        FunctionCallResponseItem? done = null;
        ResponseResult? completed = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(new CreateResponseOptions("router.default", [ResponseItem.CreateUserMessageItem("Weather in Oslo?")]) { Tools = { tool }, StreamingEnabled = true }))
        {
            switch (update)
            {
                case StreamingResponseFunctionCallArgumentsDeltaUpdate d:
                    arguments.Append(d.Delta);
                    break;
                case StreamingResponseOutputItemDoneUpdate { Item: FunctionCallResponseItem item }:
                    done = item;
                    break;
                case StreamingResponseCompletedUpdate c:
                    completed = c.Response;
                    break;
            }
        }

        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(whole.OutputItems));
        Assert.Equal("get_weather", call.FunctionName);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        var city = City(call.FunctionArguments.ToString());
        Assert.False(string.IsNullOrEmpty(city));
        Assert.Equal("get_weather", done!.FunctionName);
        Assert.Equal(city, City(arguments.ToString()));
        Assert.Equal(city, City(done.FunctionArguments.ToString()));
        Assert.Equal(whole.Usage.InputTokenCount, completed!.Usage.InputTokenCount);
        Assert.Equal(whole.Usage.OutputTokenCount, completed.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task Responses_Offline_ToolResultSent_TextAnswerNamesIt()
    {
        await using var gw = await StartAsync();
        var client = gw.Client().GetResponsesClient();
        var tool = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(CitySchema), strictModeEnabled: false);

        var first = (await client.CreateResponseAsync(new CreateResponseOptions("router.default", [ResponseItem.CreateUserMessageItem("Weather in Oslo?")]) { Tools = { tool } })).Value;
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        var second = (await client.CreateResponseAsync(new CreateResponseOptions("router.default", [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "18C and sunny")])
        {
            PreviousResponseId = first.Id,
            Tools = { tool },
        })).Value;

        Assert.Contains("18C and sunny", second.GetOutputText(), StringComparison.Ordinal);
    }
}
