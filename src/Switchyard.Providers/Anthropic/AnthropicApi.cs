using System.Net.Http.Headers;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Anthropic;

/// <summary>Where the Messages API lives and the headers every call carries.</summary>
internal static class AnthropicApi
{
    public const string Version = "2023-06-01";
    public const string DefaultBase = "https://api.anthropic.com";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary><c>{api_base}/v1/messages</c>, without doubling a configured <c>/v1</c>.</summary>
    public static Uri MessagesUri(DeploymentConfig deployment)
    {
        var root = (string.IsNullOrEmpty(deployment.ApiBase) ? DefaultBase : deployment.ApiBase).TrimEnd('/');
        return new Uri(root.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? root + "/messages" : root + "/v1/messages");
    }

    /// <summary><c>{api_base}/v1/messages/count_tokens</c>.</summary>
    public static Uri CountTokensUri(DeploymentConfig deployment) => new(MessagesUri(deployment) + "/count_tokens");

    public static HttpRequestMessage CreateRequest(ProviderRequest request, byte[] body, Uri? uri = null)
    {
        var d = request.Deployment;
        var message = new HttpRequestMessage(HttpMethod.Post, uri ?? MessagesUri(d))
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        message.Content.Headers.ContentType = Json;
        if (!string.IsNullOrEmpty(d.ApiKey))
        {
            message.Headers.TryAddWithoutValidation("x-api-key", d.ApiKey);
        }

        // A Messages caller's own anthropic-version and anthropic-beta go through (the body is theirs too); a translated
        // chat request always speaks the version its translation was written for.
        var version = Version;
        if (request.Info.Operation == OperationKind.Messages)
        {
            foreach (var (name, value) in request.ForwardHeaders)
            {
                if (name.Equals("anthropic-version", StringComparison.OrdinalIgnoreCase))
                {
                    version = value;
                }
                else if (name.Equals("anthropic-beta", StringComparison.OrdinalIgnoreCase))
                {
                    message.Headers.TryAddWithoutValidation("anthropic-beta", value);
                }
            }
        }

        message.Headers.TryAddWithoutValidation("anthropic-version", version);
        DeploymentHeaders.Add(message, d, openAIWire: false);
        UpstreamSend.AddCorrelation(message, request);
        return message;
    }
}
