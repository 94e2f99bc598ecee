using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>OpenAI tools, tool_choice and parallel_tool_calls -> Anthropic tools and tool_choice.</summary>
internal static class AnthropicToolConverter
{
    /// <summary>
    /// Writes tools and tool_choice. With <paramref name="jsonTool"/> (structured output) that tool is added and the
    /// model must end with a tool call: the JSON tool alone is forced when the caller offers no tools (or tool_choice
    /// none); with the caller's tools offered, tool_choice becomes any (call one of them or answer through the JSON
    /// tool); a function the caller forces stays forced.
    /// </summary>
    public static void Apply(AnthropicRequestSource source, JsonObject request, (string Name, JsonObject Definition)? jsonTool)
    {
        var list = new JsonArray();
        if (source.TryGet("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                list.Add(Tool(tool, $"tools[{i}]"));
                i++;
            }
        }

        var callerTools = list.Count > 0;
        var choice = callerTools && source.TryGet("tool_choice", out var c) ? ToolChoice(c) : null; // tool_choice without tools means nothing to Anthropic
        if (jsonTool is { } json)
        {
            list.Add(json.Definition);
            var type = (string?)choice?["type"];
            if (!callerTools || type == "none")
            {
                choice = new JsonObject { ["type"] = "tool", ["name"] = json.Name };
            }
            else if (type is null or "auto" or "any")
            {
                choice = new JsonObject { ["type"] = "any" };
            }
        }

        if (list.Count == 0)
        {
            return;
        }

        request["tools"] = list;
        if (source.TryGet("parallel_tool_calls", out var parallel) && parallel.ValueKind == JsonValueKind.False)
        {
            choice ??= new JsonObject { ["type"] = "auto" };
            if ((string?)choice["type"] != "none")
            {
                choice["disable_parallel_tool_use"] = true;
            }
        }

        if (choice is not null)
        {
            request["tool_choice"] = choice;
        }
    }

    private static JsonObject Tool(JsonElement tool, string path)
    {
        var type = AnthropicJson.String(tool, "type") ?? "function";
        if (type != "function")
        {
            throw new TranslationException(path + ".type", $"tool type '{type}' is not supported for Anthropic models; use function tools", "unsupported_value");
        }

        var function = AnthropicJson.Get(tool, "function");
        var name = AnthropicJson.String(function, "name");
        if (string.IsNullOrEmpty(name))
        {
            throw new TranslationException(path + ".function.name", "a function tool needs a name", "missing_field");
        }

        var result = new JsonObject { ["name"] = name };
        if (AnthropicJson.String(function, "description") is { } description)
        {
            result["description"] = description;
        }

        result["input_schema"] = AnthropicJson.TryGet(function, "parameters", out var schema) && schema.ValueKind == JsonValueKind.Object
            ? AnthropicJson.ToNode(schema)
            : new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
        return result;
    }

    private static JsonObject ToolChoice(JsonElement choice)
    {
        if (choice.ValueKind == JsonValueKind.String)
        {
            return choice.GetString() switch
            {
                "auto" => new JsonObject { ["type"] = "auto" },
                "required" => new JsonObject { ["type"] = "any" },
                "none" => new JsonObject { ["type"] = "none" },
                var other => throw new TranslationException("tool_choice", $"tool_choice '{other}' is not one of auto, required, none", "invalid_value"),
            };
        }

        var function = AnthropicJson.Get(choice, "function");
        if (AnthropicJson.String(choice, "type") == "function" && AnthropicJson.String(function, "name") is { Length: > 0 } name)
        {
            return new JsonObject { ["type"] = "tool", ["name"] = name };
        }

        throw new TranslationException("tool_choice", "tool_choice must be auto, required, none or {\"type\":\"function\",\"function\":{\"name\":...}}", "invalid_value");
    }
}
