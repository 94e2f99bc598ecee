using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// OpenAI tools and tool_choice -> Gemini <c>tools[].functionDeclarations</c> (parameters cleaned to Gemini's schema
/// subset; a function without parameters gets none) and <c>toolConfig.functionCallingConfig</c>: auto AUTO, none NONE,
/// required ANY, a named function ANY limited to it by <c>allowedFunctionNames</c>.
/// </summary>
internal static class GeminiToolConverter
{
    public static void Apply(AnthropicRequestSource source, JsonObject request)
    {
        var declarations = new JsonArray();
        if (source.TryGet("tools", out var tools))
        {
            if (tools.ValueKind != JsonValueKind.Array)
            {
                throw new TranslationException("tools", "'tools' must be an array", "invalid_type");
            }

            var i = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                declarations.Add(Declaration(tool, $"tools[{i}]"));
                i++;
            }
        }

        if (declarations.Count == 0)
        {
            return; // tool_choice without tools means nothing to Gemini
        }

        request["tools"] = new JsonArray(new JsonObject { ["functionDeclarations"] = declarations });
        if (source.TryGet("tool_choice", out var choice))
        {
            request["toolConfig"] = new JsonObject { ["functionCallingConfig"] = CallingConfig(choice) };
        }
    }

    private static JsonObject Declaration(JsonElement tool, string path)
    {
        var type = AnthropicJson.String(tool, "type") ?? "function";
        if (type != "function")
        {
            throw new TranslationException(path + ".type", $"tool type '{type}' is not supported for Gemini models; use function tools", "unsupported_value", noEquivalent: true);
        }

        var function = AnthropicJson.Get(tool, "function");
        var name = AnthropicJson.String(function, "name");
        if (string.IsNullOrEmpty(name))
        {
            throw new TranslationException(path + ".function.name", "a function tool needs a name", "missing_field");
        }

        var result = new JsonObject { ["name"] = name };
        if (AnthropicJson.String(function, "description") is { Length: > 0 } description)
        {
            result["description"] = description;
        }

        if (AnthropicJson.TryGet(function, "parameters", out var schema))
        {
            var cleaned = GeminiSchema.Clean(schema, path + ".function.parameters");
            if (!GeminiSchema.IsEmptyObject(cleaned))
            {
                result["parameters"] = cleaned;
            }
        }

        return result;
    }

    private static JsonObject CallingConfig(JsonElement choice)
    {
        if (choice.ValueKind == JsonValueKind.String)
        {
            return new JsonObject
            {
                ["mode"] = choice.GetString() switch
                {
                    "auto" => "AUTO",
                    "required" => "ANY",
                    "none" => "NONE",
                    var other => throw new TranslationException("tool_choice", $"tool_choice '{other}' is not one of auto, required, none", "invalid_value"),
                },
            };
        }

        if (AnthropicJson.String(choice, "type") == "function" && AnthropicJson.String(AnthropicJson.Get(choice, "function"), "name") is { Length: > 0 } name)
        {
            return new JsonObject { ["mode"] = "ANY", ["allowedFunctionNames"] = new JsonArray(name) };
        }

        throw new TranslationException("tool_choice", "tool_choice must be auto, required, none or {\"type\":\"function\",\"function\":{\"name\":...}}", "invalid_value");
    }
}
