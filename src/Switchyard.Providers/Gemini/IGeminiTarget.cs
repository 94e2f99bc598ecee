using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Where a Gemini-format request goes and how it authenticates: Google AI Studio's API with an API key
/// (<see cref="GeminiApiKeyTarget"/>), or Vertex AI's publisher models with an OAuth token. The adapter translates and
/// relays; the target builds the request for a method (<c>generateContent</c>, <c>streamGenerateContent</c>,
/// <c>embedContent</c>, <c>batchEmbedContents</c>).
/// </summary>
internal interface IGeminiTarget
{
    /// <summary>
    /// The upstream request for <paramref name="method"/> with <paramref name="body"/>, or a classified failure (a token that
    /// could not be had). <paramref name="timeoutToken"/> ends with the attempt's timeout; <paramref name="callerToken"/> is the caller's.
    /// </summary>
    ValueTask<AttemptResult<HttpRequestMessage>> CreateAsync(ProviderRequest request, string method, byte[] body, CancellationToken timeoutToken, CancellationToken callerToken);
}

/// <summary>The Gemini API (<c>gemini/</c>): <c>{api_base}/v1beta/models/{model}:{method}</c> with <c>x-goog-api-key</c>.</summary>
internal sealed class GeminiApiKeyTarget : IGeminiTarget
{
    public static readonly GeminiApiKeyTarget Instance = new();

    public ValueTask<AttemptResult<HttpRequestMessage>> CreateAsync(ProviderRequest request, string method, byte[] body, CancellationToken timeoutToken, CancellationToken callerToken)
    {
        var d = request.Deployment;
        var uri = method == "streamGenerateContent" ? GeminiApi.GenerateUri(d, stream: true) : GeminiApi.MethodUri(d, method);
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult
        return ValueTask.FromResult(AttemptResult<HttpRequestMessage>.Ok(GeminiApi.CreateRequest(request, uri, body)));
#pragma warning restore CA2000
    }
}
