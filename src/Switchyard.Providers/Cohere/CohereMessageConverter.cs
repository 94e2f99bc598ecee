using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Gemini;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// OpenAI messages -> Cohere v2 <c>messages</c>, which keep OpenAI's roles: system and developer messages as
/// <c>system</c> (text), user messages with text and <c>image_url</c> parts, assistant messages with their text and
/// <c>tool_calls</c> (id, function name and arguments as sent), tool messages as <c>tool</c> with their
/// <c>tool_call_id</c> and text.
/// </summary>
internal static class CohereMessageConverter
{
    public static JsonArray Convert(JsonElement messages)
    {
        var result = new JsonArray();
        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            var path = $"messages[{i++}]";
            var content = AnthropicJson.Get(m, "content");
            switch (AnthropicJson.String(m, "role"))
            {
                case "system" or "developer":
                    result.Add(new JsonObject { ["role"] = "system", ["content"] = Text(content, path) });
                    break;
                case "user":
                    result.Add(new JsonObject { ["role"] = "user", ["content"] = UserContent(content, path) });
                    break;
                case "assistant":
                    var assistant = new JsonObject { ["role"] = "assistant" };
                    if (content.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) && Text(content, path) is { Length: > 0 } text)
                    {
                        assistant["content"] = text;
                    }

                    if (ToolCalls(m, path) is { Count: > 0 } calls)
                    {
                        assistant["tool_calls"] = calls;
                    }

                    result.Add(assistant);
                    break;
                case "tool":
                    var id = AnthropicJson.String(m, "tool_call_id");
                    if (string.IsNullOrEmpty(id))
                    {
                        throw new TranslationException(path + ".tool_call_id", "a tool message needs the tool_call_id it answers", "missing_field");
                    }

                    result.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = id, ["content"] = Text(content, path) });
                    break;
                case var role:
                    throw new TranslationException(path + ".role", $"role '{role}' is not supported for Cohere models", "unsupported_value");
            }
        }

        return result;
    }

    private static string Text(JsonElement content, string path)
    {
        // the shared converter validates the parts (text only here) and joins them
        GeminiContentConverter.Parts(content, path + ".content", textOnly: true);
        return GeminiContentConverter.Text(content);
    }

    private static JsonNode UserContent(JsonElement content, string path)
    {
        if (content.ValueKind != JsonValueKind.Array)
        {
            return Text(content, path);
        }

        var parts = new JsonArray();
        var j = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partPath = $"{path}.content[{j++}]";
            switch (AnthropicJson.String(part, "type"))
            {
                case "text":
                    parts.Add(new JsonObject { ["type"] = "text", ["text"] = AnthropicJson.String(part, "text") ?? "" });
                    break;
                case "image_url" when AnthropicJson.String(AnthropicJson.Get(part, "image_url"), "url") is { Length: > 0 } url:
                    parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } });
                    break;
                case var type:
                    throw new TranslationException(partPath, $"Cohere takes text and image_url content parts; '{type}' is not translated", "unsupported_value", noEquivalent: true);
            }
        }

        return parts;
    }

    private static JsonArray ToolCalls(JsonElement message, string path)
    {
        var result = new JsonArray();
        if (!AnthropicJson.TryGet(message, "tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        var j = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var function = AnthropicJson.Get(call, "function");
            var id = AnthropicJson.String(call, "id");
            var name = AnthropicJson.String(function, "name");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(name))
            {
                throw new TranslationException($"{path}.tool_calls[{j}]", $"tool_calls[{j}] needs an id and a function name", "missing_field");
            }

            var arguments = AnthropicJson.String(function, "arguments");
            result.Add(new JsonObject
            {
                ["id"] = id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = name, ["arguments"] = string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments },
            });
            j++;
        }

        return result;
    }
}
