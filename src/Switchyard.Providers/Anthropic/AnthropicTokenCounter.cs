using System.Text.Json;
using Switchyard.Core.Requests;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Anthropic usage as it accumulates: message_start carries the input side, message_delta the (cumulative) output
/// side and, on newer API versions, the input side again. Prompt tokens count cache writes and reads too.
/// </summary>
internal sealed class AnthropicTokenCounter
{
    public long Input { get; private set; }
    public long CacheCreation { get; private set; }
    public long CacheRead { get; private set; }
    public long Output { get; private set; }

    /// <summary>Cache writes to the 1-hour cache (<c>cache_creation.ephemeral_1h_input_tokens</c>); the rest of <see cref="CacheCreation"/> is 5-minute writes.</summary>
    public long CacheCreation1h { get; private set; }

    public long PromptTokens => Input + CacheCreation + CacheRead;

    /// <summary>Takes every count the usage object carries; counts it leaves out keep their value.</summary>
    public void Observe(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        Input = Read(usage, "input_tokens") ?? Input;
        CacheCreation = Read(usage, "cache_creation_input_tokens") ?? CacheCreation;
        CacheRead = Read(usage, "cache_read_input_tokens") ?? CacheRead;
        Output = Read(usage, "output_tokens") ?? Output;
        if (usage.TryGetProperty("cache_creation", out var split) && split.ValueKind == JsonValueKind.Object)
        {
            CacheCreation1h = Read(split, "ephemeral_1h_input_tokens") ?? CacheCreation1h;
            if (!usage.TryGetProperty("cache_creation_input_tokens", out _))
            {
                CacheCreation = (Read(split, "ephemeral_5m_input_tokens") ?? 0) + CacheCreation1h;
            }
        }
    }

    public Usage ToUsage() => new(PromptTokens, Output)
    {
        CacheReadTokens = CacheRead,
        CacheWrite1hTokens = Math.Min(CacheCreation1h, CacheCreation),
        CacheWrite5mTokens = CacheCreation - Math.Min(CacheCreation1h, CacheCreation),
    };

    /// <summary>Writes the OpenAI usage object as the value of a property the caller has named.</summary>
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
