using System.Text;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Estimation;

/// <summary>
/// Bodies that made the tokenizer-based estimate quadratic (one unbroken word of megabytes) reach a scoped token with a
/// TPM limit through the real gateway: each is answered. Before the linear estimate, the 3.9 MB word kept a core busy for
/// far longer than the generous bound below (80,000 characters took ~5 s, 320,000 ~80 s).
/// </summary>
public sealed class HostileBodyTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("chat")]
    [InlineData("embeddings")]
    public async Task ScopedTokenWithTpm_FourMegabyteSingleWord_IsAnswered(string operation)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: agent
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: sk-provider
              - model_name: embed
                litellm_params:
                  model: openai/text-embedding-3-small
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: sk-provider
            """);
        var (token, _) = await gw.GenerateKeyAsync(new { tpm_limit = 100_000_000, rpm_limit = 100 });
        upstream.Handler = (c, _) => operation == "chat"
            ? OpenAIWire.WriteCompletionAsync(c, "ok")
            : c.Response.WriteAsync("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1]}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}");
        var word = new string('a', 3_900_000);
        var body = operation == "chat"
            ? "{\"model\":\"agent\",\"messages\":[{\"role\":\"user\",\"content\":\"" + word + "\"}]}"
            : "{\"model\":\"embed\",\"input\":\"" + word + "\"}";

        var response = await gw.SendAsync(HttpMethod.Post, operation == "chat" ? "/v1/chat/completions" : "/v1/embeddings", token, body).WaitAsync(Generous);

        Assert.Equal(200, response.Status);
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task ScopedTokenWithSmallTpm_FourMegabyteSingleWord_AfterAnotherRequest_IsRefusedWithASummary()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: agent
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: sk-provider
            """);
        var (token, _) = await gw.GenerateKeyAsync(new { tpm_limit = 100_000 });
        var body = "{\"model\":\"agent\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('z', 3_900_000) + "\"}]}";
        Assert.Equal(200, (await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", token, "{\"model\":\"agent\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).Status);

        var response = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", token, body).WaitAsync(Generous);

        Assert.Equal((429, "tpm_limit"), (response.Status, response.ErrorCode));
        Assert.Equal(1, upstream.Count); // only the first, small request
        Assert.True(Encoding.UTF8.GetByteCount(body) < 4 * 1024 * 1024);
    }
}
