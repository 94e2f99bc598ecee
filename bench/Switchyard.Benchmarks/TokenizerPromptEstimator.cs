using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Switchyard.Benchmarks;

/// <summary>
/// The estimator before issue 7, kept only as the benchmarks' baseline (quadratic in an unbroken word's length).
/// Estimates a request's prompt tokens before the call, for TPM reservations and budget estimates.
/// OpenAI models with a known encoding (o200k_base: gpt-4o, gpt-4.1, gpt-5, o-series; cl100k_base: gpt-4, gpt-3.5,
/// text-embedding-3) are counted with the real tokenizer over every string in messages, tools and input, plus 3 tokens
/// per message; other models use the documented approximation of one token per 4 bytes of body.
/// The estimate is settled to the provider's reported usage after the call.
/// </summary>
internal static class TokenizerPromptEstimator
{
    private static readonly ConcurrentDictionary<string, Tokenizer?> Tokenizers = new(StringComparer.Ordinal);

    public static Tokenizer? TokenizerFor(string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            return null;
        }

        var encoding = EncodingFor(model);
        return encoding is null ? null : Tokenizers.GetOrAdd(encoding, static e =>
        {
            try
            {
                return TiktokenTokenizer.CreateForEncoding(e);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException or FileNotFoundException)
            {
                return null;
            }
        });
    }

    public static string? EncodingFor(string model)
    {
        var m = model[(model.LastIndexOf('/') + 1)..].ToLowerInvariant();
        if (m.StartsWith("gpt-4o", StringComparison.Ordinal) || m.StartsWith("gpt-4.1", StringComparison.Ordinal) || m.StartsWith("gpt-5", StringComparison.Ordinal)
            || m.StartsWith("o1", StringComparison.Ordinal) || m.StartsWith("o3", StringComparison.Ordinal) || m.StartsWith("o4", StringComparison.Ordinal))
        {
            return "o200k_base";
        }

        if (m.StartsWith("gpt-4", StringComparison.Ordinal) || m.StartsWith("gpt-3.5", StringComparison.Ordinal) || m.StartsWith("text-embedding-3", StringComparison.Ordinal)
            || m.StartsWith("text-embedding-ada", StringComparison.Ordinal))
        {
            return "cl100k_base";
        }

        return null;
    }

    public static long EstimatePrompt(ReadOnlySpan<byte> body, Tokenizer? tokenizer)
    {
        if (tokenizer is null)
        {
            return Math.Max(1, body.Length / 4);
        }

        long tokens = 3;
        var r = new Utf8JsonReader(body);
        var depth = 0;
        var inCounted = false;
        var countedDepth = 0;
        while (r.Read())
        {
            switch (r.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    depth++;
                    if (inCounted && depth == countedDepth + 2 && r.TokenType == JsonTokenType.StartObject)
                    {
                        tokens += 3; // per message / per tool
                    }

                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    depth--;
                    if (inCounted && depth == countedDepth)
                    {
                        inCounted = false;
                    }

                    break;
                case JsonTokenType.PropertyName when depth == 1:
                    if (r.ValueTextEquals("messages"u8) || r.ValueTextEquals("tools"u8) || r.ValueTextEquals("input"u8))
                    {
                        inCounted = true;
                        countedDepth = depth;
                    }

                    break;
                case JsonTokenType.String when inCounted:
                    tokens += tokenizer.CountTokens(r.GetString()!);
                    if (depth == countedDepth)
                    {
                        inCounted = false; // input: "a string"
                    }

                    break;
            }
        }

        return tokens;
    }
}
