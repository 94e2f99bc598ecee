using Switchyard.Core.Config;
using Switchyard.Core.Usage;

namespace Switchyard.Tests.Core;

public sealed class CachePricingTests
{
    private static DeploymentConfig Deployment(string yamlParams)
        => ConfigLoader.Load($"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5
                  api_key: k
            {yamlParams}
            """, "/tmp").Deployments.Single();

    [Fact]
    public void Cost_AnthropicDefaults_CacheMultipliersOfInputPrice()
    {
        // claude-sonnet-4: $3 / $15 per million; reads 0.30, 5m writes 3.75, 1h writes 6.00 per million
        var d = Deployment("");
        var prices = PriceTable.PricesFor(d);

        Assert.Equal(3m / 1_000_000m, prices.Input);
        Assert.Equal(0.3m / 1_000_000m, prices.CacheRead);
        Assert.Equal(3.75m / 1_000_000m, prices.CacheWrite5m);
        Assert.Equal(6m / 1_000_000m, prices.CacheWrite1h);

        // 1,000,000 prompt tokens in all: 100,000 uncached, 500,000 read, 300,000 5m writes, 100,000 1h writes; 10,000 out
        var cost = PriceTable.Cost(d, 1_000_000, 10_000, cacheRead: 500_000, cacheWrite5m: 300_000, cacheWrite1h: 100_000);

        Assert.Equal(0.30m + 0.15m + 1.125m + 0.60m + 0.15m, cost);
    }

    [Fact]
    public void Cost_ConfiguredCachePrices_LiteLLMNamesWin()
    {
        var d = Deployment("""
                  input_cost_per_token: 0.000001
                  output_cost_per_token: 0.000002
                  cache_read_input_token_cost: 0.0000001
                  cache_creation_input_token_cost: 0.000003
                model_info:
                  cache_creation_input_token_cost_above_1hr: 0.000004
            """);

        var cost = PriceTable.Cost(d, promptTokens: 100, completionTokens: 10, cacheRead: 50, cacheWrite5m: 20, cacheWrite1h: 10);

        // 20 uncached x 1e-6 + 50 x 1e-7 + 20 x 3e-6 + 10 x 4e-6 + 10 x 2e-6
        Assert.Equal(0.00002m + 0.000005m + 0.00006m + 0.00004m + 0.00002m, cost);
    }

    [Fact]
    public void Cost_NoCacheTokens_SameAsPlainCost()
    {
        var d = Deployment("");

        Assert.Equal(PriceTable.Cost(d, 1234, 56), PriceTable.Cost(d, 1234, 56, 0, 0, 0));
    }

    [Fact]
    public void Cost_OpenAIFamily_CacheReadsAtInputPriceUnlessConfigured()
    {
        var d = ConfigLoader.Load("""
            model_list:
              - model_name: g
                litellm_params:
                  model: openai/gpt-4o
                  api_key: k
            """, "/tmp").Deployments.Single();

        Assert.Equal(PriceTable.Cost(d, 1000, 10), PriceTable.Cost(d, 1000, 10, cacheRead: 600, cacheWrite5m: 0, cacheWrite1h: 0));
    }
}
