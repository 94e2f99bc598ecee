using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// OpenAI messages -> Gemini <c>systemInstruction</c> and <c>contents</c>: system and developer messages go to the
/// system instruction; user turns keep role user, assistant turns become role model (tool_calls as functionCall parts,
/// with their thought signatures back in place); tool messages become functionResponse parts in a user turn, named
/// after the call they answer. Consecutive turns of one role are merged, so the answers to parallel calls share a turn.
/// </summary>
internal static class GeminiMessageConverter
{
    public static (JsonObject? System, JsonArray Contents) Convert(JsonElement messages)
    {
        var system = new List<JsonObject>();
        var turns = new List<(string Role, List<JsonObject> Parts)>();
        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            var path = $"messages[{i}]";
            var role = AnthropicJson.String(m, "role");
            var content = AnthropicJson.Get(m, "content");
            switch (role)
            {
                case "system" or "developer":
                    system.AddRange(GeminiContentConverter.Parts(content, path + ".content", textOnly: true));
                    break;
                case "user":
                    Append(turns, "user", GeminiContentConverter.Parts(content, path + ".content", textOnly: false));
                    break;
                case "assistant":
                    var parts = GeminiContentConverter.Parts(content, path + ".content", textOnly: false);
                    parts.AddRange(FunctionCalls(m, path, callNames));
                    Append(turns, "model", parts);
                    break;
                case "tool":
                    Append(turns, "user", [FunctionResponse(m, content, path, callNames)]);
                    break;
                default:
                    throw new TranslationException(path + ".role", $"role '{role}' is not supported for Gemini models; send tool results with role 'tool'", "unsupported_value");
            }

            i++;
        }

        var contents = new JsonArray();
        foreach (var (role, parts) in turns)
        {
            contents.Add(new JsonObject { ["role"] = role, ["parts"] = new JsonArray([.. parts]) });
        }

        return (system.Count == 0 ? null : new JsonObject { ["parts"] = new JsonArray([.. system]) }, contents);
    }

    private static List<JsonObject> FunctionCalls(JsonElement message, string path, Dictionary<string, string> callNames)
    {
        var parts = new List<JsonObject>();
        if (!AnthropicJson.TryGet(message, "tool_calls", out var calls))
        {
            return parts;
        }

        path += ".tool_calls";
        if (calls.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException(path, "tool_calls must be an array", "invalid_type");
        }

        var j = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var id = AnthropicJson.String(call, "id");
            var function = AnthropicJson.Get(call, "function");
            var name = AnthropicJson.String(function, "name");
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(name))
            {
                throw new TranslationException($"{path}[{j}]", $"tool_calls[{j}] needs an id and a function name", "missing_field");
            }

            var args = Arguments(AnthropicJson.String(function, "arguments"))
                ?? throw new TranslationException($"{path}[{j}].function.arguments", $"tool_calls[{j}].function.arguments is not a JSON object", "invalid_value");
            callNames[id] = name;
            var part = new JsonObject { ["functionCall"] = new JsonObject { ["name"] = name, ["args"] = args } };
            if (GeminiToolCallIds.Signature(id) is { } signature)
            {
                part["thoughtSignature"] = signature;
            }

            parts.Add(part);
            j++;
        }

        return parts;
    }

    private static JsonObject FunctionResponse(JsonElement message, JsonElement content, string path, Dictionary<string, string> callNames)
    {
        var id = AnthropicJson.String(message, "tool_call_id");
        if (string.IsNullOrEmpty(id))
        {
            throw new TranslationException(path + ".tool_call_id", "a tool message needs the tool_call_id it answers", "missing_field");
        }

        if (!callNames.TryGetValue(id, out var name))
        {
            throw new TranslationException(path + ".tool_call_id", $"tool_call_id '{id}' answers no earlier assistant tool call; Gemini names function responses after their call", "invalid_value");
        }

        // Gemini's response is a JSON object: an answer that is one is sent as it is, any other text wrapped.
        var text = GeminiContentConverter.Text(content);
        JsonNode response = Arguments(text) is { Count: > 0 } obj && text.TrimStart().StartsWith('{') ? obj : new JsonObject { ["content"] = text };
        return new JsonObject { ["functionResponse"] = new JsonObject { ["name"] = name, ["response"] = response } };
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

    private static void Append(List<(string Role, List<JsonObject> Parts)> turns, string role, List<JsonObject> parts)
    {
        if (parts.Count == 0)
        {
            return;
        }

        if (turns.Count > 0 && turns[^1].Role == role)
        {
            turns[^1].Parts.AddRange(parts);
        }
        else
        {
            turns.Add((role, parts));
        }
    }
}
