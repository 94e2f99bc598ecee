using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// The caller's OpenAI body, parsed once, with the deployment's defaults behind it: a parameter the caller did not
/// send (or sent as null) is taken from the defaults.
/// </summary>
internal sealed class AnthropicRequestSource : IDisposable
{
    private readonly JsonDocument _body;
    private readonly IReadOnlyDictionary<string, JsonNode?> _defaults;
    private readonly List<JsonDocument> _parsedDefaults = [];

    private AnthropicRequestSource(JsonDocument body, IReadOnlyDictionary<string, JsonNode?> defaults)
    {
        _body = body;
        _defaults = defaults;
    }

    public JsonElement Root => _body.RootElement;

    public static AnthropicRequestSource Parse(ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, JsonNode?> defaults)
    {
        var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new TranslationException("messages", "the body must be a JSON object", "invalid_json");
        }

        return new AnthropicRequestSource(document, defaults);
    }

    /// <summary>The caller's value, else the deployment default; null values count as not set.</summary>
    public bool TryGet(string name, out JsonElement value)
        => TryGetCaller(name, out value) || TryGetDefault(name, out value);

    public bool TryGetCaller(string name, out JsonElement value)
        => Root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    public bool TryGetDefault(string name, out JsonElement value)
    {
        if (_defaults.TryGetValue(name, out var node) && node is not null)
        {
            var document = JsonDocument.Parse(node.ToJsonString());
            _parsedDefaults.Add(document);
            value = document.RootElement;
            return value.ValueKind != JsonValueKind.Null;
        }

        value = default;
        return false;
    }

    public void Dispose()
    {
        _body.Dispose();
        foreach (var d in _parsedDefaults)
        {
            d.Dispose();
        }
    }
}
