using System.Net.Http.Headers;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.OpenAI;

/// <summary>OpenAI and OpenAI-compatible servers (openai/, hosted_vllm/, ollama_chat/, custom api_base): Bearer auth.</summary>
public sealed class OpenAIAdapter(UpstreamHttp http) : OpenAIWireAdapter(http)
{
    public override string Family => ProviderFamilies.OpenAI;

    protected override Uri BuildUri(DeploymentConfig deployment, OperationKind operation)
        => new(deployment.ApiBase + (operation == OperationKind.Chat ? "/chat/completions" : "/embeddings"));

    protected override void Authenticate(HttpRequestMessage message, DeploymentConfig deployment)
    {
        if (!string.IsNullOrEmpty(deployment.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", deployment.ApiKey);
        }
    }
}
