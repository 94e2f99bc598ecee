using System.Text.Json;

namespace Switchyard.Core.Requests;

public static partial class RequestInspector
{
    private static readonly string[] InputRoles = ["user", "assistant", "system", "developer"];
    private static readonly string[] ReasoningEfforts = ["none", "minimal", "low", "medium", "high", "xhigh"];
    private static readonly string[] TextFormats = ["text", "json_object", "json_schema"];

    /// <summary>
    /// OpenAI Responses bodies (<c>POST /v1/responses</c>): the fields the gateway routes, limits and stores by, and
    /// the shapes its translation relies on. Parameters are not judged for support here (the codec does that, only when
    /// a deployment that does not speak Responses is tried); unknown fields pass through.
    /// </summary>
    private static RequestInfo InspectResponses(ref Utf8JsonReader r)
    {
        ExpectObjectStart(ref r);
        string? model = null, previous = null;
        int modelStart = 0, modelLength = 0, items = -1, tools = 0;
        bool stream = false, store = true;
        int? maxTokens = null;
        var billed = new List<int>(6);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var from = (int)r.BytesConsumed;
            if (r.ValueTextEquals("model"u8))
            {
                (model, modelStart, modelLength) = ReadModel(ref r);
            }
            else if (r.ValueTextEquals("input"u8))
            {
                items = ReadResponsesInput(ref r);
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("instructions"u8))
            {
                r.Read();
                if (r.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    throw new RequestValidationException("'instructions' must be a string", "instructions", "invalid_type");
                }

                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("stream"u8))
            {
                stream = ReadBool(ref r, "stream") ?? false;
            }
            else if (r.ValueTextEquals("store"u8))
            {
                store = ReadBool(ref r, "store") ?? true;
            }
            else if (r.ValueTextEquals("max_output_tokens"u8))
            {
                maxTokens = ReadPositiveInt(ref r, "max_output_tokens");
            }
            else if (r.ValueTextEquals("previous_response_id"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.String && r.ValueSpan.Length > 0)
                {
                    previous = r.GetString();
                }
                else if (r.TokenType != JsonTokenType.Null)
                {
                    throw new RequestValidationException("'previous_response_id' must be a non-empty string", "previous_response_id", "invalid_type");
                }
            }
            else if (r.ValueTextEquals("temperature"u8) || r.ValueTextEquals("top_p"u8))
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
                tools = ReadResponsesTools(ref r);
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("text"u8))
            {
                ReadTextConfig(ref r);
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("reasoning"u8))
            {
                ReadReasoning(ref r);
            }
            else if (r.ValueTextEquals("tool_choice"u8))
            {
                r.Read();
                if (r.TokenType is not (JsonTokenType.String or JsonTokenType.StartObject or JsonTokenType.Null))
                {
                    throw new RequestValidationException("'tool_choice' must be a string or an object", "tool_choice", "invalid_type");
                }

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

        if (items < 0)
        {
            throw new RequestValidationException("'input' is required: a string or an array of input items", "input", "missing_field");
        }

        return new RequestInfo
        {
            Operation = OperationKind.Responses,
            Model = model,
            ModelValueStart = modelStart,
            ModelValueLength = modelLength,
            Stream = stream,
            IncludeUsage = stream, // response.completed always carries usage
            MaxTokens = maxTokens,
            MessageCount = items,
            ToolCount = tools,
            BilledRanges = billed,
            Store = store,
            PreviousResponseId = previous,
        };
    }

    /// <summary>The input: a string (one user message) or a non-empty array of items; returns the item count.</summary>
    private static int ReadResponsesInput(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String)
        {
            return 1;
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new RequestValidationException("'input' must be a string or an array of input items", "input", "invalid_type");
        }

        var i = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            ReadInputItem(ref r, i);
            i++;
        }

        if (i == 0)
        {
            throw new RequestValidationException("'input' must hold at least one item", "input", "invalid_value");
        }

        return i;
    }

    private static void ReadInputItem(ref Utf8JsonReader r, int i)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new RequestValidationException($"'input[{i}]' must be an object", $"input[{i}]", "invalid_type");
        }

        string? type = null;
        bool hasRole = false, hasContent = false, hasCallId = false, hasName = false, hasArguments = false, hasOutput = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String)
                {
                    throw new RequestValidationException($"'input[{i}].type' must be a string", $"input[{i}].type", "invalid_type");
                }

                type = r.GetString();
            }
            else if (r.ValueTextEquals("role"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String || !IsOneOf(ref r, InputRoles))
                {
                    throw new RequestValidationException(
                        $"'input[{i}].role' must be one of {string.Join(", ", InputRoles)}", $"input[{i}].role", "invalid_value");
                }

                hasRole = true;
            }
            else if (r.ValueTextEquals("content"u8))
            {
                r.Read();
                if (r.TokenType is not (JsonTokenType.String or JsonTokenType.StartArray))
                {
                    throw new RequestValidationException(
                        $"'input[{i}].content' must be a string or an array of content parts", $"input[{i}].content", "invalid_type");
                }

                r.Skip();
                hasContent = true;
            }
            else if (r.ValueTextEquals("call_id"u8) || r.ValueTextEquals("name"u8) || r.ValueTextEquals("arguments"u8))
            {
                var field = r.GetString();
                r.Read();
                if (r.TokenType != JsonTokenType.String)
                {
                    throw new RequestValidationException($"'input[{i}].{field}' must be a string", $"input[{i}].{field}", "invalid_type");
                }

                hasCallId |= field == "call_id";
                hasName |= field == "name";
                hasArguments |= field == "arguments";
            }
            else if (r.ValueTextEquals("output"u8))
            {
                r.Read();
                r.Skip();
                hasOutput = true;
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        switch (type)
        {
            case null or "message":
                Require(hasRole, i, "role");
                Require(hasContent, i, "content");
                break;
            case "function_call":
                Require(hasCallId, i, "call_id");
                Require(hasName, i, "name");
                Require(hasArguments, i, "arguments");
                break;
            case "function_call_output":
                Require(hasCallId, i, "call_id");
                Require(hasOutput, i, "output");
                break;
        }

        static void Require(bool present, int i, string field)
        {
            if (!present)
            {
                throw new RequestValidationException($"'input[{i}].{field}' is required", $"input[{i}].{field}", "missing_field");
            }
        }
    }

    private static int ReadResponsesTools(ref Utf8JsonReader r) => ReadToolArray(ref r, ResponsesTool);

    /// <summary>One element of <c>tools</c>, a Responses tool; the reader is on its StartObject and ends on its EndObject.</summary>
    private static void ResponsesTool(ref Utf8JsonReader r, int i)
    {
        var isFunction = false;
        var hasType = false;
        var hasName = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String)
                {
                    throw new RequestValidationException($"'tools[{i}].type' must be a string", $"tools[{i}].type", "invalid_type");
                }

                hasType = true;
                isFunction = r.ValueTextEquals("function"u8);
            }
            else if (r.ValueTextEquals("name"u8))
            {
                r.Read();
                hasName = r.TokenType == JsonTokenType.String && r.ValueSpan.Length > 0;
                r.Skip();
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        if (!hasType)
        {
            throw new RequestValidationException($"'tools[{i}].type' is required", $"tools[{i}].type", "missing_field");
        }

        if (isFunction && !hasName)
        {
            throw new RequestValidationException($"'tools[{i}].name' is required", $"tools[{i}].name", "missing_field");
        }
    }

    /// <summary><c>text</c>: an object whose <c>format</c> is text, json_object or json_schema (with a name and a schema).</summary>
    private static void ReadTextConfig(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new RequestValidationException("'text' must be an object", "text", "invalid_type");
        }

        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (!r.ValueTextEquals("format"u8))
            {
                r.Read();
                r.Skip();
                continue;
            }

            r.Read();
            if (r.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (r.TokenType != JsonTokenType.StartObject)
            {
                throw new RequestValidationException("'text.format' must be an object", "text.format", "invalid_type");
            }

            string? type = null;
            bool hasName = false, hasSchema = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("type"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.String || !IsOneOf(ref r, TextFormats))
                    {
                        throw new RequestValidationException(
                            $"'text.format.type' must be one of {string.Join(", ", TextFormats)}", "text.format.type", "invalid_value");
                    }

                    type = r.GetString();
                }
                else if (r.ValueTextEquals("name"u8))
                {
                    r.Read();
                    hasName = r.TokenType == JsonTokenType.String && r.ValueSpan.Length > 0;
                    r.Skip();
                }
                else if (r.ValueTextEquals("schema"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.StartObject)
                    {
                        throw new RequestValidationException("'text.format.schema' must be an object", "text.format.schema", "invalid_type");
                    }

                    r.Skip();
                    hasSchema = true;
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            if (type is null)
            {
                throw new RequestValidationException("'text.format.type' is required", "text.format.type", "missing_field");
            }

            if (type == "json_schema" && !hasName)
            {
                throw new RequestValidationException("'text.format.name' is required for json_schema", "text.format.name", "missing_field");
            }

            if (type == "json_schema" && !hasSchema)
            {
                throw new RequestValidationException("'text.format.schema' is required for json_schema", "text.format.schema", "missing_field");
            }
        }
    }

    private static void ReadReasoning(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (r.TokenType != JsonTokenType.StartObject)
        {
            throw new RequestValidationException("'reasoning' must be an object", "reasoning", "invalid_type");
        }

        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("effort"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (r.TokenType != JsonTokenType.String || !IsOneOf(ref r, ReasoningEfforts))
                {
                    throw new RequestValidationException(
                        $"'reasoning.effort' must be one of {string.Join(", ", ReasoningEfforts)}", "reasoning.effort", "invalid_value");
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }
    }

    private static bool IsOneOf(ref Utf8JsonReader r, string[] values)
    {
        foreach (var value in values)
        {
            if (r.ValueTextEquals(value))
            {
                return true;
            }
        }

        return false;
    }
}
