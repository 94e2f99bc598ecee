using System.Buffers;
using System.Text.Json;
using Switchyard.Core.Requests;

namespace Switchyard.Providers.Rerank;

/// <summary>
/// A provider's rerank answer read and written back in Cohere's v2 shape, as LiteLLM answers:
/// <c>{"id", "results": [{"index", "relevance_score", "document"?}], "meta": {"billed_units": {...}, "tokens"?: {...}}}</c>.
/// Results are read from <c>results</c> (Cohere, Jina, Together, Infinity, vLLM) or <c>data</c> (Voyage), each an
/// <c>index</c> into the documents sent and a <c>relevance_score</c> (Bedrock's <c>relevanceScore</c>); they come back best first, at most top_n of them,
/// each with its document as sent (a string as <c>{"text": …}</c>) when <c>return_documents</c> asked for it.
/// </summary>
internal static class RerankAnswer
{
    /// <summary>What an answer said: the ranked results, its id, Cohere's search units and the input tokens it reported.</summary>
    public sealed record Parsed(IReadOnlyList<(int Index, double Score)> Results, string? Id, long SearchUnits, long? Tokens);

    /// <summary>The answer's results and billing, or null when the payload is not a rerank answer over <paramref name="documents"/> documents.</summary>
    public static Parsed? Read(ReadOnlySpan<byte> payload, int documents)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !((root.TryGetProperty("results", out var list) && list.ValueKind == JsonValueKind.Array)
                    || (root.TryGetProperty("data", out list) && list.ValueKind == JsonValueKind.Array)))
            {
                return null;
            }

            var results = new List<(int, double)>(list.GetArrayLength());
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("index", out var index) || index.ValueKind != JsonValueKind.Number || !index.TryGetInt32(out var i) || i < 0 || i >= documents
                    || !(item.TryGetProperty("relevance_score", out var score) || item.TryGetProperty("relevanceScore", out score)) || score.ValueKind != JsonValueKind.Number)
                {
                    return null;
                }

                results.Add((i, score.GetDouble()));
            }

            var meta = root.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var billed = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("billed_units", out var b) && b.ValueKind == JsonValueKind.Object ? b : default;
            var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
            var tokens = Number(usage, "prompt_tokens") ?? Number(usage, "total_tokens")
                ?? (meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("tokens", out var t) ? Number(t, "input_tokens") : null)
                ?? Number(billed, "input_tokens") ?? Number(billed, "total_tokens");
            var id = root.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString() : null;
            return new Parsed(results, id, Number(billed, "search_units") ?? 0, tokens);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The canonical answer, and its usage (the reported input tokens, else <paramref name="estimatedTokens"/>; the search units).</summary>
    public static (byte[] Body, Usage Usage) Write(Parsed parsed, RerankRequest request, long estimatedTokens)
    {
        var ranked = parsed.Results.OrderByDescending(r => r.Score).Take(request.TopN ?? int.MaxValue).ToArray();
        var buffer = new ArrayBufferWriter<byte>(256 + (ranked.Length * 48));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", parsed.Id ?? Guid.NewGuid().ToString("D"));
            w.WriteStartArray("results");
            foreach (var (index, score) in ranked)
            {
                w.WriteStartObject();
                w.WriteNumber("index", index);
                w.WriteNumber("relevance_score", score);
                if (request.ReturnDocuments)
                {
                    w.WritePropertyName("document");
                    var document = request.Documents[index];
                    if (document.ValueKind == JsonValueKind.String)
                    {
                        w.WriteStartObject();
                        w.WriteString("text", document.GetString());
                        w.WriteEndObject();
                    }
                    else
                    {
                        document.WriteTo(w);
                    }
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("meta");
            w.WriteStartObject("billed_units");
            if (parsed.SearchUnits > 0)
            {
                w.WriteNumber("search_units", parsed.SearchUnits);
            }
            else
            {
                w.WriteNumber("total_tokens", parsed.Tokens ?? estimatedTokens);
            }

            w.WriteEndObject();
            if (parsed.Tokens is { } reported)
            {
                w.WriteStartObject("tokens");
                w.WriteNumber("input_tokens", reported);
                w.WriteNumber("output_tokens", 0);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return (buffer.WrittenSpan.ToArray(), new Usage(parsed.Tokens ?? estimatedTokens, 0) { SearchUnits = parsed.SearchUnits });
    }

    private static long? Number(JsonElement parent, string name)
        => parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d >= 0
            ? (long)d : null;
}
