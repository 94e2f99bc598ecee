using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.OpenAI;

/// <summary>OpenAI and OpenAI-compatible servers (openai/, hosted_vllm/, ollama_chat/, custom api_base): Bearer auth.</summary>
public sealed class OpenAIAdapter(UpstreamHttp http) : OpenAIWireAdapter(http)
{
    public override string Family => ProviderFamilies.OpenAI;

    // Parsing a Uri costs ~0.7 µs and 160 B per call; each deployment's two are built once and shared (Uri is immutable).
    private static readonly ConditionalWeakTable<DeploymentConfig, Uri[]> Uris = new();

    protected override Uri BuildUri(DeploymentConfig deployment, OperationKind operation)
    {
        var uris = Uris.GetValue(deployment, static d => [new(d.ApiBase + "/chat/completions"), new(d.ApiBase + "/embeddings")]);
        return operation == OperationKind.Chat ? uris[0] : uris[1];
    }

    protected override void Authenticate(HttpRequestMessage message, DeploymentConfig deployment)
    {
        if (!string.IsNullOrEmpty(deployment.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", deployment.ApiKey);
        }
    }
}
