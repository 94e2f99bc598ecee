using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Gemini;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// OpenAI chat request -> Bedrock Converse request: system and developer messages to <c>system</c>, turns to
/// <c>messages</c> (text, images as bytes, tool calls as toolUse, tool messages as toolResult in a user turn; turns of
/// one role merged), tools to <c>toolConfig</c>, max tokens, temperature, top_p and stop to <c>inferenceConfig</c>.
/// What Converse has no equivalent for is refused naming the parameter (or dropped under drop_params).
/// </summary>
internal static class BedrockRequestTranslator
{
    private static readonly string[] NoEquivalent =
    [
        "logprobs", "top_logprobs", "logit_bias", "n", "audio", "modalities", "prediction", "web_search_options", "seed",
        "presence_penalty", "frequency_penalty", "response_format", "reasoning_effort", "parallel_tool_calls",
    ];

    public static AttemptResult<GeminiTranslation> Translate(ReadOnlyMemory<byte> body, DeploymentConfig deployment, bool dropParams)
    {
        try
        {
            using var source = AnthropicRequestSource.Parse(body, deployment.Defaults);
            var dropped = new List<string>();
            var request = Build(source, dropParams ? dropped : null);
            var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
            using (var writer = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
            {
                request.WriteTo(writer);
            }

            return AttemptResult<GeminiTranslation>.Ok(new GeminiTranslation(buffer.WrittenSpan.ToArray(), dropped));
        }
        catch (TranslationException e)
        {
            return new UpstreamFailure(e.NoEquivalent ? FailureKind.Unsupported : FailureKind.CallerError, 400, e.Message.Replace("Gemini", "Bedrock", StringComparison.Ordinal))
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

    private static JsonObject Build(AnthropicRequestSource source, List<string>? dropped)
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
                    throw new TranslationException(name, $"Bedrock Converse has no equivalent of '{name}' here; send it to a deployment that supports it, or opt in to drop_params", "unsupported_value", noEquivalent: true);
                }

                dropped.Add(name);
            }
        }

        var (system, turns) = BedrockMessageConverter.Convert(messages);
        var request = new JsonObject { ["messages"] = turns };
        if (system.Count > 0)
        {
            request["system"] = system;
        }

        var config = new JsonObject();
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (source.TryGet(name, out var v))
            {
                config["maxTokens"] = v.TryGetInt32(out var n) && n > 0 ? n : throw new TranslationException(name, $"'{name}' must be a positive integer", "invalid_value");
                break;
            }
        }

        Number(source, config, "temperature", "temperature");
        Number(source, config, "top_p", "topP");
        if (source.TryGet("stop", out var stop))
        {
            config["stopSequences"] = stop.ValueKind == JsonValueKind.String ? new JsonArray(stop.GetString())
                : stop.ValueKind == JsonValueKind.Array && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) ? new JsonArray([.. stop.EnumerateArray().Select(s => (JsonNode?)s.GetString())])
                : throw new TranslationException("stop", "'stop' must be a string or an array of strings", "invalid_type");
        }

        if (config.Count > 0)
        {
            request["inferenceConfig"] = config;
        }

        if (BedrockToolConverter.ToolConfig(source) is { } tools)
        {
            request["toolConfig"] = tools;
        }

        return request;
    }

    private static void Number(AnthropicRequestSource source, JsonObject config, string name, string bedrockName)
    {
        if (source.TryGet(name, out var value))
        {
            config[bedrockName] = value.ValueKind == JsonValueKind.Number ? JsonValue.Create(value.GetDouble()) : throw new TranslationException(name, $"'{name}' must be a number", "invalid_type");
        }
    }

    private static bool AsksNothing(string name, JsonElement value) => name switch
    {
        "logprobs" => value.ValueKind == JsonValueKind.False,
        "n" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n == 1,
        "parallel_tool_calls" => value.ValueKind == JsonValueKind.True,
        "response_format" => AnthropicJson.String(value, "type") == "text",
        "logit_bias" => value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any(),
        _ => value.ValueKind == JsonValueKind.Null,
    };
}
