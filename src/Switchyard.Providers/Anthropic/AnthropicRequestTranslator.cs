using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// OpenAI chat request -> Anthropic Messages request. What has an equivalent is translated (response_format to a
/// forced tool, reasoning_effort to thinking, stop, user, parallel_tool_calls); what has none is refused as
/// <see cref="FailureKind.Unsupported"/> naming the parameter, or dropped and reported under drop_params (the called
/// alias's opt-in or <see cref="DeploymentConfig.DropParams"/>); input that cannot be expressed at all becomes a caller error.
/// </summary>
internal static class AnthropicRequestTranslator
{
    /// <summary>max_tokens is required by Anthropic; used when neither the caller nor the deployment sets it.</summary>
    public const int DefaultMaxTokens = 4096;

    public static AttemptResult<AnthropicTranslation> Translate(ReadOnlyMemory<byte> body, DeploymentConfig deployment, bool stream, bool dropParams)
    {
        try
        {
            using var source = AnthropicRequestSource.Parse(body, deployment.Defaults);
            var dropped = new List<string>();
            var (request, jsonTool) = Build(source, deployment, stream, dropParams ? dropped : null);
            var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
            using (var writer = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
            {
                request.WriteTo(writer);
            }

            return AttemptResult<AnthropicTranslation>.Ok(new AnthropicTranslation(buffer.WrittenSpan.ToArray(), jsonTool, dropped));
        }
        catch (TranslationException e)
        {
            return new UpstreamFailure(e.NoEquivalent ? FailureKind.Unsupported : FailureKind.CallerError, 400, e.Message) { UpstreamCode = e.Code, UpstreamParam = e.Param };
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body is not valid JSON") { UpstreamCode = "invalid_json" };
        }
    }

    private static (JsonObject Request, string? JsonTool) Build(AnthropicRequestSource source, DeploymentConfig deployment, bool stream, List<string>? dropped)
    {
        if (!source.Root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException("messages", "'messages' must be an array", "invalid_type");
        }

        foreach (var name in AnthropicParameterPolicy.Unsupported(source))
        {
            Refuse(dropped, name, name == "n"
                ? "Anthropic models return one choice per request; 'n' must be 1"
                : $"Anthropic models have no equivalent of '{name}'");
        }

        var jsonTool = AnthropicStructuredOutput.Tool(source);
        var thinking = AnthropicThinking.Budget(source);
        if (thinking is not null && jsonTool is not null)
        {
            Refuse(dropped, "reasoning_effort",
                "'reasoning_effort' cannot be combined with response_format on Anthropic models (structured output is a forced tool call, and extended thinking allows no forced tool)");
            thinking = null;
        }

        var conversation = AnthropicMessageConverter.Convert(messages);
        var maxTokens = MaxTokens(source);
        var request = new JsonObject { ["model"] = deployment.Model, ["max_tokens"] = maxTokens };
        if (conversation.System is { } system)
        {
            request["system"] = system;
        }

        request["messages"] = conversation.Messages;
        if (thinking is { } budget)
        {
            // Anthropic counts thinking inside max_tokens and needs room for an answer after it: a cap at or under the
            // budget is raised to budget + the cap (docs/configuration.md, "Anthropic translation").
            if (maxTokens <= budget)
            {
                request["max_tokens"] = budget + maxTokens;
            }

            request["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = budget };
        }

        AnthropicToolConverter.Apply(source, request, jsonTool);
        if (thinking is null)
        {
            CopyNumber(source, request, "temperature");
            CopyNumber(source, request, "top_p");
        }
        else
        {
            // Extended thinking accepts only temperature 1 and top_p from 0.95 to 1; other caller values are refused
            // (or dropped under drop_params), deployment defaults are left out.
            if (source.TryGetCaller("temperature", out var t) && !(t.ValueKind == JsonValueKind.Number && t.GetDouble() == 1))
            {
                Refuse(dropped, "temperature", "Anthropic extended thinking (reasoning_effort) requires temperature 1 or unset");
            }

            if (source.TryGetCaller("top_p", out var p) && p.ValueKind == JsonValueKind.Number && p.GetDouble() is >= 0.95 and <= 1)
            {
                request["top_p"] = JsonValue.Create(p.GetDouble());
            }
            else if (source.TryGetCaller("top_p", out _))
            {
                Refuse(dropped, "top_p", "Anthropic extended thinking (reasoning_effort) requires top_p between 0.95 and 1, or unset");
            }
        }

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

        return (request, jsonTool?.Name);
    }

    /// <summary>Records <paramref name="name"/> in <paramref name="dropped"/> under drop_params (non-null); else refuses the request.</summary>
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

    private static void CopyNumber(AnthropicRequestSource source, JsonObject request, string name)
    {
        if (source.TryGet(name, out var value))
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                throw new TranslationException(name, $"'{name}' must be a number", "invalid_type");
            }

            request[name] = JsonValue.Create(value);
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
            throw new TranslationException("stop", "'stop' must be a string or an array of strings", "invalid_type");
        }

        foreach (var s in stop.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.String)
            {
                throw new TranslationException("stop", "'stop' must be a string or an array of strings", "invalid_type");
            }

            result.Add(s.GetString());
        }

        return result;
    }
}
