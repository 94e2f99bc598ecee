using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Providers.Anthropic;

/// <summary>Small JSON helpers shared by the translators.</summary>
internal static class AnthropicJson
{
    /// <summary>Unescaped non-ASCII and quotes: the bodies are JSON for APIs, never embedded in HTML.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A standalone node copy of an element (no tie to its document's lifetime).</summary>
    public static JsonNode? ToNode(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(element.Clone()),
        JsonValueKind.Array => JsonArray.Create(element.Clone()),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => JsonValue.Create(element.Clone()),
    };

    /// <summary>The string property, or null when absent or not a string.</summary>
    public static string? String(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The property, or an undefined element when absent or when this is not an object.</summary>
    public static JsonElement Get(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) ? v : default;

    /// <summary>The property when present and not null.</summary>
    public static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        value = default;
        return false;
    }
}
