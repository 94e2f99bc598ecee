using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class AzureTests
{
    private const string AzureKey = "azure-key-0123456789abcdef";

    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream, string version = "api_version: 2024-08-01-preview") => GatewayFixture.StartAsync($$"""
        model_list:
          - model_name: azure-chat
            litellm_params:
              model: azure/my-gpt4o-deployment
              api_base: {{upstream.BaseUrl}}/
              api_key: os.environ/AZURE_API_KEY
              {{version}}
          - model_name: azure-embed
            litellm_params:
              model: azure/embedding-deploy
              api_base: {{upstream.BaseUrl}}
              api_key: os.environ/AZURE_API_KEY
              {{version}}
        router_settings:
          num_retries: 0
        """, env: new Dictionary<string, string> { ["AZURE_API_KEY"] = AzureKey });

    [Fact]
    public async Task Azure_Chat_CallsDeploymentUrlWithApiKeyHeaderAndNoAuthorization()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await StartAsync(upstream);

        var completion = await gw.Chat("azure-chat").CompleteChatAsync([new OpenAI.Chat.UserChatMessage("ping")]);

        Assert.Equal("hello from fake", completion.Value.Content[0].Text);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2024-08-01-preview", sent.PathAndQuery);
        Assert.Equal(AzureKey, sent.Headers["api-key"]);
        Assert.False(sent.Headers.ContainsKey("authorization"));
        Assert.Contains("\"model\":\"my-gpt4o-deployment\"", sent.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_NoApiVersion_UsesDefaultVersion()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await StartAsync(upstream, version: "");

        using var response = await gw.ChatAsync("azure-chat");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2024-10-21", upstream.Requests.Single().PathAndQuery);
    }

    [Fact]
    public async Task Azure_Embeddings_CallsEmbeddingsPath()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) =>
        {
            c.Response.ContentType = "application/json";
            return c.Response.WriteAsync("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2]}],\"model\":\"x\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}");
        };
        await using var gw = await StartAsync(upstream);

        using var response = await gw.PostAsync("/v1/embeddings", "{\"model\":\"azure-embed\",\"input\":\"hi\"}");

        Assert.Equal(200, (int)response.StatusCode);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/openai/deployments/embedding-deploy/embeddings?api-version=2024-08-01-preview", sent.PathAndQuery);
        Assert.Equal(AzureKey, sent.Headers["api-key"]);
    }

    [Fact]
    public async Task Azure_Stream_Relayed()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "az", "ure");
        await using var gw = await StartAsync(upstream);

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("azure-chat", stream: true));

        Assert.Equal(["az", "ure"], GatewayRequests.ContentDeltas(GatewayRequests.SseData(await response.Content.ReadAsStringAsync())));
        Assert.False(upstream.Requests.Single().Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task Azure_UpstreamFailure_SummaryNamesAzureFamily()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "azure exploded");
        await using var gw = await StartAsync(upstream);

        using var response = await gw.ChatAsync("azure-chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Equal("azure", s.ProviderFamily);
        Assert.Equal("azure-chat", s.Route);
        Assert.DoesNotContain(AzureKey, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
