using System.Text.Json;

namespace Switchyard.Core.Requests;

/// <summary>The schema gate for legacy Completions, image generation and moderations.</summary>
public static partial class RequestInspector
{
    private static readonly string[] ImageFormats = ["url", "b64_json"];

    /// <summary>Legacy Completions: <c>model</c>, a <c>prompt</c> (string, strings, tokens or token arrays), the chat sampling fields.</summary>
    private static RequestInfo InspectCompletions(ref Utf8JsonReader r)
    {
        ExpectObjectStart(ref r);
        string? model = null;
        int modelStart = 0, modelLength = 0, choices = 1;
        bool stream = false, includeUsage = false, hasStreamOptions = false, hasPrompt = false;
        int? maxTokens = null;
        var billed = new List<int>(2);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var from = (int)r.BytesConsumed;
            if (r.ValueTextEquals("model"u8))
            {
                (model, modelStart, modelLength) = ReadModel(ref r);
            }
            else if (r.ValueTextEquals("prompt"u8))
            {
                hasPrompt = ReadTextInput(ref r, "prompt");
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
            else if (r.ValueTextEquals("max_tokens"u8))
            {
                maxTokens = ReadPositiveInt(ref r, "max_tokens");
            }
            else if (r.ValueTextEquals("n"u8) || r.ValueTextEquals("best_of"u8))
            {
                var name = r.GetString()!;
                choices = Math.Max(choices, ReadPositiveInt(ref r, name) ?? 1);
            }
            else if (r.ValueTextEquals("temperature"u8) || r.ValueTextEquals("top_p"u8) || r.ValueTextEquals("presence_penalty"u8) || r.ValueTextEquals("frequency_penalty"u8))
            {
                var name = r.GetString()!;
                ReadNumber(ref r, name);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        EnsureEnd(ref r);
        RequireModel(model);
        if (!hasPrompt)
        {
            throw new RequestValidationException("'prompt' is required", "prompt", "missing_field");
        }

        return new RequestInfo
        {
            Operation = OperationKind.Completions,
            Model = model!,
            ModelValueStart = modelStart,
            ModelValueLength = modelLength,
            Stream = stream,
            IncludeUsage = includeUsage,
            HasStreamOptions = hasStreamOptions,
            MaxTokens = maxTokens,
            Choices = choices,
            BilledRanges = billed,
        };
    }

    /// <summary>Image generation: <c>model</c>, a non-empty <c>prompt</c> string, <c>n</c>, <c>size</c>, <c>response_format</c> (url or b64_json).</summary>
    private static RequestInfo InspectImages(ref Utf8JsonReader r)
    {
        ExpectObjectStart(ref r);
        string? model = null;
        int modelStart = 0, modelLength = 0, images = 1;
        var hasPrompt = false;
        var billed = new List<int>(2);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var from = (int)r.BytesConsumed;
            if (r.ValueTextEquals("model"u8))
            {
                (model, modelStart, modelLength) = ReadModel(ref r);
            }
            else if (r.ValueTextEquals("prompt"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String)
                {
                    throw new RequestValidationException("'prompt' must be a string", "prompt", "invalid_type");
                }

                if (r.ValueSpan.Length == 0)
                {
                    throw new RequestValidationException("'prompt' must not be empty", "prompt", "invalid_value");
                }

                hasPrompt = true;
                billed.Add(from);
                billed.Add((int)r.BytesConsumed);
            }
            else if (r.ValueTextEquals("n"u8))
            {
                images = ReadPositiveInt(ref r, "n") ?? 1;
                if (images > 10)
                {
                    throw new RequestValidationException("'n' must be at most 10", "n", "invalid_value");
                }
            }
            else if (r.ValueTextEquals("stream"u8))
            {
                if (ReadBool(ref r, "stream") == true)
                {
                    throw new RequestValidationException("'stream' is not supported for image generation", "stream", "unsupported_value");
                }
            }
            else if (r.ValueTextEquals("response_format"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.Null && (r.TokenType != JsonTokenType.String || !ImageFormats.Contains(r.GetString())))
                {
                    throw new RequestValidationException("'response_format' must be one of url, b64_json", "response_format", "invalid_value");
                }
            }
            else if (r.ValueTextEquals("size"u8) || r.ValueTextEquals("quality"u8) || r.ValueTextEquals("style"u8) || r.ValueTextEquals("user"u8))
            {
                var name = r.GetString()!;
                r.Read();
                if (r.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    throw new RequestValidationException($"'{name}' must be a string", name, "invalid_type");
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        EnsureEnd(ref r);
        RequireModel(model);
        if (!hasPrompt)
        {
            throw new RequestValidationException("'prompt' is required", "prompt", "missing_field");
        }

        return new RequestInfo
        {
            Operation = OperationKind.ImageGeneration,
            Model = model!,
            ModelValueStart = modelStart,
            ModelValueLength = modelLength,
            Choices = images,
            BilledRanges = billed,
        };
    }

    /// <summary>Moderations: <c>model</c> (the gateway routes by it, so it is required here) and an <c>input</c> (string, strings or content parts).</summary>
    private static RequestInfo InspectModerations(ref Utf8JsonReader r)
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
                hasInput = ReadTextInput(ref r, "input");
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
        RequireModel(model);
        if (!hasInput)
        {
            throw new RequestValidationException("'input' is required", "input", "missing_field");
        }

        return new RequestInfo { Operation = OperationKind.Moderations, Model = model!, ModelValueStart = modelStart, ModelValueLength = modelLength, BilledRanges = billed };
    }

    /// <summary>A string or a non-empty array (of strings, token ids, token arrays or content parts); true once read.</summary>
    private static bool ReadTextInput(ref Utf8JsonReader r, string name)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String)
        {
            return true;
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new RequestValidationException($"'{name}' must be a string or an array", name, "invalid_type");
        }

        var start = r.TokenStartIndex;
        r.Skip();
        if (r.TokenStartIndex - start <= 1)
        {
            throw new RequestValidationException($"'{name}' must not be empty", name, "invalid_value");
        }

        return true;
    }

    private static void ReadNumber(ref Utf8JsonReader r, string name)
    {
        r.Read();
        if (r.TokenType is not (JsonTokenType.Number or JsonTokenType.Null))
        {
            throw new RequestValidationException($"'{name}' must be a number", name, "invalid_type");
        }
    }

    private static void RequireModel(string? model)
    {
        if (model is null)
        {
            throw new RequestValidationException("'model' is required: the alias or model group to call", "model", "missing_field");
        }
    }
}
