using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class ChatCompletionsTests
{
    [Fact]
    public async Task Chat_AliasToOpenAICompatibleUpstream_ReturnsUpstreamAnswerThroughSdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gpt-group
                litellm_params:
                  model: hosted_vllm/llama-3-8b
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: sk-provider-secret
            router_settings:
              model_group_alias:
                router.default: gpt-group
            """);

        var completion = await gw.Chat("router.default").CompleteChatAsync([new UserChatMessage("ping")]);

        Assert.Equal("hello from fake", completion.Value.Content[0].Text);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Contains("\"model\":\"llama-3-8b\"", sent.Body, StringComparison.Ordinal);
        Assert.Equal("Bearer sk-provider-secret", sent.Headers["authorization"]);
    }

    [Fact]
    public async Task Chat_Streaming_RelaysChunksAndUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "Hel", "lo");
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: router.default
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
            """);

        var text = "";
        ChatTokenUsage? usage = null;
        await foreach (var update in gw.Chat("router.default").CompleteChatStreamingAsync([new UserChatMessage("ping")], new ChatCompletionOptions()))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
        }

        Assert.Equal("Hello", text);
        Assert.NotNull(usage);
    }
}
