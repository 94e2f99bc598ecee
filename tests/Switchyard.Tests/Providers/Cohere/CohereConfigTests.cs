using Switchyard.Core.Config;
using Switchyard.Core.Requests;

namespace Switchyard.Tests.Providers.Cohere;

/// <summary>How cohere/, cohere_chat/ and bare command-... models load: family, default endpoint, key variables, operations.</summary>
public sealed class CohereConfigTests
{
    private static DeploymentConfig Load(string model, Func<string, string?> env)
        => Assert.Single(ConfigLoader.Load($$"""
            model_list:
              - model_name: m
                litellm_params: { model: {{model}} }
            general_settings: { master_key: sk-cohere-config-0001 }
            """, Path.GetTempPath(), env).Deployments);

    [Theory]
    [InlineData("cohere/command-r-plus", "cohere", "command-r-plus")]
    [InlineData("cohere_chat/command-a-03-2025", "cohere_chat", "command-a-03-2025")]
    [InlineData("command-r", "cohere", "command-r")]
    public void Model_LoadsAsCohere_WithDefaultBase(string model, string provider, string upstreamModel)
    {
        var d = Load(model, n => n == "COHERE_API_KEY" ? "co-env" : null);

        Assert.True(d.Enabled, d.DisabledReason);
        Assert.Equal(ProviderFamilies.Cohere, d.Family);
        Assert.Equal(provider, d.Provider);
        Assert.Equal(upstreamModel, d.Model);
        Assert.Equal("https://api.cohere.com", d.ApiBase);
        Assert.Equal("co-env", d.ApiKey);
    }

    [Fact]
    public void KeyVariables_CohereApiKeyFirst_ThenCoApiKey()
    {
        var env = new Dictionary<string, string> { ["CO_API_KEY"] = "co-second" };

        Assert.Equal("co-second", Load("cohere/command-r", env.GetValueOrDefault).ApiKey);
        env["COHERE_API_KEY"] = "co-first";
        Assert.Equal("co-first", Load("cohere/command-r", env.GetValueOrDefault).ApiKey);
    }

    [Fact]
    public void Operations_CohereTakesEmbeddings_CohereChatDoesNot()
    {
        Assert.True(ProviderFamilies.Takes("cohere", OperationKind.Embeddings));
        Assert.False(ProviderFamilies.Takes("cohere_chat", OperationKind.Embeddings));
        Assert.False(ProviderFamilies.Takes("cohere", OperationKind.ImageGeneration));
    }
}
