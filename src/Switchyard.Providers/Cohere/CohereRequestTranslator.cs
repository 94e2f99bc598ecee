using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Gemini;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// OpenAI chat request -> Cohere v2 chat request: the model, messages (<see cref="CohereMessageConverter"/>), function
/// tools as they are, tool_choice required/none as REQUIRED/NONE, max tokens, temperature, top_p as <c>p</c>, seed,
/// stop as <c>stop_sequences</c>, the penalties, and json_object / json_schema response formats. What Cohere has no
/// equivalent for is refused naming the parameter (or dropped under drop_params).
/// </summary>
internal static class CohereRequestTranslator
{
    private static readonly string[] NoEquivalent =
    [
        "logprobs", "top_logprobs", "logit_bias", "n", "audio", "modalities", "prediction", "web_search_options",
        "reasoning_effort", "parallel_tool_calls",
    ];

    public static AttemptResult<GeminiTranslation> Translate(ReadOnlyMemory<byte> body, DeploymentConfig deployment, bool stream, bool dropParams)
    {
        try
        {
            using var source = AnthropicRequestSource.Parse(body, deployment.Defaults);
            var dropped = new List<string>();
            var request = Build(source, deployment.Model, stream, dropParams ? dropped : null);
            var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
            using (var writer = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
            {
                request.WriteTo(writer);
            }

            return AttemptResult<GeminiTranslation>.Ok(new GeminiTranslation(buffer.WrittenSpan.ToArray(), dropped));
        }
        catch (TranslationException e) when (e.Code == "invalid_json")
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body must be a JSON object") { UpstreamCode = "invalid_json" };
        }
        catch (TranslationException e)
        {
            return new UpstreamFailure(e.NoEquivalent ? FailureKind.Unsupported : FailureKind.CallerError, 400, e.Message)
            {
                UpstreamCode = e.Code,
                UpstreamParam = e.Param,
            };
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body is not valid JSON") { UpstreamCode = "invalid_json" };
        }
    }

    private static JsonObject Build(AnthropicRequestSource source, string model, bool stream, List<string>? dropped)
    {
        if (!source.Root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException("messages", "'messages' must be an array", "invalid_type");
        }

        foreach (var name in NoEquivalent)
        {
            if (source.TryGetCaller(name, out var value) && !AsksNothing(name, value))
            {
                if (dropped is null)
                {
                    throw new TranslationException(name, $"Cohere has no equivalent of '{name}'; send it to a deployment that supports it, or opt in to drop_params", "unsupported_value", noEquivalent: true);
                }

                dropped.Add(name);
            }
        }

        var request = new JsonObject { ["model"] = model, ["messages"] = CohereMessageConverter.Convert(messages), ["stream"] = stream };
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (source.TryGet(name, out var v))
            {
                request["max_tokens"] = v.TryGetInt32(out var n) && n > 0 ? n : throw new TranslationException(name, $"'{name}' must be a positive integer", "invalid_value");
                break;
            }
        }

        Number(source, request, "temperature", "temperature");
        Number(source, request, "top_p", "p");
        Number(source, request, "frequency_penalty", "frequency_penalty");
        Number(source, request, "presence_penalty", "presence_penalty");
        if (source.TryGet("seed", out var seed))
        {
            request["seed"] = seed.TryGetInt64(out var s) ? s : throw new TranslationException("seed", "'seed' must be an integer", "invalid_type");
        }

        if (source.TryGet("stop", out var stop))
        {
            request["stop_sequences"] = stop.ValueKind == JsonValueKind.String ? new JsonArray(stop.GetString())
                : stop.ValueKind == JsonValueKind.Array && stop.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) ? new JsonArray([.. stop.EnumerateArray().Select(e => (JsonNode?)e.GetString())])
                : throw new TranslationException("stop", "'stop' must be a string or an array of strings", "invalid_type");
        }

        if (ResponseFormat(source) is { } format)
        {
            request["response_format"] = format;
        }

        Tools(source, request, dropped);
        return request;
    }

    private static void Tools(AnthropicRequestSource source, JsonObject request, List<string>? dropped)
    {
        if (!source.TryGet("tools", out var tools))
        {
            return;
        }

        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException("tools", "'tools' must be an array", "invalid_type");
        }

        var list = new JsonArray();
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var function = AnthropicJson.Get(tool, "function");
            var name = AnthropicJson.String(function, "name");
            if ((AnthropicJson.String(tool, "type") ?? "function") != "function" || string.IsNullOrEmpty(name))
            {
                throw new TranslationException($"tools[{i}]", "Cohere takes function tools with a name", "unsupported_value", noEquivalent: true);
            }

            var spec = new JsonObject { ["name"] = name };
            if (AnthropicJson.String(function, "description") is { Length: > 0 } description)
            {
                spec["description"] = description;
            }

            spec["parameters"] = AnthropicJson.TryGet(function, "parameters", out var schema) && schema.ValueKind == JsonValueKind.Object
                ? AnthropicJson.ToNode(schema)
                : new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            list.Add(new JsonObject { ["type"] = "function", ["function"] = spec });
            i++;
        }

        if (list.Count == 0)
        {
            return;
        }

        request["tools"] = list;
        if (!source.TryGet("tool_choice", out var choice))
        {
            return;
        }

        switch (choice.ValueKind == JsonValueKind.String ? choice.GetString() : null)
        {
            case "auto":
                break;
            case "required":
                request["tool_choice"] = "REQUIRED";
                break;
            case "none":
                request["tool_choice"] = "NONE";
                break;
            case null when AnthropicJson.Get(choice, "function").ValueKind == JsonValueKind.Object:
                if (dropped is null)
                {
                    throw new TranslationException("tool_choice", "Cohere cannot be made to call one named function; use required, or opt in to drop_params", "unsupported_value", noEquivalent: true);
                }

                dropped.Add("tool_choice");
                break;
            default:
                throw new TranslationException("tool_choice", "tool_choice must be auto, required, none or a named function", "invalid_value");
        }
    }

    private static JsonObject? ResponseFormat(AnthropicRequestSource source)
    {
        if (!source.TryGet("response_format", out var format))
        {
            return null;
        }

        return AnthropicJson.String(format, "type") switch
        {
            "text" => null,
            "json_object" => new JsonObject { ["type"] = "json_object" },
            "json_schema" when AnthropicJson.Get(AnthropicJson.Get(format, "json_schema"), "schema") is { ValueKind: JsonValueKind.Object } schema
                => new JsonObject { ["type"] = "json_object", ["json_schema"] = AnthropicJson.ToNode(schema) },
            _ => throw new TranslationException("response_format", "response_format must be text, json_object or json_schema with a schema", "invalid_value"),
        };
    }

    private static void Number(AnthropicRequestSource source, JsonObject request, string name, string cohereName)
    {
        if (source.TryGet(name, out var value))
        {
            request[cohereName] = value.ValueKind == JsonValueKind.Number ? JsonValue.Create(value.GetDouble()) : throw new TranslationException(name, $"'{name}' must be a number", "invalid_type");
        }
    }

    private static bool AsksNothing(string name, JsonElement value) => name switch
    {
        "logprobs" => value.ValueKind == JsonValueKind.False,
        "n" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n == 1,
        "parallel_tool_calls" => value.ValueKind == JsonValueKind.True,
        "logit_bias" => value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any(),
        _ => value.ValueKind == JsonValueKind.Null,
    };
}
