using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// OpenAI chat request -> Anthropic Messages request. Parameters Anthropic has no equivalent for
/// (presence_penalty, logit_bias, seed, ...) are dropped; ones that cannot be expressed become a caller error.
/// </summary>
internal static class AnthropicRequestTranslator
{
    /// <summary>max_tokens is required by Anthropic; used when neither the caller nor the deployment sets it.</summary>
    public const int DefaultMaxTokens = 4096;

    public static AttemptResult<byte[]> Translate(ReadOnlyMemory<byte> body, DeploymentConfig deployment, bool stream)
    {
        try
        {
            using var source = AnthropicRequestSource.Parse(body, deployment.Defaults);
            var request = Build(source, deployment.Model, stream);
            var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
            using (var writer = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
            {
                request.WriteTo(writer);
            }

            return AttemptResult<byte[]>.Ok(buffer.WrittenSpan.ToArray());
        }
        catch (AnthropicTranslationException e)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, e.Message) { UpstreamCode = e.Code, UpstreamParam = e.Param };
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body is not valid JSON") { UpstreamCode = "invalid_json" };
        }
    }

    private static JsonObject Build(AnthropicRequestSource source, string model, bool stream)
    {
        if (!source.Root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new AnthropicTranslationException("messages", "'messages' must be an array", "invalid_type");
        }

        if (source.TryGet("n", out var n) && !(n.TryGetInt32(out var count) && count == 1))
        {
            throw new AnthropicTranslationException("n", "Anthropic models return one choice per request; 'n' must be 1", "unsupported_value");
        }

        var conversation = AnthropicMessageConverter.Convert(messages);
        var request = new JsonObject
        {
            ["model"] = model,
            ["max_tokens"] = MaxTokens(source),
        };
        if (conversation.System is { } system)
        {
            request["system"] = system;
        }

        request["messages"] = conversation.Messages;
        AnthropicToolConverter.Apply(source, request);
        CopyNumber(source, request, "temperature", "temperature");
        CopyNumber(source, request, "top_p", "top_p");
        if (source.TryGet("stop", out var stop))
        {
            request["stop_sequences"] = StopSequences(stop);
        }

        if (source.TryGet("user", out var user) && user.ValueKind == JsonValueKind.String)
        {
            request["metadata"] = new JsonObject { ["user_id"] = user.GetString() };
        }

        if (stream)
        {
            request["stream"] = true;
        }

        return request;
    }

    private static int MaxTokens(AnthropicRequestSource source)
    {
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (source.TryGetCaller(name, out var v) && v.TryGetInt32(out var n) && n > 0)
            {
                return n;
            }
        }

        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (source.TryGetDefault(name, out var v) && v.TryGetInt32(out var n) && n > 0)
            {
                return n;
            }
        }

        return DefaultMaxTokens;
    }

    private static void CopyNumber(AnthropicRequestSource source, JsonObject request, string from, string to)
    {
        if (source.TryGet(from, out var value))
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                throw new AnthropicTranslationException(from, $"'{from}' must be a number", "invalid_type");
            }

            request[to] = JsonValue.Create(value);
        }
    }

    private static JsonArray StopSequences(JsonElement stop)
    {
        var result = new JsonArray();
        if (stop.ValueKind == JsonValueKind.String)
        {
            result.Add(stop.GetString());
            return result;
        }

        if (stop.ValueKind != JsonValueKind.Array)
        {
            throw new AnthropicTranslationException("stop", "'stop' must be a string or an array of strings", "invalid_type");
        }

        foreach (var s in stop.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.String)
            {
                throw new AnthropicTranslationException("stop", "'stop' must be a string or an array of strings", "invalid_type");
            }

            result.Add(s.GetString());
        }

        return result;
    }
}
