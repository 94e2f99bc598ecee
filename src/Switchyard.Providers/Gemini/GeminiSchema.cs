using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// A JSON Schema (tool parameters, response_format) -> the OpenAPI subset Gemini's <c>Schema</c> accepts. Gemini refuses
/// the whole request on a key it does not know (<c>additionalProperties</c>, <c>$schema</c>, <c>strict</c>, ...), so:
/// local <c>$ref</c>s to <c>$defs</c>/<c>definitions</c> are inlined (a recursive one is refused), a type list or an
/// anyOf with <c>null</c> becomes <c>nullable</c>, <c>const</c> a one-value enum, and keys and string formats Gemini
/// lacks are left out. Nothing that constrains the answer's shape (types, properties, required, items, enums) is lost.
/// </summary>
internal static class GeminiSchema
{
    private const int MaxDepth = 32;

    private static readonly HashSet<string> CopiedKeys = new(StringComparer.Ordinal)
    {
        "description", "title", "nullable", "minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength", "pattern",
        "minProperties", "maxProperties", "propertyOrdering", "example",
    };

    /// <summary>The cleaned schema; <paramref name="path"/> names the caller's field in errors.</summary>
    public static JsonObject Clean(JsonElement schema, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(path, "a schema must be a JSON object", "invalid_type");
        }

        return Clean(schema, schema, path, 0, []);
    }

    /// <summary>Whether a cleaned schema is empty or an object declaring no properties (Gemini refuses such function parameters).</summary>
    public static bool IsEmptyObject(JsonObject schema)
        => schema.Count == 0 || ((string?)schema["type"] == "object" && schema["properties"] is null or JsonObject { Count: 0 } && schema["anyOf"] is null);

    private static JsonObject Clean(JsonElement s, JsonElement root, string path, int depth, List<string> refs)
    {
        if (depth > MaxDepth)
        {
            throw new TranslationException(path, $"the schema nests deeper than {MaxDepth} levels", "invalid_value");
        }

        if (s.ValueKind == JsonValueKind.True || s.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        if (AnthropicJson.String(s, "$ref") is { } reference)
        {
            if (refs.Contains(reference))
            {
                throw new TranslationException(path, $"the schema refers to itself through '{reference}'; Gemini schemas cannot be recursive", "unsupported_value", noEquivalent: true);
            }

            refs.Add(reference);
            var resolved = Clean(Resolve(root, reference, path), root, path, depth + 1, refs);
            refs.RemoveAt(refs.Count - 1);
            if (AnthropicJson.String(s, "description") is { } d)
            {
                resolved["description"] = d;
            }

            return resolved;
        }

        var result = new JsonObject();
        var nullable = false;
        var type = AnthropicJson.Get(s, "type");
        if (type.ValueKind == JsonValueKind.String)
        {
            nullable = type.ValueEquals("null");
            if (!nullable)
            {
                result["type"] = type.GetString();
            }
        }
        else if (type.ValueKind == JsonValueKind.Array)
        {
            var types = type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToList();
            nullable = types.Remove("null");
            if (types.Count == 1)
            {
                result["type"] = types[0];
            }
            else if (types.Count > 1)
            {
                result["anyOf"] = new JsonArray([.. types.Select(t => (JsonNode)new JsonObject { ["type"] = t })]);
            }
        }

        foreach (var p in s.EnumerateObject())
        {
            if (CopiedKeys.Contains(p.Name) && p.Value.ValueKind != JsonValueKind.Null)
            {
                result[p.Name] = AnthropicJson.ToNode(p.Value);
            }
        }

        if (AnthropicJson.String(s, "format") is { } format && KnownFormat((string?)result["type"], format))
        {
            result["format"] = format;
        }

        if (AnthropicJson.TryGet(s, "const", out var constant))
        {
            result["enum"] = new JsonArray(constant.ValueKind == JsonValueKind.String ? constant.GetString() : constant.GetRawText());
            result["type"] ??= "string";
        }
        else if (AnthropicJson.TryGet(s, "enum", out var values) && values.ValueKind == JsonValueKind.Array)
        {
            // Gemini enums are strings; a list of other values stays a plain type constraint.
            if (values.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
            {
                result["enum"] = AnthropicJson.ToNode(values);
            }
        }

        if (AnthropicJson.TryGet(s, "properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            var cleaned = new JsonObject();
            foreach (var p in properties.EnumerateObject())
            {
                cleaned[p.Name] = Clean(p.Value, root, $"{path}.properties.{p.Name}", depth + 1, refs);
            }

            result["properties"] = cleaned;
            result["type"] ??= "object";
            if (AnthropicJson.TryGet(s, "required", out var required) && required.ValueKind == JsonValueKind.Array)
            {
                var names = required.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String && cleaned.ContainsKey(r.GetString()!)).Select(r => (JsonNode?)r.GetString());
                var list = new JsonArray([.. names]);
                if (list.Count > 0)
                {
                    result["required"] = list;
                }
            }
        }

        if (AnthropicJson.TryGet(s, "items", out var items) && items.ValueKind == JsonValueKind.Object)
        {
            result["items"] = Clean(items, root, path + ".items", depth + 1, refs);
        }

        foreach (var key in (ReadOnlySpan<string>)["anyOf", "oneOf"])
        {
            if (AnthropicJson.TryGet(s, key, out var options) && options.ValueKind == JsonValueKind.Array)
            {
                var kept = new List<JsonObject>();
                var i = 0;
                foreach (var option in options.EnumerateArray())
                {
                    if (AnthropicJson.String(option, "type") == "null")
                    {
                        nullable = true;
                    }
                    else
                    {
                        kept.Add(Clean(option, root, $"{path}.{key}[{i}]", depth + 1, refs));
                    }

                    i++;
                }

                Merge(result, kept);
            }
        }

        if (AnthropicJson.TryGet(s, "allOf", out var all) && all.ValueKind == JsonValueKind.Array && all.GetArrayLength() == 1)
        {
            foreach (var (k, v) in Clean(all[0], root, path + ".allOf[0]", depth + 1, refs))
            {
                result[k] ??= v?.DeepClone();
            }
        }

        if (nullable)
        {
            result["nullable"] = true;
        }

        return result;
    }

    /// <summary>One alternative is merged into the schema; several become Gemini's anyOf.</summary>
    private static void Merge(JsonObject result, List<JsonObject> options)
    {
        if (options.Count == 1)
        {
            foreach (var (k, v) in options[0])
            {
                result[k] ??= v?.DeepClone();
            }
        }
        else if (options.Count > 1)
        {
            result["anyOf"] = new JsonArray([.. options]);
        }
    }

    private static JsonElement Resolve(JsonElement root, string reference, string path)
    {
        foreach (var prefix in (ReadOnlySpan<string>)["#/$defs/", "#/definitions/"])
        {
            if (reference.StartsWith(prefix, StringComparison.Ordinal)
                && AnthropicJson.Get(root, prefix[2..^1]) is { ValueKind: JsonValueKind.Object } defs
                && defs.TryGetProperty(reference[prefix.Length..], out var target))
            {
                return target;
            }
        }

        throw new TranslationException(path, $"the schema's '$ref': '{reference}' does not name one of its own $defs; Gemini schemas take no external references", "invalid_value");
    }

    private static bool KnownFormat(string? type, string format) => type switch
    {
        "string" => format is "enum" or "date-time",
        "integer" => format is "int32" or "int64",
        "number" => format is "float" or "double",
        _ => false,
    };
}
