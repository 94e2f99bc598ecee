using System.Net.Http.Headers;
using Switchyard.Core.Config;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// Where Cohere's v2 API lives (<c>https://api.cohere.com</c>, or the deployment's api_base) and the headers every call
/// carries: <c>POST {api_base}/v2/chat</c> and <c>/v2/embed</c> with the key as a Bearer token. An api_base that already
/// ends in <c>/v2</c> (or <c>/v1</c>, LiteLLM's older default) keeps only its root.
/// </summary>
internal static class CohereApi
{
    public const string DefaultBase = "https://api.cohere.com";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static Uri MethodUri(DeploymentConfig deployment, string method)
    {
        var root = (string.IsNullOrEmpty(deployment.ApiBase) ? DefaultBase : deployment.ApiBase).TrimEnd('/');
        foreach (var version in (ReadOnlySpan<string>)["/v2", "/v1"])
        {
            if (root.EndsWith(version, StringComparison.OrdinalIgnoreCase))
            {
                root = root[..^version.Length];
            }
        }

        return new Uri($"{root}/v2/{method}");
    }

    public static HttpRequestMessage CreateRequest(ProviderRequest request, Uri uri, byte[] body, bool stream)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        message.Content.Headers.ContentType = Json;
        message.Headers.Accept.ParseAdd(stream ? "text/event-stream" : "application/json");
        if (!string.IsNullOrEmpty(request.Deployment.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", request.Deployment.ApiKey);
        }

        UpstreamSend.AddCorrelation(message, request);
        return message;
    }
}
