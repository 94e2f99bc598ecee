using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// OpenAI chat request -> Gemini <c>generateContent</c> request: messages to systemInstruction and contents, tools to
/// functionDeclarations, sampling parameters, stop, max tokens, response_format and reasoning_effort to
/// <c>generationConfig</c>. What has no equivalent is refused naming the parameter (or dropped and reported under
/// drop_params); input that cannot be expressed at all becomes a caller error. Nothing is sent in either case.
/// </summary>
internal static class GeminiRequestTranslator
{
    public static AttemptResult<GeminiTranslation> Translate(ReadOnlyMemory<byte> body, DeploymentConfig deployment, bool dropParams)
    {
        try
        {
            using var source = AnthropicRequestSource.Parse(body, deployment.Defaults);
            var dropped = new List<string>();
            var request = Build(source, deployment, dropParams ? dropped : null);
            var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
            using (var writer = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
            {
                request.WriteTo(writer);
            }

            return AttemptResult<GeminiTranslation>.Ok(new GeminiTranslation(buffer.WrittenSpan.ToArray(), dropped));
        }
        catch (TranslationException e)
        {
            return Refusal(e.NoEquivalent, e.Message, e.Code, e.Param);
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body is not valid JSON") { UpstreamCode = "invalid_json" };
        }
    }

    private static UpstreamFailure Refusal(bool noEquivalent, string message, string code, string param)
        => new(noEquivalent ? FailureKind.Unsupported : FailureKind.CallerError, 400, message) { UpstreamCode = code, UpstreamParam = param };

    private static JsonObject Build(AnthropicRequestSource source, DeploymentConfig deployment, List<string>? dropped)
    {
        if (!source.Root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException("messages", "'messages' must be an array", "invalid_type");
        }

        foreach (var name in GeminiParameterPolicy.Unsupported(source))
        {
            Refuse(dropped, name, GeminiParameterPolicy.Why(name));
        }

        var (system, contents) = GeminiMessageConverter.Convert(messages);
        var request = new JsonObject();
        if (system is not null)
        {
            request["systemInstruction"] = system;
        }

        request["contents"] = contents;
        GeminiToolConverter.Apply(source, request);
        var config = new JsonObject();
        CopyNumber(source, config, "temperature", "temperature");
        CopyNumber(source, config, "top_p", "topP");
        CopyNumber(source, config, "presence_penalty", "presencePenalty");
        CopyNumber(source, config, "frequency_penalty", "frequencyPenalty");
        if (source.TryGet("seed", out var seed))
        {
            config["seed"] = seed.TryGetInt32(out var s) ? s : throw new TranslationException("seed", "'seed' must be a 32-bit integer for Gemini models", "invalid_value");
        }

        if (MaxTokens(source) is { } max)
        {
            config["maxOutputTokens"] = max;
        }

        if (source.TryGet("stop", out var stop))
        {
            config["stopSequences"] = StopSequences(stop);
        }

        ResponseFormat(source, config);
        if (Thinking(source, deployment.Model) is { } thinking)
        {
            config["thinkingConfig"] = thinking;
        }

        if (config.Count > 0)
        {
            request["generationConfig"] = config;
        }

        return request;
    }

    private static void Refuse(List<string>? dropped, string name, string why)
    {
        if (dropped is null)
        {
            throw new TranslationException(name, why + "; send it to a deployment that supports it, or opt in to drop_params", "unsupported_value", noEquivalent: true);
        }

        if (!dropped.Contains(name))
        {
            dropped.Add(name);
        }
    }

    /// <summary>response_format json_object -> JSON mime type; json_schema -> JSON mime type and the cleaned schema.</summary>
    private static void ResponseFormat(AnthropicRequestSource source, JsonObject config)
    {
        if (!source.TryGet("response_format", out var format))
        {
            return;
        }

        switch (AnthropicJson.String(format, "type"))
        {
            case "text":
                return;
            case "json_object":
                config["responseMimeType"] = "application/json";
                return;
            case "json_schema":
                var spec = AnthropicJson.Get(format, "json_schema");
                if (spec.ValueKind != JsonValueKind.Object)
                {
                    throw new TranslationException("response_format.json_schema", "response_format json_schema needs a json_schema object", "missing_field");
                }

                config["responseMimeType"] = "application/json";
                if (AnthropicJson.TryGet(spec, "schema", out var schema))
                {
                    config["responseSchema"] = GeminiSchema.Clean(schema, "response_format.json_schema.schema");
                }

                return;
            case var type:
                throw new TranslationException("response_format.type", $"response_format type '{type}' is not one of text, json_object, json_schema", "invalid_value");
        }
    }

    /// <summary>
    /// reasoning_effort -> thinkingConfig with thought summaries included (they come back as reasoning_content):
    /// Gemini 3 models take a thinkingLevel (minimal and low: low; medium and high: high), earlier ones a thinkingBudget
    /// (minimal 128, low 1024, medium 8192, high 24576 tokens; none turns thinking off).
    /// </summary>
    private static JsonObject? Thinking(AnthropicRequestSource source, string model)
    {
        if (!source.TryGet("reasoning_effort", out var effort))
        {
            return null;
        }

        var value = effort.ValueKind == JsonValueKind.String ? effort.GetString() : null;
        var gemini3 = model.StartsWith("gemini-3", StringComparison.OrdinalIgnoreCase);
        return value switch
        {
            "none" => gemini3 ? new JsonObject { ["thinkingLevel"] = "low" } : new JsonObject { ["thinkingBudget"] = 0 },
            "minimal" or "low" or "medium" or "high" when gemini3 => new JsonObject { ["thinkingLevel"] = value is "medium" or "high" ? "high" : "low", ["includeThoughts"] = true },
            "minimal" => new JsonObject { ["thinkingBudget"] = 128, ["includeThoughts"] = true },
            "low" => new JsonObject { ["thinkingBudget"] = 1024, ["includeThoughts"] = true },
            "medium" => new JsonObject { ["thinkingBudget"] = 8192, ["includeThoughts"] = true },
            "high" => new JsonObject { ["thinkingBudget"] = 24576, ["includeThoughts"] = true },
            _ => throw new TranslationException("reasoning_effort", "reasoning_effort must be one of none, minimal, low, medium, high", "invalid_value"),
        };
    }

    private static int? MaxTokens(AnthropicRequestSource source)
    {
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (source.TryGet(name, out var v))
            {
                return v.TryGetInt32(out var n) && n > 0 ? n : throw new TranslationException(name, $"'{name}' must be a positive integer", "invalid_value");
            }
        }

        return null;
    }

    private static void CopyNumber(AnthropicRequestSource source, JsonObject config, string name, string geminiName)
    {
        if (source.TryGet(name, out var value))
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                throw new TranslationException(name, $"'{name}' must be a number", "invalid_type");
            }

            config[geminiName] = JsonValue.Create(value.GetDouble());
        }
    }

    private static JsonArray StopSequences(JsonElement stop)
    {
        if (stop.ValueKind == JsonValueKind.String)
        {
            return [stop.GetString()];
        }

        if (stop.ValueKind != JsonValueKind.Array || stop.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
        {
            throw new TranslationException("stop", "'stop' must be a string or an array of strings", "invalid_type");
        }

        if (stop.GetArrayLength() > 5)
        {
            throw new TranslationException("stop", "Gemini models take at most 5 stop sequences", "invalid_value");
        }

        return [.. stop.EnumerateArray().Select(s => (JsonNode?)s.GetString())];
    }
}

/// <summary>A translated request: the generateContent body and the caller's parameters dropped under drop_params.</summary>
internal sealed record GeminiTranslation(byte[] Body, IReadOnlyList<string> Dropped);
