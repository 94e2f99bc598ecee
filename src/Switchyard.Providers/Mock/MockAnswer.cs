using System.Text.Json;

namespace Switchyard.Providers.Mock;

/// <summary>
/// What the mock answers a chat request, decided once from the body so that a streamed and a whole answer agree
/// (content, tool call and token counts): a tool call when tools are offered (tool_choice not none) and no tool result
/// came after the last assistant message (agents such as OpenClaw add a user message of context after the results), the
/// forced tool or else the first, with arguments generated from its parameters
/// schema; JSON matching the schema for response_format json_schema (an object for json_object); else text.
/// Prompt tokens are a token per 4 bytes of the body without its <c>stream</c> and <c>stream_options</c> members.
/// </summary>
internal sealed record MockAnswer(string? Text, string? ToolName, string? Arguments, long PromptTokens)
{
    public string FinishReason => ToolName is null ? "stop" : "tool_calls";

    /// <summary>Text: a token per word; a tool call: a token per 4 bytes of arguments.</summary>
    public long CompletionTokens => ToolName is null ? Text!.Split(' ').Length : Math.Max(1, (Arguments!.Length + 3) / 4);

    public static MockAnswer Plan(ReadOnlySpan<byte> body, string model, string? fixedReply)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return new MockAnswer(fixedReply ?? $"This is a mock response from {model}.", null, null, Math.Max(1, body.Length / 4));
        }

        using (document)
        {
            var root = document.RootElement;
            var messages = Get(root, "messages");
            var prompt = CountPromptTokens(body);
            var last = ToolResultOfThisTurn(messages);
            var afterToolResult = last.ValueKind != JsonValueKind.Undefined;
            if (!afterToolResult && Tool(root) is { } tool)
            {
                var function = Get(tool, "function");
                var parameters = Get(function, "parameters");
                var arguments = parameters.ValueKind == JsonValueKind.Object ? MockSchemaValues.Generate(parameters) : "{}";
                return new MockAnswer(null, String(function, "name"), arguments, prompt);
            }

            var text = fixedReply ?? (afterToolResult
                ? $"This is a mock response from {model} to the tool result: {Truncate(ContentText(Get(last, "content")), 120)}"
                : $"This is a mock response from {model} to: {Truncate(LastUserText(messages), 120)}");
            var format = Get(root, "response_format");
            switch (String(format, "type"))
            {
                case "json_schema":
                    var schema = Get(Get(format, "json_schema"), "schema");
                    text = schema.ValueKind == JsonValueKind.Object ? MockSchemaValues.Generate(schema) : JsonSerializer.Serialize(new { response = text });
                    break;
                case "json_object":
                    text = JsonSerializer.Serialize(new { response = text });
                    break;
            }

            return new MockAnswer(text, null, null, prompt);
        }
    }

    /// <summary>The last tool result after the last assistant message, or an undefined element when there is none.</summary>
    private static JsonElement ToolResultOfThisTurn(JsonElement messages)
    {
        if (messages.ValueKind != JsonValueKind.Array)
        {
            return default;
        }

        for (var i = messages.GetArrayLength() - 1; i >= 0; i--)
        {
            switch (String(messages[i], "role"))
            {
                case "tool":
                    return messages[i];
                case "assistant":
                    return default;
            }
        }

        return default;
    }

    /// <summary>A token per 4 bytes of the body, without its stream and stream_options members (and their comma).</summary>
    private static long CountPromptTokens(ReadOnlySpan<byte> body)
    {
        // The same request streamed or not differs only in these members: leave them (and a comma) out of the count.
        var length = (long)body.Length;
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && (reader.ValueTextEquals("stream"u8) || reader.ValueTextEquals("stream_options"u8)))
            {
                var start = reader.TokenStartIndex;
                reader.Read();
                reader.Skip();
                length -= reader.BytesConsumed - start + 1;
            }
            else if (reader.CurrentDepth == 1 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        return Math.Max(1, length / 4);
    }

    /// <summary>The tool to call: the forced one, else the first; none when tool_choice is none or no tools are offered.</summary>
    private static JsonElement? Tool(JsonElement root)
    {
        var tools = Get(root, "tools");
        if (tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() == 0)
        {
            return null;
        }

        var choice = Get(root, "tool_choice");
        if (choice.ValueKind == JsonValueKind.String && choice.ValueEquals("none"))
        {
            return null;
        }

        var forced = String(Get(choice, "function"), "name");
        foreach (var t in tools.EnumerateArray())
        {
            if (String(Get(t, "function"), "name") is { } name && (forced is null || name == forced))
            {
                return t;
            }
        }

        return null;
    }

    private static string LastUserText(JsonElement messages)
    {
        if (messages.ValueKind == JsonValueKind.Array)
        {
            for (var i = messages.GetArrayLength() - 1; i >= 0; i--)
            {
                if (String(messages[i], "role") == "user")
                {
                    return ContentText(Get(messages[i], "content"));
                }
            }
        }

        return "";
    }

    /// <summary>The user's text: a string, or the text parts of a parts array (images and files are not echoed).</summary>
    private static string ContentText(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString() ?? "";
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var texts = content.EnumerateArray().Select(part => String(part, "text")).OfType<string>().ToArray();
        return texts.Length > 0 ? string.Join(" ", texts) : "(structured content)";
    }

    private static JsonElement Get(JsonElement e, string name)
        => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    private static string? String(JsonElement e, string name)
        => Get(e, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "...";
}
