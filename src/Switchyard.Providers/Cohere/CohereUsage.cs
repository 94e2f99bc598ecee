using System.Text.Json;
using Switchyard.Core.Requests;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// Cohere v2 <c>usage</c>: <c>tokens.input_tokens</c>/<c>output_tokens</c> are what the model read and wrote (the
/// prompt with Cohere's own preamble); <c>billed_units</c> what is charged. The token counts are used, the billed
/// units where Cohere sends no token counts.
/// </summary>
internal sealed class CohereUsage
{
    public long Input { get; private set; }
    public long Output { get; private set; }

    public void Observe(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var part in (ReadOnlySpan<string>)["billed_units", "tokens"])
        {
            if (usage.TryGetProperty(part, out var counts) && counts.ValueKind == JsonValueKind.Object)
            {
                Input = Read(counts, "input_tokens") ?? Input;
                Output = Read(counts, "output_tokens") ?? Output;
            }
        }
    }

    public Usage ToUsage() => new(Input, Output);

    public void WriteOpenAIUsage(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("prompt_tokens", Input);
        w.WriteNumber("completion_tokens", Output);
        w.WriteNumber("total_tokens", Input + Output);
        w.WriteEndObject();
    }

    private static long? Read(JsonElement counts, string name)
        => counts.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var n) && n >= 0 ? (long)n : null;
}
