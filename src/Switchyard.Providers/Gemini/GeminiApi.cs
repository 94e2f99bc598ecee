using System.Net.Http.Headers;
using Switchyard.Core.Config;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Where the Gemini API (generativelanguage.googleapis.com) lives and the headers every call carries:
/// <c>{api_base}/v1beta/models/{model}:{method}</c> with the key in <c>x-goog-api-key</c>.
/// </summary>
internal static class GeminiApi
{
    public const string DefaultBase = "https://generativelanguage.googleapis.com";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>
    /// <c>{api_base}/v1beta/models/{model}:{method}</c>; an api_base that already ends in a version (<c>/v1beta</c>,
    /// <c>/v1</c>) keeps it, and a model written as <c>models/NAME</c> is not doubled.
    /// </summary>
    public static Uri MethodUri(DeploymentConfig deployment, string method)
    {
        var root = (string.IsNullOrEmpty(deployment.ApiBase) ? DefaultBase : deployment.ApiBase).TrimEnd('/');
        var versioned = root.EndsWith("/v1beta", StringComparison.OrdinalIgnoreCase) || root.EndsWith("/v1", StringComparison.OrdinalIgnoreCase)
            || root.EndsWith("/v1alpha", StringComparison.OrdinalIgnoreCase);
        return new Uri($"{root}{(versioned ? "" : "/v1beta")}/{ResourceName(deployment.Model)}:{method}");
    }

    /// <summary>The model's resource name, <c>models/NAME</c>, as the API's request bodies and paths name it.</summary>
    public static string ResourceName(string model)
        => model.StartsWith("models/", StringComparison.Ordinal) ? model : "models/" + model;

    public static Uri GenerateUri(DeploymentConfig deployment, bool stream)
        => stream ? new Uri(MethodUri(deployment, "streamGenerateContent") + "?alt=sse") : MethodUri(deployment, "generateContent");

    public static HttpRequestMessage CreateRequest(ProviderRequest request, Uri uri, byte[] body)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        message.Content.Headers.ContentType = Json;
        if (!string.IsNullOrEmpty(request.Deployment.ApiKey))
        {
            message.Headers.TryAddWithoutValidation("x-goog-api-key", request.Deployment.ApiKey);
        }

        UpstreamSend.AddCorrelation(message, request);
        return message;
    }
}
