using System.Text.Json;

namespace Switchyard.Core.Requests;

public static partial class RequestInspector
{
    /// <summary>
    /// The schema gate for an Anthropic <c>POST /v1/messages/count_tokens</c> body: a Messages body without
    /// <c>max_tokens</c> (nothing is generated). Throws <see cref="RequestValidationException"/> as <see cref="Inspect"/> does.
    /// </summary>
    public static RequestInfo InspectCountTokens(ReadOnlySpan<byte> body)
    {
        JsonTextCheck.Validate(body);
        var r = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            return InspectMessages(ref r, countTokens: true);
        }
        catch (JsonException e)
        {
            throw new RequestValidationException(
                $"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", null, "invalid_json");
        }
    }

    /// <summary>
    /// Anthropic Messages bodies (<c>POST /v1/messages</c>): <c>model</c> (string), <c>max_tokens</c> (positive
    /// integer), <c>messages</c> (user/assistant/system turns with string or block content), <c>system</c>, <c>tools</c>,
    /// <c>stream</c> and the sampling numbers are checked; the rest passes through. The billed stretches are
    /// <c>system</c>, <c>messages</c>, <c>tools</c> and <c>tool_choice</c>.
    /// </summary>
    private static RequestInfo InspectMessages(ref Utf8JsonReader r) => InspectMessages(ref r, countTokens: false);

    private static RequestInfo InspectMessages(ref Utf8JsonReader r, bool countTokens)
    {
        ExpectObjectStart(ref r);
        string? model = null;
        int modelStart = 0, modelLength = 0, messages = -1, tools = 0, system = 0;
        var stream = false;
        int? maxTokens = null;
        var billed = new List<int>(4);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var from = (int)r.BytesConsumed;
            if (r.ValueTextEquals("model"u8))
            {
                (model, modelStart, modelLength) = ReadModel(ref r);
            }
            else if (r.ValueTextEquals("messages"u8))
            {
                messages = ReadAnthropicMessages(ref r);
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("system"u8))
            {
                r.Read();
                if (r.TokenType is not (JsonTokenType.String or JsonTokenType.StartArray or JsonTokenType.Null))
                {
                    throw new RequestValidationException("'system' must be a string or an array of text blocks", "system", "invalid_type");
                }

                system = r.TokenType == JsonTokenType.Null ? 0 : 1;
                if (r.TokenType == JsonTokenType.StartArray)
                {
                    ReadBlocks(ref r, "system");
                }

                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("stream"u8))
            {
                stream = ReadBool(ref r, "stream") ?? false;
            }
            else if (r.ValueTextEquals("max_tokens"u8))
            {
                maxTokens = ReadPositiveInt(ref r, "max_tokens");
            }
            else if (r.ValueTextEquals("temperature"u8) || r.ValueTextEquals("top_p"u8) || r.ValueTextEquals("top_k"u8))
            {
                var name = r.GetString();
                r.Read();
                if (r.TokenType is not (JsonTokenType.Number or JsonTokenType.Null))
                {
                    throw new RequestValidationException($"'{name}' must be a number", name, "invalid_type");
                }
            }
            else if (r.ValueTextEquals("tools"u8))
            {
                tools = ReadAnthropicTools(ref r);
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("tool_choice"u8))
            {
                r.Read();
                if (r.TokenType is not (JsonTokenType.StartObject or JsonTokenType.Null))
                {
                    throw new RequestValidationException("'tool_choice' must be an object such as {\"type\":\"auto\"}", "tool_choice", "invalid_type");
                }

                r.Skip();
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("stop_sequences"u8))
            {
                r.Read();
                if (r.TokenType is not (JsonTokenType.StartArray or JsonTokenType.Null))
                {
                    throw new RequestValidationException("'stop_sequences' must be an array of strings", "stop_sequences", "invalid_type");
                }

                r.Skip();
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        EnsureEnd(ref r);
        if (model is null)
        {
            throw new RequestValidationException("'model' is required: the alias or model group to call", "model", "missing_field");
        }

        if (messages < 0)
        {
            throw new RequestValidationException("'messages' is required", "messages", "missing_field");
        }

        if (maxTokens is null && !countTokens)
        {
            throw new RequestValidationException("'max_tokens' is required: the most tokens to generate", "max_tokens", "missing_field");
        }

        return new RequestInfo
        {
            Operation = OperationKind.Messages,
            Model = model,
            ModelValueStart = modelStart,
            ModelValueLength = modelLength,
            Stream = stream,
            IncludeUsage = stream, // Anthropic streams always carry usage (message_start and message_delta)
            MaxTokens = maxTokens,
            MessageCount = messages + system,
            ToolCount = tools,
            BilledRanges = billed,
        };
    }

    private static int ReadAnthropicMessages(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new RequestValidationException("'messages' must be an array", "messages", "invalid_type");
        }

        var i = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            var at = $"messages[{i}]";
            if (r.TokenType != JsonTokenType.StartObject)
            {
                throw new RequestValidationException($"'{at}' must be an object", at, "invalid_type");
            }

            bool hasRole = false, hasContent = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("role"u8))
                {
                    r.Read();
                    // system turns mid-conversation: Claude Code 2.1.3xx sends its environment block as one (docs/clients.md)
                    if (r.TokenType != JsonTokenType.String || !(r.ValueTextEquals("user"u8) || r.ValueTextEquals("assistant"u8) || r.ValueTextEquals("system"u8)))
                    {
                        throw new RequestValidationException(
                            $"'{at}.role' must be user, assistant or system", $"{at}.role", "invalid_value");
                    }

                    hasRole = true;
                }
                else if (r.ValueTextEquals("content"u8))
                {
                    r.Read();
                    if (r.TokenType == JsonTokenType.StartArray)
                    {
                        ReadBlocks(ref r, $"{at}.content");
                    }
                    else if (r.TokenType != JsonTokenType.String)
                    {
                        throw new RequestValidationException($"'{at}.content' must be a string or an array of content blocks", $"{at}.content", "invalid_type");
                    }

                    hasContent = true;
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            if (!hasRole)
            {
                throw new RequestValidationException($"'{at}.role' is required", $"{at}.role", "missing_field");
            }

            if (!hasContent)
            {
                throw new RequestValidationException($"'{at}.content' is required", $"{at}.content", "missing_field");
            }

            i++;
        }

        if (i == 0)
        {
            throw new RequestValidationException("'messages' must hold at least one message", "messages", "invalid_value");
        }

        return i;
    }

    /// <summary>An array of content blocks, each an object with a string <c>type</c>; the reader ends on the array's end.</summary>
    private static void ReadBlocks(ref Utf8JsonReader r, string at)
    {
        var i = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                throw new RequestValidationException($"'{at}[{i}]' must be a content block object", $"{at}[{i}]", "invalid_type");
            }

            var hasType = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var isType = r.ValueTextEquals("type"u8);
                r.Read();
                if (isType)
                {
                    hasType = r.TokenType == JsonTokenType.String && r.ValueSpan.Length > 0;
                }

                r.Skip();
            }

            if (!hasType)
            {
                throw new RequestValidationException($"'{at}[{i}].type' is required", $"{at}[{i}].type", "missing_field");
            }

            i++;
        }
    }

    private static int ReadAnthropicTools(ref Utf8JsonReader r) => ReadToolArray(ref r, AnthropicTool);

    /// <summary>One element of <c>tools</c>, a Messages tool: it needs a name; the reader is on its StartObject and ends on its EndObject.</summary>
    private static void AnthropicTool(ref Utf8JsonReader r, int i)
    {
        var hasName = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isName = r.ValueTextEquals("name"u8);
            r.Read();
            if (isName)
            {
                hasName = r.TokenType == JsonTokenType.String && r.ValueSpan.Length > 0;
            }

            r.Skip();
        }

        if (!hasName)
        {
            throw new RequestValidationException($"'tools[{i}].name' is required", $"tools[{i}].name", "missing_field");
        }
    }
}
