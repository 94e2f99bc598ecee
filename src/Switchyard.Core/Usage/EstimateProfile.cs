using Switchyard.Core.Config;

namespace Switchyard.Core.Usage;

/// <summary>
/// How a route group's providers bill a prompt, for the estimate: the framing they add around messages and tools,
/// and a safety factor where no exact tokenizer was available to calibrate against. A group takes the largest of each
/// figure over its deployments, so the estimate bounds whichever deployment serves the request.
/// </summary>
/// <param name="FactorThousandths">Multiplier (x1000) on text and framing: 1000 where the bound was calibrated (OpenAI encodings).</param>
/// <param name="PerMessage">Tokens a provider adds around each chat message (OpenAI bills 3, and 1 more for a name: 4).</param>
/// <param name="ReplyPriming">Tokens added once per chat request to open the reply (OpenAI: 3).</param>
/// <param name="PerTool">Tokens added per tool definition beyond its names, descriptions and schema text.</param>
/// <param name="ToolsBlock">Tokens added once when a request has tools (OpenAI's namespace header; Anthropic's tool-use system prompt).</param>
/// <param name="BytesPerTokenFloor">When set, the estimate is at least the body's bytes divided by it (the mock provider bills bytes / 4).</param>
public sealed record EstimateProfile(int FactorThousandths, int PerMessage, int ReplyPriming, int PerTool, int ToolsBlock, int? BytesPerTokenFloor)
{
    /// <summary>OpenAI models with a known encoding (o200k_base, cl100k_base): the bound is calibrated against the exact tokenizer.</summary>
    public static readonly EstimateProfile OpenAI = new(1000, PerMessage: 4, ReplyPriming: 3, PerTool: 8, ToolsBlock: 16, BytesPerTokenFloor: null);

    /// <summary>
    /// Models whose tokenizer is not public or not known here (Anthropic, open models behind OpenAI-compatible servers):
    /// an assumption, not a measurement: their tokenizers are taken to produce at most 1.35 times the tokens of
    /// cl100k_base. Anthropic's documented tool-use system prompt (up to 346 tokens) is covered by the tools block.
    /// </summary>
    public static readonly EstimateProfile Uncalibrated = new(1350, PerMessage: 4, ReplyPriming: 3, PerTool: 8, ToolsBlock: 400, BytesPerTokenFloor: null);

    /// <summary>The built-in mock provider, which bills one token per 4 bytes of body.</summary>
    public static readonly EstimateProfile Mock = new(1000, PerMessage: 4, ReplyPriming: 3, PerTool: 8, ToolsBlock: 16, BytesPerTokenFloor: 4);

    /// <summary>The profile for one deployment (by family and model).</summary>
    public static EstimateProfile For(DeploymentConfig d) => d.Family switch
    {
        ProviderFamilies.Mock => Mock,
        ProviderFamilies.OpenAI or ProviderFamilies.Azure when KnownEncoding(d.BaseModel ?? d.Model) => OpenAI,
        _ => Uncalibrated,
    };

    /// <summary>The largest of each figure over a group's deployments (OpenAI's when the group is empty).</summary>
    public static EstimateProfile Combine(IEnumerable<EstimateProfile> profiles)
    {
        EstimateProfile? r = null;
        foreach (var p in profiles)
        {
            r = r is null ? p : new EstimateProfile(
                Math.Max(r.FactorThousandths, p.FactorThousandths), Math.Max(r.PerMessage, p.PerMessage), Math.Max(r.ReplyPriming, p.ReplyPriming),
                Math.Max(r.PerTool, p.PerTool), Math.Max(r.ToolsBlock, p.ToolsBlock),
                r.BytesPerTokenFloor is { } a && p.BytesPerTokenFloor is { } b ? Math.Min(a, b) : r.BytesPerTokenFloor ?? p.BytesPerTokenFloor);
        }

        return r ?? OpenAI;
    }

    /// <summary>OpenAI models whose encoding is o200k_base (gpt-4o, gpt-4.1, gpt-5, o-series) or cl100k_base (gpt-4, gpt-3.5, text-embedding-3/ada).</summary>
    public static bool KnownEncoding(string model)
    {
        var m = model.AsSpan(model.LastIndexOf('/') + 1);
        ReadOnlySpan<string> prefixes = ["gpt-4", "gpt-5", "gpt-3.5", "o1", "o3", "o4", "text-embedding-3", "text-embedding-ada"];
        foreach (var p in prefixes)
        {
            if (m.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
