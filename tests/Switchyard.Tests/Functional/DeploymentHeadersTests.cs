using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>litellm_params.organization and extra_headers reach the provider; azure/o_series/ is a hint, not part of the name.</summary>
public sealed class DeploymentHeadersTests
{
    [Fact]
    public async Task OpenAI_OrganizationAndExtraHeaders_SentUpstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: sk-upstream-0123456789
                  organization: os.environ/OPENAI_ORGANIZATION
                  extra_headers:
                    X-Team: research
                    X-Gateway-Token: os.environ/GATEWAY_TOKEN
            router_settings:
              num_retries: 0
            """, env: new Dictionary<string, string> { ["OPENAI_ORGANIZATION"] = "org-switchyard", ["GATEWAY_TOKEN"] = "tok-42" });

        using var response = await gw.ChatAsync("chat");

        Assert.Equal(200, (int)response.StatusCode);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("org-switchyard", sent.Headers["openai-organization"]);
        Assert.Equal("research", sent.Headers["x-team"]);
        Assert.Equal("tok-42", sent.Headers["x-gateway-token"]);
        Assert.Equal("Bearer sk-upstream-0123456789", sent.Headers["authorization"]);
    }

    [Fact]
    public async Task Azure_OSeriesHint_DeploymentUrlNamesTheModelOnly()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: o1
                litellm_params:
                  model: azure/o_series/o1
                  api_base: {{upstream.BaseUrl}}
                  api_key: azure-key-0123456789
                  api_version: 2024-12-01-preview
                  extra_headers: {X-Region: eu}
            router_settings:
              num_retries: 0
            """);

        using var response = await gw.ChatAsync("o1");

        Assert.Equal(200, (int)response.StatusCode);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/openai/deployments/o1/chat/completions?api-version=2024-12-01-preview", sent.PathAndQuery);
        Assert.Equal("eu", sent.Headers["x-region"]);
        Assert.False(sent.Headers.ContainsKey("openai-organization"));
    }

    [Theory]
    [InlineData("azure/o_series/o1", """{"model":"o1","max_tokens":300,"messages":[{"role":"user","content":"hi"}]}""", 300)]
    [InlineData("openai/o3-mini", """{"model":"o1","max_tokens":300,"messages":[{"role":"user","content":"hi"}]}""", 300)]
    [InlineData("openai/o3-mini", """{"model":"o1","max_tokens":300,"max_completion_tokens":50,"messages":[{"role":"user","content":"hi"}]}""", 50)]
    public async Task OSeries_MaxTokens_SentAsMaxCompletionTokens(string model, string body, int expected)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: o1
                litellm_params:
                  model: {{model}}
                  api_base: {{upstream.BaseUrl}}{{(model.StartsWith("openai/", StringComparison.Ordinal) ? "/v1" : "")}}
                  api_key: key-0123456789
                  api_version: 2024-12-01-preview
              - model_name: plain
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: key-0123456789
            router_settings:
              num_retries: 0
            """);

        var response = await gw.PostAsync("/v1/chat/completions", (object)body);
        var plain = await gw.PostAsync("/v1/chat/completions", (object)body.Replace("\"o1\"", "\"plain\"", StringComparison.Ordinal));

        Assert.Equal((200, 200), (response.Status, plain.Status));
        var sent = System.Text.Json.Nodes.JsonNode.Parse(upstream.Requests.ElementAt(0).Body)!.AsObject();
        Assert.False(sent.ContainsKey("max_tokens"));
        Assert.Equal(expected, (int)sent["max_completion_tokens"]!);
        var other = System.Text.Json.Nodes.JsonNode.Parse(upstream.Requests.ElementAt(1).Body)!.AsObject();
        Assert.Equal(300, (int)other["max_tokens"]!); // any other model gets the body as sent
    }
}
