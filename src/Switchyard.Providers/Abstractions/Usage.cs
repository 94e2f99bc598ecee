namespace Switchyard.Providers.Abstractions;

/// <summary>Token usage reported by the provider.</summary>
public sealed record Usage(long PromptTokens, long CompletionTokens)
{
    public long TotalTokens => PromptTokens + CompletionTokens;
}
