using System.Net.Http.Headers;
using Switchyard.Core.Config;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Where the Bedrock runtime lives (<c>https://bedrock-runtime.{region}.amazonaws.com</c>, or the deployment's
/// endpoint) and how every call is made: <c>POST /model/{modelId}/converse</c>, <c>/converse-stream</c> and
/// <c>/invoke</c>, the model id escaped as one path segment (ids carry ':' and inference-profile ARNs '/'), signed with SigV4.
/// </summary>
internal static class BedrockApi
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static Uri ModelUri(DeploymentConfig d, string action)
    {
        var root = (d.ApiBase ?? AwsSettings.RuntimeEndpoint(d.Aws?.Region ?? "us-west-2")).TrimEnd('/');
        return new Uri($"{root}/model/{Uri.EscapeDataString(d.Model)}/{action}");
    }

    public static HttpRequestMessage CreateRequest(ProviderRequest request, Uri uri, byte[] body, DateTimeOffset now)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        message.Content.Headers.ContentType = Json;
        if (request.Deployment.Aws is { } aws)
        {
            BedrockSigner.Sign(message, body, aws, now);
        }

        UpstreamSend.AddCorrelation(message, request);
        return message;
    }
}
