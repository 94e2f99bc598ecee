using System.Text;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Usage;
using Switchyard.Providers.Sse;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Tests.Providers.OpenAI;

public sealed class OpenAICachedUsageTests
{
    private static readonly DeploymentConfig Priced = ConfigLoader.Load("""
        model_list:
          - model_name: g
            litellm_params:
              model: openai/gpt-4o
              api_key: k
              input_cost_per_token: 0.000002
              output_cost_per_token: 0.000008
              cache_read_input_token_cost: 0.0000005
        """, "/tmp").Deployments.Single();

    [Fact]
    public void Inspect_ChatWithCachedTokens_CacheReadsGivenApartAndPricedAtCacheRate()
    {
        var body = """
            {"id":"c","choices":[{"message":{"role":"assistant","content":"hi"}}],
             "usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100,"prompt_tokens_details":{"cached_tokens":800,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}
            """u8;

        var (problem, usage) = ResponseInspector.Inspect(body, OperationKind.Chat);

        Assert.Null(problem);
        Assert.Equal(1000, usage!.PromptTokens);
        Assert.Equal(100, usage.CompletionTokens);
        Assert.Equal(800, usage.CacheReadTokens);
        // 200 uncached x 2e-6 + 800 cached x 5e-7 + 100 out x 8e-6
        Assert.Equal(0.0004m + 0.0004m + 0.0008m, PriceTable.Cost(Priced, usage));
    }

    [Fact]
    public void Inspect_ResponsesWithCachedTokens_InputTokensDetailsRead()
    {
        var body = """
            {"id":"resp_1","object":"response","output":[],
             "usage":{"input_tokens":500,"input_tokens_details":{"cached_tokens":384},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":520}}
            """u8;

        var (_, usage) = ResponseInspector.Inspect(body, OperationKind.Responses);

        Assert.Equal(500, usage!.PromptTokens);
        Assert.Equal(384, usage.CacheReadTokens);
        Assert.Equal((116 * 0.000002m) + (384 * 0.0000005m) + (20 * 0.000008m), PriceTable.Cost(Priced, usage));
    }

    [Fact]
    public void Inspect_NoDetails_NoCacheTokens()
    {
        var (_, usage) = ResponseInspector.Inspect("""{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1,"prompt_tokens_details":null}}"""u8, OperationKind.Chat);

        Assert.Equal(7, usage!.PromptTokens);
        Assert.Equal(0, usage.CacheReadTokens);
        Assert.False(usage.HasCacheTokens);
    }

    [Fact]
    public void Inspect_CachedAbovePrompt_ClampedToPrompt()
    {
        var (_, usage) = ResponseInspector.Inspect("""{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":99}}}"""u8, OperationKind.Chat);

        Assert.Equal(10, usage!.CacheReadTokens);
    }

    [Fact]
    public void Scanner_ChatStreamUsageChunk_CachedTokensRead()
    {
        var scanner = new SseUsageScanner();
        var done = scanner.Scan(Encoding.UTF8.GetBytes(
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n" +
            "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":2048,\"completion_tokens\":12,\"total_tokens\":2060,\"prompt_tokens_details\":{\"cached_tokens\":1920}}}\n\n" +
            "data: [DONE]\n\n"));

        Assert.True(done);
        Assert.Equal(2048, scanner.Usage!.PromptTokens);
        Assert.Equal(1920, scanner.Usage.CacheReadTokens);
        Assert.Equal((128 * 0.000002m) + (1920 * 0.0000005m) + (12 * 0.000008m), PriceTable.Cost(Priced, scanner.Usage));
    }

    [Fact]
    public void Scanner_ResponsesCompletedEvent_CachedTokensRead()
    {
        var scanner = new SseUsageScanner(responses: true);
        scanner.Scan(Encoding.UTF8.GetBytes(
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":9,\"response\":{\"id\":\"resp_1\",\"output\":[],\"usage\":{\"input_tokens\":300,\"input_tokens_details\":{\"cached_tokens\":256},\"output_tokens\":4,\"total_tokens\":304}}}\n\n"));

        Assert.Equal(300, scanner.Usage!.PromptTokens);
        Assert.Equal(256, scanner.Usage.CacheReadTokens);
    }
}
