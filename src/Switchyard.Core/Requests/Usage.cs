namespace Switchyard.Core.Requests;

/// <summary>
/// Token usage reported by the provider. <see cref="PromptTokens"/> is the whole input (what TPM and budgets count):
/// uncached tokens plus the cache reads and writes, which are also given apart for pricing.
/// </summary>
public sealed record Usage(long PromptTokens, long CompletionTokens)
{
    public long TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>Prompt tokens read from the provider's prompt cache (Anthropic <c>cache_read_input_token_cost</c>, OpenAI <c>cached_tokens</c>).</summary>
    public long CacheReadTokens { get; init; }

    /// <summary>Prompt tokens written to a 5-minute cache (Anthropic's default ephemeral cache).</summary>
    public long CacheWrite5mTokens { get; init; }

    /// <summary>Prompt tokens written to a 1-hour cache.</summary>
    public long CacheWrite1hTokens { get; init; }

    /// <summary>Rerank search units billed (Cohere's <c>meta.billed_units.search_units</c>), priced per query.</summary>
    public long SearchUnits { get; init; }

    /// <summary>Whether any part of the prompt was read from or written to a cache.</summary>
    public bool HasCacheTokens => (CacheReadTokens | CacheWrite5mTokens | CacheWrite1hTokens) != 0;
}
