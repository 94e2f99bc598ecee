using System.Text.Json;

namespace Switchyard.Core.Requests;

/// <summary>
/// The schema gate: one forward-only pass over the body with <see cref="Utf8JsonReader"/> that checks the
/// fields the gateway and the OpenAI schema care about and records where the model value sits. Unknown
/// fields pass through untouched.
/// </summary>
public static partial class RequestInspector
{
    /// <summary>
    /// The deepest nesting accepted, as System.Text.Json's default: every later reader (the estimator, translators,
    /// JsonDocument, JsonSerializer) then sees only what it can read with its defaults.
    /// </summary>
    public const int MaxDepth = 64;

    private static readonly string[] Roles = ["system", "user", "assistant", "tool", "developer", "function"];

    public static RequestInfo Inspect(ReadOnlySpan<byte> body, OperationKind operation)
    {
        // Long strings (system prompts, tool results) are checked with vectorized searches and not fed to the reader;
        // if the compact body fails, the original is inspected so that errors read exactly as before.
        using (var compact = LongStringElision.TryCreate(body))
        {
            if (compact is not null)
            {
                try
                {
                    var info = InspectOnce(compact.Span, operation);
                    var billed = (List<int>)info.BilledRanges; // the inspector's own list: mapped in place
                    for (var i = 0; i < billed.Count; i++)
                    {
                        billed[i] = compact.ToOriginal(billed[i]);
                    }

                    return info with { ModelValueStart = compact.ToOriginal(info.ModelValueStart) };
                }
                catch (Exception e) when (e is JsonException or RequestValidationException or InvalidOperationException or ArgumentException)
                {
                }
            }
        }

        return InspectOnce(body, operation);
    }

    /// <summary>The schema gate over the body as it is (no elision); what <see cref="Inspect"/> must equal.</summary>
    internal static RequestInfo InspectOnce(ReadOnlySpan<byte> body, OperationKind operation)
    {
        JsonTextCheck.Validate(body); // on the compact body too: the long strings elided from it were checked already
        var r = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            return operation switch
            {
                OperationKind.Chat => InspectChat(ref r),
                OperationKind.Embeddings => InspectEmbeddings(ref r),
                OperationKind.Messages => InspectMessages(ref r),
                OperationKind.Completions => InspectCompletions(ref r),
                OperationKind.ImageGeneration => InspectImages(ref r),
                OperationKind.Moderations => InspectModerations(ref r),
                OperationKind.Rerank => InspectRerank(ref r),
                _ => InspectResponses(ref r),
            };
        }
        catch (JsonException e) when (r.CurrentDepth >= MaxDepth - 1 && r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            throw new RequestValidationException(
                $"the body nests deeper than {MaxDepth} levels (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", null, "json_too_deep");
        }
        catch (JsonException e)
        {
            throw new RequestValidationException(
                $"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})", null, "invalid_json");
        }
    }

    private static RequestInfo InspectChat(ref Utf8JsonReader r)
    {
        ExpectObjectStart(ref r);
        string? model = null;
        int modelStart = 0, modelLength = 0, messages = -1, tools = 0, functions = 0, choices = 1;
        bool stream = false, includeUsage = false, hasStreamOptions = false;
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
                messages = ReadMessages(ref r);
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("stream"u8))
            {
                stream = ReadBool(ref r, "stream") ?? false;
            }
            else if (r.ValueTextEquals("stream_options"u8))
            {
                hasStreamOptions = true;
                includeUsage = ReadStreamOptions(ref r);
            }
            else if (r.ValueTextEquals("max_tokens"u8) || r.ValueTextEquals("max_completion_tokens"u8))
            {
                var name = r.GetString()!;
                maxTokens = ReadPositiveInt(ref r, name) ?? maxTokens;
            }
            else if (r.ValueTextEquals("n"u8))
            {
                choices = ReadPositiveInt(ref r, "n") ?? 1;
            }
            else if (r.ValueTextEquals("temperature"u8) || r.ValueTextEquals("top_p"u8) || r.ValueTextEquals("presence_penalty"u8) || r.ValueTextEquals("frequency_penalty"u8))
            {
                var name = r.GetString()!;
                r.Read();
                if (r.TokenType is not (JsonTokenType.Number or JsonTokenType.Null))
                {
                    throw new RequestValidationException($"'{name}' must be a number", name, "invalid_type");
                }
            }
            else if (r.ValueTextEquals("tools"u8))
            {
                tools = ReadTools(ref r);
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("functions"u8) || r.ValueTextEquals("response_format"u8) || r.ValueTextEquals("tool_choice"u8))
            {
                // billed as the provider renders them into the prompt: the JSON as sent bounds that rendering
                var isFunctions = r.ValueTextEquals("functions"u8);
                r.Read();
                functions += isFunctions ? CountObjects(ref r) : 0;
                r.Skip();
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
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

        return new RequestInfo
        {
            Operation = OperationKind.Chat,
            Model = model,
            ModelValueStart = modelStart,
            ModelValueLength = modelLength,
            Stream = stream,
            IncludeUsage = includeUsage,
            HasStreamOptions = hasStreamOptions,
            MaxTokens = maxTokens,
            MessageCount = messages,
            ToolCount = tools,
            FunctionCount = functions,
            Choices = choices,
            BilledRanges = billed,
        };
    }

    private static RequestInfo InspectEmbeddings(ref Utf8JsonReader r)
    {
        ExpectObjectStart(ref r);
        string? model = null;
        int modelStart = 0, modelLength = 0;
        var hasInput = false;
        var billed = new List<int>(2);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var from = (int)r.BytesConsumed;
            if (r.ValueTextEquals("model"u8))
            {
                (model, modelStart, modelLength) = ReadModel(ref r);
            }
            else if (r.ValueTextEquals("input"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.String)
                {
                    hasInput = true;
                }
                else if (r.TokenType == JsonTokenType.StartArray)
                {
                    var start = r.TokenStartIndex;
                    r.Skip();
                    hasInput = r.TokenStartIndex - start > 1;
                    if (!hasInput)
                    {
                        throw new RequestValidationException("'input' must not be empty", "input", "invalid_value");
                    }
                }
                else
                {
                    throw new RequestValidationException("'input' must be a string or an array", "input", "invalid_type");
                }

                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("dimensions"u8))
            {
                ReadPositiveInt(ref r, "dimensions");
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

        if (!hasInput)
        {
            throw new RequestValidationException("'input' is required", "input", "missing_field");
        }

        return new RequestInfo { Operation = OperationKind.Embeddings, Model = model, ModelValueStart = modelStart, ModelValueLength = modelLength, BilledRanges = billed };
    }

    private static void ExpectObjectStart(ref Utf8JsonReader r)
    {
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            throw new RequestValidationException("the body must be a JSON object", null, "invalid_json");
        }
    }

    private static void EnsureEnd(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.EndObject || r.Read())
        {
            throw new RequestValidationException("the body must hold exactly one JSON object", null, "invalid_json");
        }
    }

    private static (string Model, int Start, int Length) ReadModel(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.String)
        {
            throw new RequestValidationException("'model' must be a string", "model", "invalid_type");
        }

        var value = r.GetString()!;
        if (value.Length == 0 || value.Length > 256)
        {
            throw new RequestValidationException("'model' must be 1 to 256 characters", "model", "invalid_value");
        }

        var start = (int)r.TokenStartIndex;
        var length = r.ValueSpan.Length + 2; // the raw (still escaped) bytes between the quotes, plus the quotes
        return (value, start, length);
    }

    private static bool? ReadBool(ref Utf8JsonReader r, string name)
    {
        r.Read();
        return r.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Null => null,
            _ => throw new RequestValidationException($"'{name}' must be true or false", name, "invalid_type"),
        };
    }

    private static int? ReadPositiveInt(ref Utf8JsonReader r, string name)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (r.TokenType != JsonTokenType.Number || !r.TryGetInt32(out var v))
        {
            throw new RequestValidationException($"'{name}' must be an integer", name, "invalid_type");
        }

        if (v < 1)
        {
            throw new RequestValidationException($"'{name}' must be at least 1", name, "invalid_value");
        }

        return v;
    }

    private static bool ReadStreamOptions(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new RequestValidationException("'stream_options' must be an object", "stream_options", "invalid_type");
        }

        var include = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("include_usage"u8))
            {
                include = ReadBool(ref r, "stream_options.include_usage") ?? false;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        return include;
    }

    /// <summary>Objects directly inside the array the reader is on (0 for anything else); the reader stays where it is.</summary>
    private static int CountObjects(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            return 0;
        }

        var copy = r;
        var depth = copy.CurrentDepth;
        var objects = 0;
        while (copy.Read() && copy.CurrentDepth > depth)
        {
            if (copy.TokenType == JsonTokenType.StartObject)
            {
                objects++;
                copy.Skip();
            }
        }

        return objects;
    }

    private static int ReadMessages(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new RequestValidationException("'messages' must be an array", "messages", "invalid_type");
        }

        var i = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                throw new RequestValidationException($"'messages[{i}]' must be an object", $"messages[{i}]", "invalid_type");
            }

            var hasRole = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("role"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.String || !IsRole(ref r))
                    {
                        throw new RequestValidationException(
                            $"'messages[{i}].role' must be one of {string.Join(", ", Roles)}", $"messages[{i}].role", "invalid_value");
                    }

                    hasRole = true;
                }
                else if (r.ValueTextEquals("content"u8))
                {
                    r.Read();
                    if (r.TokenType is not (JsonTokenType.String or JsonTokenType.StartArray or JsonTokenType.Null))
                    {
                        throw new RequestValidationException(
                            $"'messages[{i}].content' must be a string, an array of parts or null", $"messages[{i}].content", "invalid_type");
                    }

                    r.Skip();
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            if (!hasRole)
            {
                throw new RequestValidationException($"'messages[{i}].role' is required", $"messages[{i}].role", "missing_field");
            }

            i++;
        }

        if (i == 0)
        {
            throw new RequestValidationException("'messages' must hold at least one message", "messages", "invalid_value");
        }

        return i;
    }

    private static bool IsRole(ref Utf8JsonReader r)
    {
        foreach (var role in Roles)
        {
            if (r.ValueTextEquals(role))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Checks one <c>tools</c> element (reader on its StartObject, left on its EndObject); <paramref name="i"/> is its index.</summary>
    private delegate void ToolReader(ref Utf8JsonReader r, int i);

    /// <summary>A <c>tools</c> array (or null) of objects, each checked by the protocol's <paramref name="readTool"/>; the count.</summary>
    private static int ReadToolArray(ref Utf8JsonReader r, ToolReader readTool)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null)
        {
            return 0;
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new RequestValidationException("'tools' must be an array", "tools", "invalid_type");
        }

        var i = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                throw new RequestValidationException($"'tools[{i}]' must be an object", $"tools[{i}]", "invalid_type");
            }

            readTool(ref r, i);
            i++;
        }

        return i;
    }

    private static int ReadTools(ref Utf8JsonReader r) => ReadToolArray(ref r, ChatTool);

    /// <summary>One element of <c>tools</c>, a Chat Completions tool: a function needs function.name; the reader is on its StartObject and ends on its EndObject.</summary>
    private static void ChatTool(ref Utf8JsonReader r, int i)
    {
        var hasFunctionName = false;
        var isFunction = true;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8))
            {
                r.Read();
                isFunction = r.TokenType == JsonTokenType.String && r.ValueTextEquals("function"u8);
            }
            else if (r.ValueTextEquals("function"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartObject)
                {
                    throw new RequestValidationException($"'tools[{i}].function' must be an object", $"tools[{i}].function", "invalid_type");
                }

                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var isName = r.ValueTextEquals("name"u8);
                    r.Read();
                    if (isName)
                    {
                        hasFunctionName = r.TokenType == JsonTokenType.String && r.ValueSpan.Length > 0;
                    }

                    r.Skip();
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        if (isFunction && !hasFunctionName)
        {
            throw new RequestValidationException($"'tools[{i}].function.name' is required", $"tools[{i}].function.name", "missing_field");
        }
    }
}
