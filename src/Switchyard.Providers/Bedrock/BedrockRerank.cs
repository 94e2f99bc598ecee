using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;
using Switchyard.Providers.Rerank;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Rerank on Bedrock (Cohere's <c>cohere.rerank-v3-5:0</c>, Amazon's <c>amazon.rerank-v1:0</c>): the Agents runtime's
/// <c>POST https://bedrock-agent-runtime.{region}.amazonaws.com/rerank</c>, SigV4-signed as every Bedrock call, with
/// the query as one TEXT query, each document's text as an INLINE TEXT source, and the model as its foundation-model
/// ARN with <c>numberOfResults</c> (top_n, else every document). A custom endpoint (api_base or
/// aws_bedrock_runtime_endpoint) other than the region's runtime is called as given. Results come back as
/// <c>{index, relevanceScore}</c>; Bedrock reports no usage, so one search unit per 100 documents is billed.
/// </summary>
internal static class BedrockRerank
{
    public static async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(UpstreamHttp http, TimeProvider time, ProviderRequest request, CancellationToken cancellationToken)
    {
        var parsed = RerankRequest.Parse(request.Body);
        if (parsed.Value is not { } rerank)
        {
            return parsed.Failure!;
        }

        var d = request.Deployment;
        var dropped = new List<string>();
        if (rerank.Unhonoured("Bedrock", request.DropParams, dropped) is { } refused)
        {
            return refused;
        }

        var region = d.Aws?.Region ?? "us-west-2";
        var arn = d.Model.StartsWith("arn:", StringComparison.Ordinal) ? d.Model : $"arn:aws:bedrock:{region}::foundation-model/{d.Model}";
        var body = new JsonObject
        {
            ["queries"] = new JsonArray(new JsonObject { ["type"] = "TEXT", ["textQuery"] = new JsonObject { ["text"] = rerank.Query } }),
            ["sources"] = new JsonArray([.. rerank.Texts.Select(t => (JsonNode?)new JsonObject
            {
                ["type"] = "INLINE",
                ["inlineDocumentSource"] = new JsonObject { ["type"] = "TEXT", ["textDocument"] = new JsonObject { ["text"] = t } },
            })]),
            ["rerankingConfiguration"] = new JsonObject
            {
                ["type"] = "BEDROCK_RERANKING_MODEL",
                ["bedrockRerankingConfiguration"] = new JsonObject
                {
                    ["numberOfResults"] = rerank.TopN ?? rerank.Texts.Count,
                    ["modelConfiguration"] = new JsonObject { ["modelArn"] = arn },
                },
            },
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        var now = time.GetUtcNow();
        return await RerankCall.SendAsync(http, request, rerank, Endpoint(d, region), bytes, (h, message, cts, timeout, callerToken) =>
        {
            message.Headers.Authorization = null; // SigV4 instead of a Bearer key
            if (d.Aws is { } aws)
            {
                BedrockSigner.Sign(message, bytes, aws, now);
            }

            return BedrockErrors.HeadersAsync(h, message, cts, timeout, callerToken);
        }, dropped, cancellationToken, searchUnits: Core.Usage.UsageEstimate.SearchUnits(request.Info)).ConfigureAwait(false);
    }

    private static Uri Endpoint(DeploymentConfig d, string region)
    {
        var runtime = AwsSettings.RuntimeEndpoint(region).TrimEnd('/');
        var root = (d.ApiBase ?? runtime).TrimEnd('/');
        return new Uri((root == runtime ? $"https://bedrock-agent-runtime.{region}.amazonaws.com" : root) + "/rerank");
    }
}
