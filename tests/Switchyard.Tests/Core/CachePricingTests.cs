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

    [Theory]
    [InlineData("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", 3.00, 15.00)]
    [InlineData("bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0", 3.00, 15.00)]
    [InlineData("bedrock/converse/global.anthropic.claude-opus-4-5-20251101-v1:0", 5.00, 25.00)]
    [InlineData("bedrock/anthropic.claude-3-haiku-20240307-v1:0", 0.25, 1.25)]
    [InlineData("bedrock/amazon.nova-pro-v1:0", 0.80, 3.20)]
    [InlineData("bedrock/us.amazon.nova-lite-v1:0", 0.06, 0.24)]
    [InlineData("bedrock/amazon.titan-embed-text-v2:0", 0.02, 0)]
    [InlineData("bedrock/meta.llama3-1-70b-instruct-v1:0", 0.72, 0.72)]
    [InlineData("bedrock/cohere.command-r-plus-v1:0", 3.00, 15.00)]
    [InlineData("bedrock/mistral.mistral-large-2402-v1:0", 4.00, 12.00)]
    [InlineData("cohere/command-r-08-2024", 0.15, 0.60)]
    [InlineData("cohere/command-a-03-2025", 2.50, 10.00)]
    [InlineData("cohere/embed-v4.0", 0.12, 0)]
    [InlineData("gpt-4.1-mini", 0.40, 1.60)]
    public void PricesFor_BedrockAndCohereIds_ListPricePerMillion(string model, double input, double output)
    {
        var d = ConfigLoader.Load($"""
            model_list:
              - model_name: m
                litellm_params:
                  model: {model}
                  api_key: k
                  aws_access_key_id: AKID
                  aws_secret_access_key: secret
                  aws_region_name: us-east-1
            """, "/tmp").Deployments.Single();

        var prices = PriceTable.PricesFor(d);

        Assert.Equal((decimal)input / 1_000_000m, prices.Input);
        Assert.Equal((decimal)output / 1_000_000m, prices.Output);
        Assert.False(PriceTable.IsUnpriced(d));
    }

    [Fact]
    public void PricesFor_ClaudeOnBedrock_AnthropicCacheMultipliers()
    {
        var d = ConfigLoader.Load("""
            model_list:
              - model_name: m
                litellm_params:
                  model: bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0
                  aws_access_key_id: AKID
                  aws_secret_access_key: secret
                  aws_region_name: us-east-1
            """, "/tmp").Deployments.Single();

        var prices = PriceTable.PricesFor(d);

        Assert.Equal(ProviderFamilies.Bedrock, d.Family);
        Assert.Equal(0.3m / 1_000_000m, prices.CacheRead);
        Assert.Equal(3.75m / 1_000_000m, prices.CacheWrite5m);
    }

    [Theory]
    [InlineData("us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-20250514-v1:0")]
    [InlineData("amazon.titan-embed-text-v2:0", "titan-embed-text-v2:0")]
    [InlineData("gpt-4.1", "gpt-4.1")]
    [InlineData("claude-3.5-sonnet", "claude-3.5-sonnet")]
    [InlineData("us.", "")]
    public void WithoutBedrockPrefixes_StripsOnlyKnownRegionAndVendorPrefixes(string model, string expected)
        => Assert.Equal(expected, PriceTable.WithoutBedrockPrefixes(model));
}
