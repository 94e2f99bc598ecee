using System.Net.Http.Headers;
using Switchyard.Core.Config;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Vertex;

/// <summary>
/// Where Vertex AI's models live and what every call carries:
/// <c>{endpoint}/v1/projects/{project}/locations/{location}/publishers/{google|anthropic}/models/{model}:{method}</c>
/// (an all-digit model is a tuned model's endpoint, <c>…/endpoints/{id}:{method}</c>) with a bearer OAuth token. The
/// endpoint is the location's (<see cref="VertexSettings.Endpoint"/>) or the api_base: a bare host replaces the
/// location's host; an api_base with a path is, as in LiteLLM, the model's whole URL to which <c>:{method}</c> is added
/// (a proxy such as Cloudflare's AI Gateway).
/// </summary>
internal static class VertexApi
{
    /// <summary>The API version Claude on Vertex takes in the body (Vertex has no anthropic-version header).</summary>
    public const string AnthropicVersion = "vertex-2023-10-16";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Claude models (Anthropic's, published on Vertex): <c>claude-sonnet-4@20250514</c>, <c>claude-3-5-haiku@20241022</c>.</summary>
    public static bool IsClaude(string model) => model.StartsWith("claude", StringComparison.OrdinalIgnoreCase);

    public static Uri ModelUri(DeploymentConfig d, string publisher, string method, bool sse)
    {
        var v = d.Vertex!;
        var root = (string.IsNullOrEmpty(d.ApiBase) ? VertexSettings.Endpoint(v.Location) : d.ApiBase).TrimEnd('/');
        var bareHost = Uri.TryCreate(root, UriKind.Absolute, out var u) && u.AbsolutePath is "/" or "";
        var resource = d.Model.Length > 0 && d.Model.All(char.IsAsciiDigit) ? $"endpoints/{d.Model}" : $"publishers/{publisher}/models/{d.Model}";
        var url = bareHost ? $"{root}/v1/projects/{v.Project}/locations/{v.Location}/{resource}:{method}" : $"{root}:{method}";
        return new Uri(sse ? url + "?alt=sse" : url);
    }

    public static HttpRequestMessage CreateRequest(ProviderRequest request, Uri uri, byte[] body, string token)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        message.Content.Headers.ContentType = Json;
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        DeploymentHeaders.Add(message, request.Deployment, openAIWire: false);
        UpstreamSend.AddCorrelation(message, request);
        return message;
    }
}
