using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// OpenAI tools and tool_choice -> Converse <c>toolConfig</c>: each function a <c>toolSpec</c> with its parameters as
/// <c>inputSchema.json</c>; tool_choice auto <c>{"auto":{}}</c>, required <c>{"any":{}}</c>, a named function
/// <c>{"tool":{"name":…}}</c>. Converse cannot forbid calls while tools are given, so tool_choice none sends no tools.
/// </summary>
internal static class BedrockToolConverter
{
    public static JsonObject? ToolConfig(AnthropicRequestSource source)
    {
        if (!source.TryGet("tools", out var tools))
        {
            return null;
        }

        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException("tools", "'tools' must be an array", "invalid_type");
        }

        var specs = new JsonArray();
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var function = AnthropicJson.Get(tool, "function");
            var name = AnthropicJson.String(function, "name");
            if ((AnthropicJson.String(tool, "type") ?? "function") != "function" || string.IsNullOrEmpty(name))
            {
                throw new TranslationException($"tools[{i}]", "Bedrock takes function tools with a name", "unsupported_value", noEquivalent: true);
            }

            var spec = new JsonObject { ["name"] = name };
            if (AnthropicJson.String(function, "description") is { Length: > 0 } description)
            {
                spec["description"] = description;
            }

            spec["inputSchema"] = new JsonObject
            {
                ["json"] = AnthropicJson.TryGet(function, "parameters", out var schema) && schema.ValueKind == JsonValueKind.Object
                    ? AnthropicJson.ToNode(schema)
                    : new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() },
            };
            specs.Add(new JsonObject { ["toolSpec"] = spec });
            i++;
        }

        if (specs.Count == 0)
        {
            return null;
        }

        var config = new JsonObject { ["tools"] = specs };
        if (source.TryGet("tool_choice", out var choice))
        {
            var mapped = choice.ValueKind == JsonValueKind.String
                ? choice.GetString() switch
                {
                    "auto" => new JsonObject { ["auto"] = new JsonObject() },
                    "required" => new JsonObject { ["any"] = new JsonObject() },
                    "none" => null,
                    var other => throw new TranslationException("tool_choice", $"tool_choice '{other}' is not one of auto, required, none", "invalid_value"),
                }
                : AnthropicJson.String(AnthropicJson.Get(choice, "function"), "name") is { Length: > 0 } name
                    ? new JsonObject { ["tool"] = new JsonObject { ["name"] = name } }
                    : throw new TranslationException("tool_choice", "tool_choice must be auto, required, none or a named function", "invalid_value");
            if (mapped is null)
            {
                return null;
            }

            config["toolChoice"] = mapped;
        }

        return config;
    }
}
