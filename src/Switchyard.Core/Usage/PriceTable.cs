using System.Collections.Frozen;
using Switchyard.Core.Config;

namespace Switchyard.Core.Usage;

/// <summary>
/// Dollars per token. A deployment's own prices (model_info or litellm_params input/output_cost_per_token) win;
/// otherwise the built-in table for common models, matched by provider model id or base_model (longest prefix).
/// Rerank search units have their own price (<c>input_cost_per_query</c>, else Cohere's list price for its rerank models).
/// Prompt-cache prices come from <c>cache_read_input_token_cost</c>, <c>cache_creation_input_token_cost</c> (5-minute
/// writes) and <c>cache_creation_input_token_cost_above_1hr</c>, else Anthropic's (or Gemini's cache-read) multipliers of the input price
/// (Claude and Gemini on Vertex AI are priced as Anthropic and Google list them).
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
        ["claude-opus-4-5"] = (5.00m, 25.00m),
        ["claude-3-haiku"] = (0.25m, 1.25m),
        ["claude-3-sonnet"] = (3.00m, 15.00m),
        ["claude-3-opus"] = (15.00m, 75.00m),
        ["gemini-3-pro"] = (2.00m, 12.00m),
        ["gemini-2.5-pro"] = (1.25m, 10.00m),
        ["gemini-2.5-flash"] = (0.30m, 2.50m),
        ["gemini-2.5-flash-lite"] = (0.10m, 0.40m),
        ["gemini-2.0-flash"] = (0.10m, 0.40m),
        ["gemini-2.0-flash-lite"] = (0.075m, 0.30m),
        ["gemini-1.5-pro"] = (1.25m, 5.00m),
        ["gemini-1.5-flash"] = (0.075m, 0.30m),
        ["gemini-embedding-001"] = (0.15m, 0m),

        // Cohere's own API.
        ["command-a"] = (2.50m, 10.00m),
        ["command-r-plus"] = (3.00m, 15.00m),
        ["command-r-plus-08-2024"] = (2.50m, 10.00m),
        ["command-r"] = (0.50m, 1.50m),
        ["command-r-08-2024"] = (0.15m, 0.60m),
        ["command-r7b"] = (0.0375m, 0.15m),
        ["command-light"] = (0.30m, 0.60m),
        ["embed-english-v3"] = (0.10m, 0m),
        ["embed-multilingual-v3"] = (0.10m, 0m),
        ["embed-english-light-v3"] = (0.10m, 0m),
        ["embed-multilingual-light-v3"] = (0.10m, 0m),
        ["embed-v4"] = (0.12m, 0m),

        // Bedrock's own and hosted models (on-demand, us-east-1), matched after the ids' region and vendor prefixes
        // (us.anthropic.claude-..., amazon.nova-..., meta.llama3-...); Claude, Cohere and Mistral ids on Bedrock cost
        // what the rows above and below say.
        ["nova-micro"] = (0.035m, 0.14m),
        ["nova-lite"] = (0.06m, 0.24m),
        ["nova-pro"] = (0.80m, 3.20m),
        ["nova-premier"] = (2.50m, 12.50m),
        ["titan-text-express"] = (0.20m, 0.60m),
        ["titan-text-lite"] = (0.15m, 0.20m),
        ["titan-text-premier"] = (0.50m, 1.50m),
        ["titan-embed-text-v1"] = (0.10m, 0m),
        ["titan-embed-text-v2"] = (0.02m, 0m),
        ["llama3-8b-instruct"] = (0.30m, 0.60m),
        ["llama3-70b-instruct"] = (2.65m, 3.50m),
        ["llama3-1-8b-instruct"] = (0.22m, 0.22m),
        ["llama3-1-70b-instruct"] = (0.72m, 0.72m),
        ["llama3-1-405b-instruct"] = (2.40m, 2.40m),
        ["llama3-2-1b-instruct"] = (0.10m, 0.10m),
        ["llama3-2-3b-instruct"] = (0.15m, 0.15m),
        ["llama3-2-11b-instruct"] = (0.16m, 0.16m),
        ["llama3-2-90b-instruct"] = (0.72m, 0.72m),
        ["llama3-3-70b-instruct"] = (0.72m, 0.72m),
        ["llama4-scout-17b"] = (0.17m, 0.66m),
        ["llama4-maverick-17b"] = (0.24m, 0.97m),
        ["mistral-7b-instruct"] = (0.15m, 0.20m),
        ["mixtral-8x7b-instruct"] = (0.45m, 0.70m),
        ["mistral-small-2402"] = (1.00m, 3.00m),
        ["mistral-large-2402"] = (4.00m, 12.00m),
        ["mistral-large-2407"] = (2.00m, 6.00m),
        ["r1-v1"] = (1.35m, 5.40m),

        // Rerankers billed per token (Jina, Voyage); Cohere's bill searches (PerQuery below).
        ["jina-reranker"] = (0.018m, 0m),
        ["rerank-2.5-lite"] = (0.02m, 0m),
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
        ["rerank-v3-5"] = 0.002m, // cohere.rerank-v3-5:0 on Bedrock (its vendor prefix skipped), per query of up to 100 documents
        ["rerank-v1"] = 0.001m, // amazon.rerank-v1:0 on Bedrock
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
        // Claude bills its cache the same wherever it is served (Anthropic, Bedrock, Vertex), Gemini on Google's API or Vertex.
        var model = d.BaseModel ?? d.Model;
        var anthropic = d.Family == ProviderFamilies.Anthropic || model.Contains("claude", StringComparison.OrdinalIgnoreCase);
        var gemini = d.Family == ProviderFamilies.Gemini || model.Contains("gemini", StringComparison.OrdinalIgnoreCase);
        var cacheRead = anthropic ? 0.1m : gemini ? GeminiCacheReadFactor(model) : 1m;
        var query = d.InputCostPerQuery ?? Lookup(d.BaseModel, PerQuery) ?? Lookup(d.Model, PerQuery) ?? 0;
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

        model = WithoutBedrockPrefixes(model);

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

    /// <summary>Region-profile and vendor prefixes of Bedrock model ids (<c>us.</c>, <c>global.</c>, <c>anthropic.</c>, ...).</summary>
    private static readonly FrozenSet<string> BedrockPrefixes = new[]
    {
        "us", "eu", "apac", "global", "us-gov", "jp", "au", "ca",
        "anthropic", "amazon", "meta", "cohere", "mistral", "ai21", "deepseek", "writer", "qwen", "openai", "stability",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>us.anthropic.claude-sonnet-4-20250514-v1:0</c> -> <c>claude-sonnet-4-20250514-v1:0</c>; other ids unchanged.</summary>
    internal static string WithoutBedrockPrefixes(string model)
    {
        for (var dot = model.IndexOf('.', StringComparison.Ordinal); dot > 0 && BedrockPrefixes.Contains(model[..dot]); dot = model.IndexOf('.', StringComparison.Ordinal))
        {
            model = model[(dot + 1)..];
        }

        return model;
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
