using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// OpenAI messages -> Anthropic system prompt and alternating user/assistant turns: system and developer messages
/// go to the top-level system; tool messages become tool_result blocks in a user turn; consecutive turns of one
/// role are merged, with tool results kept ahead of any text as Anthropic requires.
/// </summary>
internal static class AnthropicMessageConverter
{
    public static AnthropicConversation Convert(JsonElement messages)
    {
        var system = new List<JsonObject>();
        var turns = new List<(string Role, List<JsonObject> Blocks)>();
        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            var path = $"messages[{i}]";
            var role = AnthropicJson.String(m, "role");
            var content = AnthropicJson.Get(m, "content");
            switch (role)
            {
                case "system" or "developer":
                    system.AddRange(AnthropicContentConverter.Blocks(content, path + ".content", textOnly: true));
                    break;
                case "user":
                    Append(turns, "user", AnthropicContentConverter.Blocks(content, path + ".content", textOnly: false), leading: false);
                    break;
                case "assistant":
                    var blocks = ThinkingBlocks(m, path);
                    blocks.AddRange(AnthropicContentConverter.Blocks(content, path + ".content", textOnly: false));
                    blocks.AddRange(AnthropicToolCallConverter.ToolUses(m, path));
                    Append(turns, "assistant", blocks, leading: false);
                    break;
                case "tool":
                    Append(turns, "user", [AnthropicToolCallConverter.ToolResult(m, content, path)], leading: true);
                    break;
                default:
                    throw new TranslationException(path + ".role", $"role '{role}' is not supported for Anthropic models; send tool results with role 'tool'", "unsupported_value");
            }

            i++;
        }

        var result = new JsonArray();
        foreach (var (role, blocks) in turns)
        {
            result.Add(new JsonObject { ["role"] = role, ["content"] = Content(blocks) });
        }

        return new AnthropicConversation(system.Count == 0 ? null : Content(system), result);
    }

    /// <summary>
    /// An assistant message's thinking_blocks (as this gateway returns them, LiteLLM's shape) -> thinking and
    /// redacted_thinking blocks, first in the turn as Anthropic requires. reasoning_content alone carries no signature
    /// and cannot be sent back; it is not needed when thinking_blocks are there.
    /// </summary>
    private static List<JsonObject> ThinkingBlocks(JsonElement message, string path)
    {
        var blocks = new List<JsonObject>();
        if (!AnthropicJson.TryGet(message, "thinking_blocks", out var list))
        {
            return blocks;
        }

        path += ".thinking_blocks";
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException(path, "thinking_blocks must be an array", "invalid_type");
        }

        var j = 0;
        foreach (var b in list.EnumerateArray())
        {
            var type = AnthropicJson.String(b, "type");
            if (type == "thinking" && AnthropicJson.String(b, "thinking") is { } thinking && AnthropicJson.String(b, "signature") is { Length: > 0 } signature)
            {
                blocks.Add(new JsonObject { ["type"] = "thinking", ["thinking"] = thinking, ["signature"] = signature });
            }
            else if (type == "redacted_thinking" && AnthropicJson.String(b, "data") is { Length: > 0 } data)
            {
                blocks.Add(new JsonObject { ["type"] = "redacted_thinking", ["data"] = data });
            }
            else
            {
                throw new TranslationException($"{path}[{j}]", "a thinking block needs type thinking with thinking and signature, or type redacted_thinking with data", "invalid_value");
            }

            j++;
        }

        return blocks;
    }

    /// <summary>A lone plain text block is written as a string; anything else as a block array.</summary>
    public static JsonNode Content(List<JsonObject> blocks)
    {
        if (blocks is [{ Count: 2 } only] && (string?)only["type"] == "text")
        {
            return only["text"]!.DeepClone();
        }

        var array = new JsonArray();
        foreach (var b in blocks)
        {
            array.Add(b);
        }

        return array;
    }

    private static void Append(List<(string Role, List<JsonObject> Blocks)> turns, string role, List<JsonObject> blocks, bool leading)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (turns.Count == 0 || turns[^1].Role != role)
        {
            turns.Add((role, blocks));
            return;
        }

        var current = turns[^1].Blocks;
        if (!leading)
        {
            current.AddRange(blocks);
            return;
        }

        var at = 0;
        while (at < current.Count && (string?)current[at]["type"] == "tool_result")
        {
            at++;
        }

        current.InsertRange(at, blocks);
    }
}
