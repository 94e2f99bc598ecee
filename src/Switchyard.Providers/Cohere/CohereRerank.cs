using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;
using Switchyard.Providers.Rerank;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// Rerank on Cohere: <c>POST {api_base}/v2/rerank</c> with <c>model</c>, <c>query</c>, the documents' texts,
/// <c>top_n</c> and <c>max_tokens_per_doc</c>. A request with <c>max_chunks_per_doc</c> goes to <c>/v1/rerank</c>
/// instead (the v1 parameter, as LiteLLM does), where <c>max_tokens_per_doc</c> has no equivalent. Documents are
/// returned by the gateway from the request, so Cohere is never asked for them; the answer's
/// <c>meta.billed_units.search_units</c> is the usage priced per query.
/// </summary>
internal static class CohereRerank
{
    public static async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(UpstreamHttp http, ProviderRequest request, CancellationToken cancellationToken)
    {
        if (!Core.Config.ProviderFamilies.Takes(request.Deployment.Provider, Core.Requests.OperationKind.Rerank))
        {
            return new UpstreamFailure(FailureKind.Unsupported, null, $"has no rerank API on {request.Deployment.Provider}/ (chat only); use cohere/ for rerank")
            {
                UpstreamParam = "model",
            };
        }

        var parsed = RerankRequest.Parse(request.Body);
        if (parsed.Value is not { } rerank)
        {
            return parsed.Failure!;
        }

        var d = request.Deployment;
        var v1 = rerank.MaxChunksPerDoc is not null;
        var dropped = new List<string>();
        if (v1 && rerank.MaxTokensPerDoc is not null)
        {
            if (!request.DropParams)
            {
                return new UpstreamFailure(FailureKind.Unsupported, 400, "Cohere's rerank takes either 'max_chunks_per_doc' (v1) or 'max_tokens_per_doc' (v2), not both; send one, or opt in to drop_params")
                {
                    UpstreamCode = "unsupported_value",
                    UpstreamParam = "max_tokens_per_doc",
                };
            }

            dropped.Add("max_tokens_per_doc");
        }

        var body = new JsonObject
        {
            ["model"] = d.Model,
            ["query"] = rerank.Query,
            ["documents"] = new JsonArray([.. rerank.Texts.Select(t => (JsonNode?)t)]),
        };
        if (rerank.TopN is { } topN)
        {
            body["top_n"] = topN;
        }

        if (v1)
        {
            body["max_chunks_per_doc"] = rerank.MaxChunksPerDoc;
        }
        else if (rerank.MaxTokensPerDoc is { } maxTokens)
        {
            body["max_tokens_per_doc"] = maxTokens;
        }

        var uri = CohereApi.MethodUri(d, "rerank");
        if (v1)
        {
            uri = new Uri(uri.AbsoluteUri[..^"v2/rerank".Length] + "v1/rerank");
        }

        return await RerankCall.SendAsync(http, request, rerank, uri, JsonSerializer.SerializeToUtf8Bytes(body), CohereErrors.HeadersAsync, dropped, cancellationToken).ConfigureAwait(false);
    }
}
