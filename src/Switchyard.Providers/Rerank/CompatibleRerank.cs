using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Rerank;

/// <summary>
/// Rerank on the OpenAI-family prefixes that have it, each at <c>POST {api_base}/rerank</c> with a Bearer key:
/// <c>jina_ai/</c> (Jina's <c>top_n</c>), <c>voyage/</c> (Voyage's <c>top_k</c>, results under <c>data</c>), and the
/// servers that speak Cohere's shape (<c>together_ai/</c>, <c>infinity/</c>, <c>hosted_vllm/</c>, <c>vllm/</c>,
/// <c>openai_compatible/</c>). The documents go as their texts and are never asked back (the gateway returns them from
/// the request); Cohere's chunking and per-document token limits have no equivalent here. Other prefixes (OpenAI
/// itself, Groq, ...) have no rerank API and are refused without a call.
/// </summary>
internal static class CompatibleRerank
{
    private enum Dialect
    {
        CohereShape,
        Jina,
        Voyage,
    }

    public static async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(UpstreamHttp http, ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        if (DialectOf(d.Provider) is not { } dialect || !ProviderFamilies.Takes(d.Provider, Core.Requests.OperationKind.Rerank))
        {
            return new UpstreamFailure(FailureKind.Unsupported, null, $"has no rerank API on {d.Provider}/; route it to a deployment whose provider has one (cohere/, jina_ai/, voyage/, together_ai/, infinity/, hosted_vllm/)")
            {
                UpstreamParam = "model",
            };
        }

        if (string.IsNullOrEmpty(d.ApiBase))
        {
            return new UpstreamFailure(FailureKind.Unsupported, null, $"has no api_base; {d.Provider}/ rerank is sent to {{api_base}}/rerank") { UpstreamParam = "model" };
        }

        var parsed = RerankRequest.Parse(request.Body);
        if (parsed.Value is not { } rerank)
        {
            return parsed.Failure!;
        }

        var dropped = new List<string>();
        if (rerank.Unhonoured(d.Provider, request.DropParams, dropped) is { } refused)
        {
            return refused;
        }

        var body = new JsonObject
        {
            ["model"] = d.Model,
            ["query"] = rerank.Query,
            ["documents"] = new JsonArray([.. rerank.Texts.Select(t => (JsonNode?)t)]),
        };
        if (rerank.TopN is { } topN)
        {
            body[dialect == Dialect.Voyage ? "top_k" : "top_n"] = topN;
        }

        body["return_documents"] = false;
        return await RerankCall.SendAsync(http, request, rerank, new Uri(d.ApiBase + "/rerank"), JsonSerializer.SerializeToUtf8Bytes(body), UpstreamSend.HeadersAsync, dropped, cancellationToken).ConfigureAwait(false);
    }

    private static Dialect? DialectOf(string provider) => provider switch
    {
        "jina_ai" => Dialect.Jina,
        "voyage" => Dialect.Voyage,
        "together_ai" or "infinity" or "hosted_vllm" or "vllm" or "openai_compatible" => Dialect.CohereShape,
        _ => null,
    };
}
