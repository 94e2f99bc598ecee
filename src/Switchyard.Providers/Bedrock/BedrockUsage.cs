using System.Text.Json;
using Switchyard.Core.Requests;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Converse <c>usage</c>: inputTokens counts the uncached prompt only, so the prompt is inputTokens plus
/// cacheReadInputTokens and cacheWriteInputTokens (reads and writes also given apart for pricing); outputTokens the answer.
/// </summary>
internal sealed class BedrockUsage
{
    public long Input { get; private set; }
    public long Output { get; private set; }
    public long CacheRead { get; private set; }
    public long CacheWrite { get; private set; }

    public long PromptTokens => Input + CacheRead + CacheWrite;

    public void Observe(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        Input = Read(usage, "inputTokens") ?? Input;
        Output = Read(usage, "outputTokens") ?? Output;
        CacheRead = Read(usage, "cacheReadInputTokens") ?? CacheRead;
        CacheWrite = Read(usage, "cacheWriteInputTokens") ?? CacheWrite;
    }

    public Usage ToUsage() => new(PromptTokens, Output) { CacheReadTokens = CacheRead, CacheWrite5mTokens = CacheWrite };

    public void WriteOpenAIUsage(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("prompt_tokens", PromptTokens);
        w.WriteNumber("completion_tokens", Output);
        w.WriteNumber("total_tokens", PromptTokens + Output);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", CacheRead);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static long? Read(JsonElement usage, string name)
        => usage.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0 ? n : null;
}
