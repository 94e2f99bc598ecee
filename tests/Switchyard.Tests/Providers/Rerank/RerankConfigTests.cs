using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Usage;

namespace Switchyard.Tests.Providers.Rerank;

/// <summary>
/// Rerank in the config: <c>model_info.mode: rerank</c> loads (LiteLLM's name), <c>input_cost_per_query</c> is read
/// from model_info or litellm_params, Cohere's rerank models carry their list price per search, and the rerank
/// prefixes (jina_ai/, infinity/) load with their defaults and key variables.
/// </summary>
public sealed class RerankConfigTests
{
    private static GatewayConfig Load(string entries, Func<string, string?>? env = null)
        => ConfigLoader.Load($$"""
            model_list:
            {{entries}}
            general_settings: { master_key: sk-rerank-config-0001 }
            """, Path.GetTempPath(), env ?? (_ => null));

    [Fact]
    public void ModeRerank_Loads_TakesRerankOnly()
    {
        var d = Assert.Single(Load("""
              - model_name: r
                litellm_params: { model: cohere/rerank-v3.5, api_key: co-x }
                model_info: { mode: rerank }
            """).Deployments);

        Assert.True(d.Enabled, d.DisabledReason);
        Assert.Equal("rerank", d.Mode);
        Assert.True(DeploymentModes.Takes(d.Mode, OperationKind.Rerank));
        Assert.False(DeploymentModes.Takes(d.Mode, OperationKind.Chat));
        Assert.False(DeploymentModes.Takes("chat", OperationKind.Rerank));
        Assert.False(DeploymentModes.Takes("embedding", OperationKind.Rerank));
    }

    [Fact]
    public void InputCostPerQuery_FromModelInfoOrParams_ElseCoheresListPrice()
    {
        var config = Load("""
              - model_name: a
                litellm_params: { model: cohere/rerank-v3.5, api_key: co-x }
              - model_name: b
                litellm_params: { model: cohere/rerank-v3.5, api_key: co-y, input_cost_per_query: 0.004 }
              - model_name: c
                litellm_params: { model: cohere/rerank-english-v3.0, api_key: co-z }
                model_info: { input_cost_per_query: 0.001 }
              - model_name: d
                litellm_params: { model: voyage/rerank-2, api_key: pa-x }
            """);

        var byName = config.Deployments.ToDictionary(d => d.ModelName);
        Assert.Equal(0.002m, PriceTable.PricesFor(byName["a"]).Query);
        Assert.Equal(0.004m, PriceTable.PricesFor(byName["b"]).Query);
        Assert.Equal(0.001m, PriceTable.PricesFor(byName["c"]).Query);
        Assert.Equal(0m, PriceTable.PricesFor(byName["d"]).Query);
        Assert.Equal(0.00000005m, PriceTable.For(byName["d"]).Input);
        Assert.False(PriceTable.IsUnpriced(byName["a"]));
        Assert.Equal(0.006m, PriceTable.Cost(byName["a"], new Usage(100, 0) { SearchUnits = 3 }));
    }

    [Theory]
    [InlineData("jina_ai/jina-reranker-v2-base-multilingual", "https://api.jina.ai/v1", "JINA_AI_API_KEY")]
    [InlineData("voyage/rerank-2", "https://api.voyageai.com/v1", "VOYAGE_API_KEY")]
    public void RerankPrefixes_LoadWithDefaultBaseAndKeyVariable_AndTakeRerank(string model, string apiBase, string variable)
    {
        var d = Assert.Single(Load($$"""
              - model_name: r
                litellm_params: { model: {{model}} }
            """, n => n == variable ? "key-" + n : null).Deployments);

        Assert.True(d.Enabled, d.DisabledReason);
        Assert.Equal(apiBase, d.ApiBase);
        Assert.Equal("key-" + variable, d.ApiKey);
        Assert.True(ProviderFamilies.Takes(d.Provider, OperationKind.Rerank));
        Assert.False(ProviderFamilies.Takes(d.Provider, OperationKind.Chat));
    }

    [Fact]
    public void Infinity_NeedsItsApiBase_TakesEmbeddingsAndRerank()
    {
        var d = Assert.Single(Load("""
              - model_name: r
                litellm_params: { model: infinity/BAAI/bge-reranker-base, api_base: "http://localhost:7997" }
            """).Deployments);

        Assert.Equal("http://localhost:7997", d.ApiBase);
        Assert.Equal("BAAI/bge-reranker-base", d.Model);
        Assert.True(ProviderFamilies.Takes("infinity", OperationKind.Rerank));
        Assert.True(ProviderFamilies.Takes("infinity", OperationKind.Embeddings));
        Assert.True(ProviderFamilies.Takes("cohere", OperationKind.Rerank));
        Assert.False(ProviderFamilies.Takes("cohere_chat", OperationKind.Rerank));
    }
}
