using Switchyard.Core.Requests;
using Switchyard.Providers.OpenAI;
using Switchyard.Providers.Sse;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.OpenAI;

/// <summary>
/// Found by the SSE fuzzer: an upstream body whose property name is a lone surrogate escape made
/// Utf8JsonReader.ValueTextEquals throw InvalidOperationException, which escaped the usage scanner and the response
/// inspector (a 500 for non-stream calls, an Error log line with a stack trace for streams).
/// </summary>
public sealed class UpstreamLoneSurrogateTests
{
    private const string BadName = "{\"\\ud83d\":1,\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";

    [Fact]
    public void UsageScanner_LoneSurrogatePropertyName_IgnoresTheLine()
    {
        var scanner = new SseUsageScanner();

        var done = scanner.Scan(System.Text.Encoding.UTF8.GetBytes("data: " + BadName + "\n\ndata: [DONE]\n\n"));

        Assert.True(done);
    }

    [Fact]
    public void ResponseInspector_LoneSurrogatePropertyName_IsAProblemNotACrash()
    {
        var (problem, _) = ResponseInspector.Inspect(System.Text.Encoding.UTF8.GetBytes(BadName), OperationKind.Chat);

        Assert.NotNull(problem);
    }

    [Fact]
    public async Task Gateway_UpstreamBodyWithLoneSurrogateName_502NotA500()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) =>
        {
            c.Response.ContentType = "application/json";
            return c.Response.WriteAsync(BadName);
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
            """);

        using var response = await gw.ChatAsync("chat");

        await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_invalid_response");
        Assert.DoesNotContain(gw.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Gateway_StreamWithLoneSurrogateNameOnAUsageLine_CompletesWithoutErrorLog()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) =>
        {
            await OpenAIWire.StartStreamAsync(c);
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("hi") + OpenAIWire.Chunk(null, "stop") + "data: " + BadName + "\n\ndata: [DONE]\n\n");
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
            """);

        using var response = await gw.ChatAsync("chat", stream: true);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain(gw.Logs.Entries, e => e.Level >= LogLevel.Error);
    }
}
