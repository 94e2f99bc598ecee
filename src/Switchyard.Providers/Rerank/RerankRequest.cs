using System.Text;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;

namespace Switchyard.Providers.Rerank;

/// <summary>
/// A rerank request in Cohere's shape (the gateway's canonical rerank format), read once the schema gate has passed it:
/// the query, the documents as sent, the text each document is ranked on (a string document itself; an object's
/// <c>text</c>, or its <c>rank_fields</c> as <c>field: value</c> lines, the form Cohere recommends for structured data),
/// and the options.
/// </summary>
internal sealed class RerankRequest
{
    public required string Query { get; init; }

    /// <summary>The documents as the caller sent them (strings or objects), returned with the results when asked.</summary>
    public required JsonElement Documents { get; init; }

    /// <summary>The text each document is ranked on, in order.</summary>
    public required IReadOnlyList<string> Texts { get; init; }

    /// <summary>top_n, at most the number of documents; null: every document.</summary>
    public int? TopN { get; init; }

    public bool ReturnDocuments { get; init; }
    public int? MaxChunksPerDoc { get; init; }
    public int? MaxTokensPerDoc { get; init; }

    public static AttemptResult<RerankRequest> Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var documents = root.GetProperty("documents").Clone();
            string[]? rankFields = root.TryGetProperty("rank_fields", out var rf) && rf.ValueKind == JsonValueKind.Array
                ? [.. rf.EnumerateArray().Select(f => f.GetString()!)]
                : null;
            var texts = documents.EnumerateArray().Select(d => TextOf(d, rankFields)).ToArray();
            var topN = Int(root, "top_n");
            return AttemptResult<RerankRequest>.Ok(new RerankRequest
            {
                Query = root.GetProperty("query").GetString()!,
                Documents = documents,
                Texts = texts,
                TopN = topN is { } n ? Math.Min(n, texts.Length) : null,
                ReturnDocuments = root.TryGetProperty("return_documents", out var rd) && rd.ValueKind == JsonValueKind.True,
                MaxChunksPerDoc = Int(root, "max_chunks_per_doc"),
                MaxTokensPerDoc = Int(root, "max_tokens_per_doc"),
            });
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // the schema gate passed it, so only a body changed since (never expected) lands here
            return new UpstreamFailure(FailureKind.CallerError, 400, "the rerank request needs 'query' and 'documents'") { UpstreamCode = "invalid_request" };
        }
    }

    /// <summary>
    /// The parameter a provider without chunking or per-document token limits cannot honour: refused by name, or with
    /// drop_params dropped (and named in <paramref name="dropped"/>).
    /// </summary>
    public UpstreamFailure? Unhonoured(string provider, bool dropParams, List<string> dropped)
    {
        foreach (var (name, present) in (ReadOnlySpan<(string, bool)>)[("max_chunks_per_doc", MaxChunksPerDoc is not null), ("max_tokens_per_doc", MaxTokensPerDoc is not null)])
        {
            if (!present)
            {
                continue;
            }

            if (!dropParams)
            {
                return new UpstreamFailure(FailureKind.Unsupported, 400, $"{provider} rerank has no equivalent of '{name}'; send it to a deployment that supports it, or opt in to drop_params")
                {
                    UpstreamCode = "unsupported_value",
                    UpstreamParam = name,
                };
            }

            dropped.Add(name);
        }

        return null;
    }

    private static int? Int(JsonElement root, string name)
        => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    private static string TextOf(JsonElement document, string[]? rankFields)
    {
        if (document.ValueKind == JsonValueKind.String)
        {
            return document.GetString()!;
        }

        if (rankFields is null or [])
        {
            return document.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : "";
        }

        var lines = new StringBuilder();
        foreach (var field in rankFields)
        {
            if (document.TryGetProperty(field, out var value))
            {
                lines.Append(field).Append(": ").Append(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()).Append('\n');
            }
        }

        return lines.ToString().TrimEnd('\n');
    }
}
