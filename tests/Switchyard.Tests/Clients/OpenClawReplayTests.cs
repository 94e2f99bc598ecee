using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Clients;

/// <summary>
/// OpenClaw 2026.9.6's call after a tool ran (captured against a fake upstream: <c>POST /chat/completions</c> without
/// <c>/v1</c>, as its LiteLLM provider with <c>baseUrl: http://host:4000</c> calls it, streamed with
/// <c>include_usage</c>, <c>max_completion_tokens</c>, and a user message of context after the tool result).
/// </summary>
public sealed class OpenClawReplayTests
{
    private static readonly CapturedRequest Captured = CapturedRequest.Load("openclaw-2026.9.6-tool-result-turn");

    private static async Task<(GatewayFixture Gateway, string Key)> StartAsync(string deployment)
    {
        var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gpt-chat
                litellm_params: {{deployment}}
            """);
        var (key, _) = await gw.GenerateKeyAsync(new { models = new[] { "gpt-chat" } });
        return (gw, key);
    }

    [Fact]
    public async Task ToolResultTurn_UnversionedPath_PassedThroughToTheOpenAIDeployment()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "hello-", "from-tool");
        var (gw, key) = await StartAsync($"{{ model: openai/gpt-4o, api_base: \"{upstream.BaseUrl}/v1\", api_key: sk-upstream }}");
        await using var lifetime = gw;

        var (status, body, _) = await Captured.SendAsync(gw, key);

        Assert.True(status == 200, body);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.Contains("\"usage\":", body, StringComparison.Ordinal);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal("gpt-4o", JsonDocument.Parse(sent.Body).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task ToolResultFollowedByContextMessage_OfflineMock_AnswersTheResultInsteadOfCallingAgain()
    {
        var (gw, key) = await StartAsync("{ model: mock/agent }");
        await using var lifetime = gw;
        var body = Captured.CopyBody();
        body["stream"] = false;
        body.Remove("stream_options");

        var (status, text, _) = await Captured.SendAsync(gw, key, body);

        Assert.True(status == 200, text);
        var choice = JsonDocument.Parse(text).RootElement.GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Contains("to the tool result: hello-from-tool", choice.GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
    }
}
