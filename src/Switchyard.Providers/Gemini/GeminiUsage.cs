using System.Text.Json;
using Switchyard.Core.Requests;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Gemini <c>usageMetadata</c> as it accumulates (each streamed chunk repeats the running totals). The prompt counts
/// its cached part (<c>cachedContentTokenCount</c>, priced as cache reads) and tool-use prompts; the completion counts
/// the answer and the thinking (<c>thoughtsTokenCount</c>, given apart as OpenAI's reasoning_tokens), both billed as output.
/// </summary>
internal sealed class GeminiUsage
{
    public long Prompt { get; private set; }
    public long ToolUsePrompt { get; private set; }
    public long Candidates { get; private set; }
    public long Thoughts { get; private set; }
    public long Cached { get; private set; }

    public long PromptTokens => Prompt + ToolUsePrompt;

    public long CompletionTokens => Candidates + Thoughts;

    public void Observe(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        Prompt = Read(usage, "promptTokenCount") ?? Prompt;
        ToolUsePrompt = Read(usage, "toolUsePromptTokenCount") ?? ToolUsePrompt;
        Candidates = Read(usage, "candidatesTokenCount") ?? Candidates;
        Thoughts = Read(usage, "thoughtsTokenCount") ?? Thoughts;
        Cached = Read(usage, "cachedContentTokenCount") ?? Cached;
    }

    public Usage ToUsage() => new(PromptTokens, CompletionTokens) { CacheReadTokens = Math.Min(Cached, PromptTokens) };

    /// <summary>Writes the OpenAI usage object as the value of a property the caller has named.</summary>
    public void WriteOpenAIUsage(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("prompt_tokens", PromptTokens);
        w.WriteNumber("completion_tokens", CompletionTokens);
        w.WriteNumber("total_tokens", PromptTokens + CompletionTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", Math.Min(Cached, PromptTokens));
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", Thoughts);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static long? Read(JsonElement usage, string name)
        => usage.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0 ? n : null;
}
