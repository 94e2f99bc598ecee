using System.Security.Cryptography;
using System.Text;
using Switchyard.Core.Routing;
using Switchyard.Core.Usage;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Rerank;

namespace Switchyard.Providers.Mock;

/// <summary>
/// The mock's rerank: each document scored by the share of the query's words it contains (case-insensitive), ties broken
/// by a hash of the text, so the same request always ranks the same; billed as Cohere bills, one search unit per 100
/// documents, with the mock's token count (a quarter of the body's bytes).
/// </summary>
internal static class MockRerank
{
    public static AttemptResult<UpstreamResponse> Answer(ProviderRequest request, long promptTokens)
    {
        var parsed = RerankRequest.Parse(request.Body);
        if (parsed.Value is not { } rerank)
        {
            return parsed.Failure!;
        }

        var words = Words(rerank.Query);
        var results = new (int, double)[rerank.Texts.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var text = Words(rerank.Texts[i]);
            var shared = words.Count == 0 ? 0 : words.Count(text.Contains) / (double)words.Count;
            var tie = SHA256.HashData(Encoding.UTF8.GetBytes(rerank.Texts[i]))[0] / 25_600.0; // under 0.01
            results[i] = (i, Math.Round((shared * 0.98) + tie, 6));
        }

        var id = "rerank-mock-" + Convert.ToHexStringLower(SHA256.HashData(request.Body.Span).AsSpan(0, 8));
        var answer = new RerankAnswer.Parsed(results, id, UsageEstimate.SearchUnits(request.Info), promptTokens);
        var (body, usage) = RerankAnswer.Write(answer, rerank, promptTokens);
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(body, usage));
#pragma warning restore CA2000
    }

    private static HashSet<string> Words(string text)
        => [.. text.Split([' ', '\t', '\n', '\r', ',', '.', ';', ':', '?', '!', '"', '\'', '(', ')'], StringSplitOptions.RemoveEmptyEntries).Select(w => w.ToLowerInvariant())];
}
