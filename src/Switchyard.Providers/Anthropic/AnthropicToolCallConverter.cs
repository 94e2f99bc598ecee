using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>Assistant tool_calls -> tool_use blocks; tool messages -> tool_result blocks.</summary>
internal static class AnthropicToolCallConverter
{
    public static IEnumerable<JsonObject> ToolUses(JsonElement message, string path)
    {
        if (!AnthropicJson.TryGet(message, "tool_calls", out var calls))
        {
            return [];
        }

        path += ".tool_calls";
        if (calls.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException(path, "tool_calls must be an array", "invalid_type");
        }

        var blocks = new List<JsonObject>();
        var j = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var id = AnthropicJson.String(call, "id");
            var function = AnthropicJson.Get(call, "function");
            var name = AnthropicJson.String(function, "name");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(name))
            {
                throw new TranslationException(path, $"tool_calls[{j}] needs an id and a function name", "missing_field");
            }

            var input = Arguments(AnthropicJson.String(function, "arguments"))
                ?? throw new TranslationException(path, $"tool_calls[{j}].function.arguments is not a JSON object", "invalid_value");
            blocks.Add(new JsonObject { ["type"] = "tool_use", ["id"] = id, ["name"] = name, ["input"] = input });
            j++;
        }

        return blocks;
    }

    public static JsonObject ToolResult(JsonElement message, JsonElement content, string path)
    {
        var id = AnthropicJson.String(message, "tool_call_id");
        if (string.IsNullOrEmpty(id))
        {
            throw new TranslationException(path + ".tool_call_id", "a tool message needs the tool_call_id it answers", "missing_field");
        }

        var block = new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = id };
        var parts = AnthropicContentConverter.Blocks(content, path + ".content", textOnly: false);
        if (parts.Count > 0)
        {
            block["content"] = AnthropicMessageConverter.Content(parts);
        }

        return block;
    }

    /// <summary>The arguments string as a JSON object ("" counts as {}); null when it is not one.</summary>
    private static JsonObject? Arguments(string? arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(arguments) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
