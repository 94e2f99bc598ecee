using System.Text.Json;

namespace Switchyard.Providers.Mock;

/// <summary>
/// A deterministic JSON value matching a JSON Schema, for mock tool-call arguments and structured output: every
/// listed property (so every required one), type-correct values, the first enum or const value, minimums, minLength
/// and minItems honoured, anyOf/oneOf by their first branch, local <c>$ref</c>s (#/$defs, #/definitions) resolved.
/// </summary>
internal static class MockSchemaValues
{
    private const int MaxDepth = 16;

    public static string Generate(JsonElement schema)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            Write(w, schema, schema, "value", 0);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, JsonElement schema, JsonElement root, string name, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            w.WriteNullValue();
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } path && Resolve(root, path) is { } target)
        {
            Write(w, target, root, name, depth + 1);
            return;
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            constant.WriteTo(w);
            return;
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            values[0].WriteTo(w);
            return;
        }

        foreach (var key in (ReadOnlySpan<string>)["anyOf", "oneOf", "allOf"])
        {
            if (schema.TryGetProperty(key, out var branches) && branches.ValueKind == JsonValueKind.Array && branches.GetArrayLength() > 0)
            {
                Write(w, FirstNotNull(branches), root, name, depth + 1);
                return;
            }
        }

        switch (TypeOf(schema))
        {
            case "object":
                w.WriteStartObject();
                if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in properties.EnumerateObject())
                    {
                        w.WritePropertyName(p.Name);
                        Write(w, p.Value, root, p.Name, depth + 1);
                    }
                }

                w.WriteEndObject();
                break;
            case "array":
                w.WriteStartArray();
                var items = schema.TryGetProperty("items", out var i) ? i : default;
                var count = Math.Max(1, Number(schema, "minItems") is { } min ? (int)Math.Min(min, 8) : 1);
                for (var n = 0; n < count; n++)
                {
                    Write(w, items, root, name, depth + 1);
                }

                w.WriteEndArray();
                break;
            case "integer":
                w.WriteNumberValue((long)Math.Ceiling(Number(schema, "minimum") ?? Math.Min(1, Number(schema, "maximum") ?? 1)));
                break;
            case "number":
                w.WriteNumberValue(Number(schema, "minimum") ?? Math.Min(1.5, Number(schema, "maximum") ?? 1.5));
                break;
            case "boolean":
                w.WriteBooleanValue(true);
                break;
            case "null":
                w.WriteNullValue();
                break;
            default:
                w.WriteStringValue(Text(schema, name));
                break;
        }
    }

    private static string Text(JsonElement schema, string name)
    {
        var format = schema.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        var text = format switch
        {
            "date-time" => "2025-01-01T00:00:00Z",
            "date" => "2025-01-01",
            "time" => "00:00:00",
            "email" => "user@example.com",
            "uri" or "url" => "https://example.com/",
            "uuid" => "00000000-0000-4000-8000-000000000000",
            _ => "mock " + name,
        };
        var min = Number(schema, "minLength") is { } m ? (int)Math.Min(m, 1024) : 0;
        return text.Length >= min ? text : text.PadRight(min, 'x');
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                return type.GetString();
            }

            if (type.ValueKind == JsonValueKind.Array)
            {
                return type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null") ?? "null";
            }
        }

        return schema.TryGetProperty("properties", out _) ? "object" : schema.TryGetProperty("items", out _) ? "array" : null;
    }

    private static JsonElement FirstNotNull(JsonElement branches)
    {
        foreach (var b in branches.EnumerateArray())
        {
            if (TypeOf(b) != "null")
            {
                return b;
            }
        }

        return branches[0];
    }

    private static double? Number(JsonElement schema, string name)
        => schema.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static JsonElement? Resolve(JsonElement root, string path)
    {
        if (!path.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        var current = root;
        foreach (var part in path[2..].Split('/'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal), out current))
            {
                return null;
            }
        }

        return current;
    }
}
