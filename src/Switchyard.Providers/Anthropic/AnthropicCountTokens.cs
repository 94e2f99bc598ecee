using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Switchyard.Providers.Anthropic;

/// <summary>The count_tokens answer, <c>{"input_tokens": n}</c>: read from Anthropic and written by the gateway.</summary>
public static class AnthropicCountTokens
{
    public static long? Read(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return AnthropicJson.Get(document.RootElement, "input_tokens") is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var v) && v >= 0 ? v : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static byte[] Answer(long inputTokens) => Encoding.UTF8.GetBytes("{\"input_tokens\":" + inputTokens.ToString(CultureInfo.InvariantCulture) + "}");
}
