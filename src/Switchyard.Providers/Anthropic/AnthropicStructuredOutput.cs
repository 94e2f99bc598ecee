using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// response_format -> a tool the model is made to call: json_schema gives a tool whose input_schema is the caller's
/// schema (named after the schema when the name is a valid tool name), json_object a tool taking any object. A
/// forced tool call works on every Claude model, with or without a prefill, and its input is JSON by construction;
/// the answer's tool_use input goes back as the message's text content with finish_reason stop.
/// </summary>
internal static class AnthropicStructuredOutput
{
    /// <summary>Used when the schema's name is not a valid tool name, or a caller's tool already has it.</summary>
    public const string DefaultToolName = "json_response";

    private const string Description = "Give the final answer by calling this tool; its input is the answer and must match the schema.";

    /// <summary>The tool carrying structured output, or null when the caller asked for none (or for text).</summary>
    public static (string Name, JsonObject Definition)? Tool(AnthropicRequestSource source)
    {
        if (!source.TryGet("response_format", out var format))
        {
            return null;
        }

        var type = AnthropicJson.String(format, "type");
        switch (type)
        {
            case "text":
                return null;
            case "json_object":
                return Make(source, DefaultToolName, null, new JsonObject { ["type"] = "object", ["additionalProperties"] = true });
            case "json_schema":
                var spec = AnthropicJson.Get(format, "json_schema");
                if (spec.ValueKind != JsonValueKind.Object)
                {
                    throw new TranslationException("response_format.json_schema", "response_format json_schema needs a json_schema object", "missing_field");
                }

                JsonObject schema;
                if (AnthropicJson.TryGet(spec, "schema", out var s))
                {
                    if (s.ValueKind != JsonValueKind.Object || !IsObjectSchema(s))
                    {
                        throw new TranslationException("response_format.json_schema.schema",
                            "Anthropic structured output needs a schema whose root is an object ({\"type\":\"object\",...})", "unsupported_value", noEquivalent: true);
                    }

                    schema = (JsonObject)AnthropicJson.ToNode(s)!;
                }
                else
                {
                    schema = new JsonObject { ["type"] = "object", ["additionalProperties"] = true };
                }

                return Make(source, AnthropicJson.String(spec, "name"), AnthropicJson.String(spec, "description"), schema);
            default:
                throw new TranslationException("response_format.type", $"response_format type '{type}' is not one of text, json_object, json_schema", "invalid_value");
        }
    }

    private static bool IsObjectSchema(JsonElement schema)
    {
        var type = AnthropicJson.Get(schema, "type");
        return type.ValueKind == JsonValueKind.String ? type.ValueEquals("object") : type.ValueKind == JsonValueKind.Undefined && schema.TryGetProperty("properties", out _);
    }

    private static (string, JsonObject) Make(AnthropicRequestSource source, string? name, string? description, JsonObject schema)
    {
        if (name is null || !IsToolName(name) || CallerHasTool(source, name))
        {
            name = CallerHasTool(source, DefaultToolName) ? "switchyard_" + DefaultToolName : DefaultToolName;
        }

        var tool = new JsonObject { ["name"] = name, ["description"] = description is { Length: > 0 } d ? d + " " + Description : Description, ["input_schema"] = schema };
        return (name, tool);
    }

    private static bool IsToolName(string name)
        => name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static bool CallerHasTool(AnthropicRequestSource source, string name)
        => source.TryGet("tools", out var tools) && tools.ValueKind == JsonValueKind.Array
            && tools.EnumerateArray().Any(t => AnthropicJson.String(AnthropicJson.Get(t, "function"), "name") == name);
}
