using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Providers.Http;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Providers.Azure;

/// <summary>
/// Azure OpenAI: the OpenAI wire format at
/// <c>{api_base}/openai/deployments/{deployment}/{chat/completions|completions|embeddings|images/generations}?api-version=V</c> with an <c>api-key</c> header.
/// </summary>
public sealed class AzureOpenAIAdapter(UpstreamHttp http) : OpenAIWireAdapter(http)
{
    public override string Family => ProviderFamilies.Azure;

    /// <summary>Azure OpenAI has chat, legacy completions, embeddings and image generation, no moderations API.</summary>
    protected override Uri? BuildUri(DeploymentConfig deployment, OperationKind operation)
    {
        var path = operation switch
        {
            OperationKind.Chat => "chat/completions",
            OperationKind.Completions => "completions",
            OperationKind.ImageGeneration => "images/generations",
            OperationKind.Embeddings => "embeddings",
            _ => null,
        };
        if (path is null)
        {
            return null;
        }

        return new Uri($"{deployment.ApiBase}/openai/deployments/{Uri.EscapeDataString(deployment.Model)}/{path}?api-version={Uri.EscapeDataString(deployment.ApiVersion ?? "")}");
    }

    protected override void Authenticate(HttpRequestMessage message, DeploymentConfig deployment)
    {
        if (!string.IsNullOrEmpty(deployment.ApiKey))
        {
            message.Headers.TryAddWithoutValidation("api-key", deployment.ApiKey);
        }
    }
}
