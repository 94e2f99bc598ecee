using System.Text.Json;
using Switchyard.Core.Requests;

namespace Switchyard.Providers.OpenAI;

/// <summary>Checks that a 2xx body is the OpenAI shape it claims to be and reads its usage, in one pass.</summary>
public static class ResponseInspector
{
    public static (string? Problem, Usage? Usage) Inspect(ReadOnlySpan<byte> body, OperationKind operation)
    {
        try
        {
            var r = new Utf8JsonReader(body);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return ("answered 200 with a body that is not a JSON object", null);
            }

            var hasPayload = false;
            Usage? usage = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals(Payload(operation)))
                {
                    r.Read();
                    hasPayload = r.TokenType == JsonTokenType.StartArray;
                    r.Skip();
                }
                else if (r.ValueTextEquals("usage"u8))
                {
                    r.Read();
                    usage = ReadUsage(ref r);
                }
                else if (r.ValueTextEquals("error"u8))
                {
                    return ("answered 200 with an error object", null);
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }

            return hasPayload ? (null, usage) : ($"answered 200 without '{System.Text.Encoding.UTF8.GetString(Payload(operation))}'", null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a name the reader cannot decode (a lone surrogate escape)
            return ("answered 200 with a body that is not valid JSON", null);
        }
    }

    private static ReadOnlySpan<byte> Payload(OperationKind operation) => operation switch
    {
        OperationKind.Chat or OperationKind.Completions => "choices"u8,
        OperationKind.Responses => "output"u8,
        OperationKind.Moderations => "results"u8,
        _ => "data"u8,
    };

    /// <summary>
    /// Reads an OpenAI usage object (chat and embeddings prompt/completion tokens, Responses input/output tokens) (the
    /// reader sits on its StartObject or on null). Cached prompt tokens (<c>prompt_tokens_details.cached_tokens</c>,
    /// Responses <c>input_tokens_details.cached_tokens</c>) are part of the prompt count, as OpenAI reports them, and
    /// given apart as <see cref="Usage.CacheReadTokens"/> so a deployment's cache-read price applies to them. A usage
    /// with only <c>total_tokens</c> (Voyage's embeddings) counts the total, less any completion, as prompt.
    /// </summary>
    public static Usage? ReadUsage(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            return null;
        }

        long prompt = 0, completion = 0, cached = 0, total = 0;
        var sawPrompt = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("prompt_tokens"u8) || r.ValueTextEquals("input_tokens"u8))
            {
                r.Read();
                sawPrompt = r.TryGetInt64(out prompt);
            }
            else if (r.ValueTextEquals("total_tokens"u8))
            {
                r.Read();
                r.TryGetInt64(out total);
            }
            else if (r.ValueTextEquals("completion_tokens"u8) || r.ValueTextEquals("output_tokens"u8))
            {
                r.Read();
                r.TryGetInt64(out completion);
            }
            else if (r.ValueTextEquals("prompt_tokens_details"u8) || r.ValueTextEquals("input_tokens_details"u8))
            {
                r.Read();
                cached = CachedTokens(ref r);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        if (!sawPrompt && total > 0)
        {
            prompt = Math.Max(0, total - completion); // Voyage's embeddings usage is {"total_tokens": n} alone
        }

        return new Usage(prompt, completion) { CacheReadTokens = Math.Clamp(cached, 0, Math.Max(0, prompt)) };
    }

    /// <summary>A details object's <c>cached_tokens</c> (the reader on the object, or on null), 0 when absent.</summary>
    private static long CachedTokens(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            return 0;
        }

        long cached = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isCached = r.ValueTextEquals("cached_tokens"u8);
            r.Read();
            if (isCached && r.TokenType == JsonTokenType.Number)
            {
                r.TryGetInt64(out cached);
            }
            else
            {
                r.Skip();
            }
        }

        return cached;
    }
}
