using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Gemini;

namespace Switchyard.Providers.Vertex;

/// <summary>Gemini on Vertex AI: the Gemini adapter's requests sent to <c>publishers/google/models/{model}:{method}</c> with an OAuth token.</summary>
internal sealed class VertexGeminiTarget(VertexTokens tokens) : IGeminiTarget
{
    public async ValueTask<AttemptResult<HttpRequestMessage>> CreateAsync(ProviderRequest request, string method, byte[] body, CancellationToken timeoutToken, CancellationToken callerToken)
    {
        var token = await tokens.TokenAsync(request.Deployment, timeoutToken, callerToken).ConfigureAwait(false);
        if (token.Value is not { } bearer)
        {
            return token.Failure!;
        }

        var uri = VertexApi.ModelUri(request.Deployment, "google", method, sse: method == "streamGenerateContent");
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult
        return AttemptResult<HttpRequestMessage>.Ok(VertexApi.CreateRequest(request, uri, body, bearer));
#pragma warning restore CA2000
    }
}
