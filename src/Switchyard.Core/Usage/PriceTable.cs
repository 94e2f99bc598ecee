using System.Collections.Frozen;
using Switchyard.Core.Config;

namespace Switchyard.Core.Usage;

/// <summary>
/// Dollars per token. A deployment's own prices (model_info or litellm_params input/output_cost_per_token) win;
/// otherwise the built-in table for common models, matched by provider model id or base_model (longest prefix).
/// Rerank search units have their own price (<c>input_cost_per_query</c>, else Cohere's list price for its rerank models).
/// Prompt-cache prices come from <c>cache_read_input_token_cost</c>, <c>cache_creation_input_token_cost</c> (5-minute
/// writes) and <c>cache_creation_input_token_cost_above_1hr</c>, else Anthropic's (or Gemini's cache-read) multipliers of the input price.
/// </summary>
public static class PriceTable
{
    /// <summary>(input, output) dollars per million tokens; list prices of late 2026 for common models.</summary>
    private static readonly FrozenDictionary<string, (decimal In, decimal Out)> PerMillion = new Dictionary<string, (decimal, decimal)>(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4o-mini"] = (0.15m, 0.60m),
        ["gpt-4o"] = (2.50m, 10.00m),
        ["gpt-4.1-nano"] = (0.10m, 0.40m),
        ["gpt-4.1-mini"] = (0.40m, 1.60m),
        ["gpt-4.1"] = (2.00m, 8.00m),
        ["gpt-5-nano"] = (0.05m, 0.40m),
        ["gpt-5-mini"] = (0.25m, 2.00m),
        ["gpt-5"] = (1.25m, 10.00m),
        ["o3-mini"] = (1.10m, 4.40m),
        ["o4-mini"] = (1.10m, 4.40m),
        ["o3"] = (2.00m, 8.00m),
        ["gpt-3.5-turbo"] = (0.50m, 1.50m),
        ["text-embedding-3-small"] = (0.02m, 0m),
        ["text-embedding-3-large"] = (0.13m, 0m),
        ["claude-3-5-haiku"] = (0.80m, 4.00m),
        ["claude-3-5-sonnet"] = (3.00m, 15.00m),
        ["claude-3-7-sonnet"] = (3.00m, 15.00m),
        ["claude-sonnet-4"] = (3.00m, 15.00m),
        ["claude-haiku-4"] = (1.00m, 5.00m),
        ["claude-opus-4"] = (15.00m, 75.00m),
        ["gemini-3-pro"] = (2.00m, 12.00m),
        ["gemini-2.5-pro"] = (1.25m, 10.00m),
        ["gemini-2.5-flash"] = (0.30m, 2.50m),
        ["gemini-2.5-flash-lite"] = (0.10m, 0.40m),
        ["gemini-2.0-flash"] = (0.10m, 0.40m),
        ["gemini-2.0-flash-lite"] = (0.075m, 0.30m),
        ["gemini-1.5-pro"] = (1.25m, 5.00m),
        ["gemini-1.5-flash"] = (0.075m, 0.30m),
        ["gemini-embedding-001"] = (0.15m, 0m),
        ["jina-reranker"] = (0.018m, 0m),
        ["rerank-2.5-lite"] = (0.02m, 0m), // Voyage's rerankers bill tokens; Cohere's (below) bill searches
        ["rerank-2.5"] = (0.05m, 0m),
        ["rerank-2-lite"] = (0.02m, 0m),
        ["rerank-2"] = (0.05m, 0m),
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Dollars per rerank search unit (one query over up to 100 documents): Cohere's list prices, $2.00 per 1000 searches.</summary>
    private static readonly FrozenDictionary<string, decimal> PerQuery = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase)
    {
        ["rerank-v3.5"] = 0.002m,
        ["rerank-english-v3.0"] = 0.002m,
        ["rerank-multilingual-v3.0"] = 0.002m,
        ["rerank-english-v2.0"] = 0.001m,
        ["rerank-multilingual-v2.0"] = 0.001m,
        ["cohere.rerank-v3-5"] = 0.002m, // on Bedrock, per query of up to 100 documents
        ["amazon.rerank-v1"] = 0.001m,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DeploymentConfig, StrongBox> Cache = new();

    /// <summary>Prices per token for a deployment, looked up once per config snapshot's deployment.</summary>
    public static (decimal Input, decimal Output) For(DeploymentConfig d)
    {
        var p = PricesFor(d);
        return (p.Input, p.Output);
    }

    /// <summary>
    /// Whether an enabled provider deployment (not the mock) has neither its own prices nor a built-in one, so its
    /// spend counts as $0: warned about at start (a log line naming it) and by doctor (SY113). A wildcard model_name's
    /// deployment is priced per concrete model it is called with, so it is never unpriced as written.
    /// </summary>
    public static bool IsUnpriced(DeploymentConfig d) => d.Enabled && d.Family != ProviderFamilies.Mock && !d.IsWildcard && For(d) == (0, 0) && PricesFor(d).Query == 0;

    /// <summary>All of a deployment's prices per token, prompt-cache reads and writes included.</summary>
    public static TokenPrices PricesFor(DeploymentConfig d) => Cache.GetValue(d, static c => new StrongBox(Lookup(c))).Value;

    private sealed class StrongBox(TokenPrices value)
    {
        public TokenPrices Value { get; } = value;
    }

    private static TokenPrices Lookup(DeploymentConfig d)
    {
        decimal input = 0, output = 0;
        if (d.InputCostPerToken is not null || d.OutputCostPerToken is not null)
        {
            (input, output) = (d.InputCostPerToken ?? 0, d.OutputCostPerToken ?? 0);
        }
        else if ((Lookup(d.BaseModel) ?? Lookup(d.Model)) is { } p)
        {
            (input, output) = (p.In / 1_000_000m, p.Out / 1_000_000m);
        }

        // Anthropic's multipliers on the base input price: reads 0.1x, 5-minute writes 1.25x, 1-hour writes 2x. Gemini
        // bills implicit-cache reads at 0.25x (1.5 and 2.0 models) or 0.1x (2.5 and later). Other families bill cached
        // tokens at the input price unless the deployment sets its cache prices.
        var anthropic = d.Family == ProviderFamilies.Anthropic;
        var query = d.InputCostPerQuery ?? Lookup(d.BaseModel, PerQuery) ?? Lookup(d.Model, PerQuery) ?? 0;
        var cacheRead = anthropic ? 0.1m : d.Family == ProviderFamilies.Gemini ? GeminiCacheReadFactor(d.BaseModel ?? d.Model) : 1m;
        return new TokenPrices(
            input,
            output,
            d.CacheReadCostPerToken ?? (input * cacheRead),
            d.CacheWriteCostPerToken ?? (anthropic ? input * 1.25m : input),
            d.CacheWrite1hCostPerToken ?? (anthropic ? input * 2m : input),
            query);
    }

    private static decimal GeminiCacheReadFactor(string model)
        => model.Contains("gemini-1.", StringComparison.OrdinalIgnoreCase) || model.Contains("gemini-2.0", StringComparison.OrdinalIgnoreCase) ? 0.25m : 0.1m;

    private static (decimal In, decimal Out)? Lookup(string? model) => Lookup(model, PerMillion);

    /// <summary>The longest-prefix entry of <paramref name="table"/> for the model id (its provider prefix cut off).</summary>
    private static T? Lookup<T>(string? model, FrozenDictionary<string, T> table)
        where T : struct
    {
        if (string.IsNullOrEmpty(model))
        {
            return null;
        }

        var slash = model.LastIndexOf('/');
        if (slash >= 0)
        {
            model = model[(slash + 1)..];
        }

        T? best = null;
        var bestLength = 0;
        foreach (var (name, price) in table)
        {
            if (name.Length > bestLength && model.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                best = price;
                bestLength = name.Length;
            }
        }

        return best;
    }

    public static decimal Cost(DeploymentConfig d, long promptTokens, long completionTokens)
    {
        var (i, o) = For(d);
        return (promptTokens * i) + (completionTokens * o);
    }

    /// <summary>What a call cost: its whole prompt and completion, with prompt-cache reads and writes at their own prices.</summary>
    public static decimal Cost(DeploymentConfig d, Requests.Usage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var tokens = Cost(d, usage.PromptTokens, usage.CompletionTokens, usage.CacheReadTokens, usage.CacheWrite5mTokens, usage.CacheWrite1hTokens);
        return usage.SearchUnits == 0 ? tokens : tokens + (usage.SearchUnits * PricesFor(d).Query);
    }

    /// <summary>
    /// The cost of a call whose prompt was partly served from or written to the provider's cache:
    /// <paramref name="promptTokens"/> is the whole input (uncached, cache reads and writes together); the uncached
    /// rest is billed at the input price, each cache part at its own.
    /// </summary>
    public static decimal Cost(DeploymentConfig d, long promptTokens, long completionTokens, long cacheRead, long cacheWrite5m, long cacheWrite1h)
    {
        var p = PricesFor(d);
        var uncached = Math.Max(0, promptTokens - cacheRead - cacheWrite5m - cacheWrite1h);
        return (uncached * p.Input) + (cacheRead * p.CacheRead) + (cacheWrite5m * p.CacheWrite5m) + (cacheWrite1h * p.CacheWrite1h)
            + (completionTokens * p.Output);
    }
}

/// <summary>Dollars per token: uncached input, output, cache reads, 5-minute and 1-hour cache writes; and per rerank search unit.</summary>
public readonly record struct TokenPrices(decimal Input, decimal Output, decimal CacheRead, decimal CacheWrite5m, decimal CacheWrite1h, decimal Query = 0);
