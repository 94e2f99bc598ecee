using System.Collections.Frozen;
using Switchyard.Core.Config;

namespace Switchyard.Core.Usage;

/// <summary>
/// Dollars per token. A deployment's own prices (model_info or litellm_params input/output_cost_per_token) win;
/// otherwise the built-in table for common models, matched by provider model id or base_model (longest prefix).
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
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DeploymentConfig, StrongBox> Cache = new();

    /// <summary>Prices per token for a deployment, looked up once per config snapshot's deployment.</summary>
    public static (decimal Input, decimal Output) For(DeploymentConfig d) => Cache.GetValue(d, static c => new StrongBox(Lookup(c))).Value;

    private sealed class StrongBox((decimal, decimal) value)
    {
        public (decimal Input, decimal Output) Value { get; } = value;
    }

    private static (decimal Input, decimal Output) Lookup(DeploymentConfig d)
    {
        if (d.InputCostPerToken is not null || d.OutputCostPerToken is not null)
        {
            return (d.InputCostPerToken ?? 0, d.OutputCostPerToken ?? 0);
        }

        if ((Lookup(d.BaseModel) ?? Lookup(d.Model)) is { } p)
        {
            return (p.In / 1_000_000m, p.Out / 1_000_000m);
        }

        return (0, 0);
    }

    private static (decimal In, decimal Out)? Lookup(string? model)
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

        (decimal, decimal)? best = null;
        var bestLength = 0;
        foreach (var (name, price) in PerMillion)
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
}
