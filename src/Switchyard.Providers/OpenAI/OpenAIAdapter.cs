using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.OpenAI;

/// <summary>OpenAI and OpenAI-compatible servers (openai/, hosted_vllm/, ollama_chat/, custom api_base): Bearer auth.</summary>
public sealed class OpenAIAdapter(UpstreamHttp http) : OpenAIWireAdapter(http)
{
    private readonly UpstreamHttp _http = http;

    public override string Family => ProviderFamilies.OpenAI;

    // Parsing a Uri costs ~0.7 µs and 160 B per call; each deployment's few are built once and shared (Uri is immutable).
    private static readonly ConditionalWeakTable<DeploymentConfig, Uri[]> Uris = new();

    /// <summary>Rerank goes to the prefixes that have it, in their own shapes (<see cref="Rerank.CompatibleRerank"/>); the rest as the OpenAI wire.</summary>
    public override ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
        => request.Info.Operation == OperationKind.Rerank ? Rerank.CompatibleRerank.SendAsync(_http, request, cancellationToken) : base.SendAsync(request, cancellationToken);

    protected override Uri? BuildUri(DeploymentConfig deployment, OperationKind operation)
    {
        if (!ProviderFamilies.Takes(deployment.Provider, operation))
        {
            return null; // voyage/ embeds only, cerebras/ only chats, ...: refused as unsupported, never sent
        }

        var uris = Uris.GetValue(deployment, static d =>
        [
            new(d.ApiBase + "/chat/completions"), new(d.ApiBase + "/embeddings"), new(d.ApiBase + "/responses"),
            new(d.ApiBase + "/completions"), new(d.ApiBase + "/images/generations"), new(d.ApiBase + "/moderations"),
        ]);
        return operation switch
        {
            OperationKind.Chat => uris[0],
            OperationKind.Responses => uris[2],
            OperationKind.Completions => uris[3],
            OperationKind.ImageGeneration => uris[4],
            OperationKind.Moderations => uris[5],
            _ => uris[1],
        };
    }

    /// <summary>Responses too, where the deployment speaks it (<see cref="DeploymentConfig.NativeResponses"/>: api.openai.com, or <c>responses: native</c>).</summary>
    public override bool SpeaksNatively(OperationKind operation, DeploymentConfig deployment)
        => operation is OperationKind.Chat or OperationKind.Embeddings || (operation == OperationKind.Responses && deployment.NativeResponses);

    protected override void Authenticate(HttpRequestMessage message, DeploymentConfig deployment)
    {
        if (!string.IsNullOrEmpty(deployment.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", deployment.ApiKey);
        }
    }
}
