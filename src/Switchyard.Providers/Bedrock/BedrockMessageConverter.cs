using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Gemini;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// OpenAI messages -> Converse <c>system</c> blocks and <c>messages</c>: user and assistant turns with text and image
/// blocks (images as base64 data: URLs become <c>{"image":{"format","source":{"bytes"}}}</c>), assistant tool_calls as
/// <c>toolUse</c>, tool messages as <c>toolResult</c> blocks in a user turn; consecutive turns of one role merged,
/// as Converse requires the roles to alternate.
/// </summary>
internal static class BedrockMessageConverter
{
    public static (JsonArray System, JsonArray Messages) Convert(JsonElement messages)
    {
        var system = new JsonArray();
        var turns = new List<(string Role, List<JsonObject> Blocks)>();
        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            var path = $"messages[{i++}]";
            var content = AnthropicJson.Get(m, "content");
            switch (AnthropicJson.String(m, "role"))
            {
                case "system" or "developer":
                    foreach (var block in Blocks(content, path + ".content", textOnly: true))
                    {
                        system.Add(block);
                    }

                    break;
                case "user":
                    Append(turns, "user", Blocks(content, path + ".content", textOnly: false));
                    break;
                case "assistant":
                    var blocks = Blocks(content, path + ".content", textOnly: false);
                    blocks.AddRange(ToolUses(m, path));
                    Append(turns, "assistant", blocks);
                    break;
                case "tool":
                    var id = AnthropicJson.String(m, "tool_call_id");
                    if (string.IsNullOrEmpty(id))
                    {
                        throw new TranslationException(path + ".tool_call_id", "a tool message needs the tool_call_id it answers", "missing_field");
                    }

                    Append(turns, "user", [new JsonObject
                    {
                        ["toolResult"] = new JsonObject
                        {
                            ["toolUseId"] = id,
                            ["content"] = new JsonArray(new JsonObject { ["text"] = GeminiContentConverter.Text(content) }),
                        },
                    }]);
                    break;
                case var role:
                    throw new TranslationException(path + ".role", $"role '{role}' is not supported for Bedrock models", "unsupported_value");
            }
        }

        var result = new JsonArray();
        foreach (var (role, blocks) in turns)
        {
            result.Add(new JsonObject { ["role"] = role, ["content"] = new JsonArray([.. blocks]) });
        }

        return (system, result);
    }

    private static List<JsonObject> Blocks(JsonElement content, string path, bool textOnly)
    {
        // Gemini's part converter does the validation (text, data: URL images); its parts are rewritten as Converse blocks.
        var blocks = new List<JsonObject>();
        foreach (var part in GeminiContentConverter.Parts(content, path, textOnly))
        {
            if (part["text"] is { } text)
            {
                blocks.Add(new JsonObject { ["text"] = text.GetValue<string>() });
            }
            else if (part["inlineData"] is JsonObject inline)
            {
                var mime = inline["mimeType"]!.GetValue<string>();
                if (!mime.StartsWith("image/", StringComparison.Ordinal))
                {
                    throw new TranslationException(path, "Bedrock Converse takes images (png, jpeg, gif, webp) inline; other files are not translated", "unsupported_value", noEquivalent: true);
                }

                blocks.Add(new JsonObject
                {
                    ["image"] = new JsonObject
                    {
                        ["format"] = mime["image/".Length..] is "jpg" ? "jpeg" : mime["image/".Length..],
                        ["source"] = new JsonObject { ["bytes"] = inline["data"]!.GetValue<string>() },
                    },
                });
            }
        }

        return blocks;
    }

    private static List<JsonObject> ToolUses(JsonElement message, string path)
    {
        var uses = new List<JsonObject>();
        if (!AnthropicJson.TryGet(message, "tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array)
        {
            return uses;
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

            JsonNode? input;
            try
            {
                var arguments = AnthropicJson.String(function, "arguments");
                input = string.IsNullOrWhiteSpace(arguments) ? new JsonObject() : JsonNode.Parse(arguments);
            }
            catch (JsonException)
            {
                input = null;
            }

            if (input is not JsonObject)
            {
                throw new TranslationException($"{path}.tool_calls[{j}].function.arguments", $"tool_calls[{j}].function.arguments is not a JSON object", "invalid_value");
            }

            uses.Add(new JsonObject { ["toolUse"] = new JsonObject { ["toolUseId"] = id, ["name"] = name, ["input"] = input } });
            j++;
        }

        return uses;
    }

    private static void Append(List<(string Role, List<JsonObject> Blocks)> turns, string role, List<JsonObject> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (turns.Count > 0 && turns[^1].Role == role)
        {
            turns[^1].Blocks.AddRange(blocks);
        }
        else
        {
            turns.Add((role, blocks));
        }
    }
}
