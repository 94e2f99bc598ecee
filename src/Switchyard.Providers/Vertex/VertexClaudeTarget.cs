using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Gemini;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Vertex;

/// <summary>
/// Claude on Vertex AI: the Anthropic adapter's Messages bodies sent to
/// <c>publishers/anthropic/models/{model}:rawPredict</c> (<c>:streamRawPredict</c> for streams) with an OAuth token, the
/// model taken out of the body (the URL names it) and <c>anthropic_version: vertex-2023-10-16</c> put in; a Messages
/// caller's <c>anthropic-beta</c> header goes through. Failures read in Google's error shape (Vertex answers auth and
/// quota failures itself), else by status.
/// </summary>
internal sealed class VertexClaudeTarget(VertexTokens tokens) : IAnthropicTarget
{
    public async ValueTask<AttemptResult<HttpRequestMessage>> CreateAsync(ProviderRequest request, byte[] body, CancellationToken timeoutToken, CancellationToken callerToken)
    {
        var token = await tokens.TokenAsync(request.Deployment, timeoutToken, callerToken).ConfigureAwait(false);
        if (token.Value is not { } bearer)
        {
            return token.Failure!;
        }

        if (JsonNode.Parse(body) is not JsonObject messages)
        {
            return new UpstreamFailure(FailureKind.CallerError, null, "the Messages body is not a JSON object");
        }

        messages.Remove("model");
        messages["anthropic_version"] = VertexApi.AnthropicVersion;
        var stream = request.Info.Stream;
        var uri = VertexApi.ModelUri(request.Deployment, "anthropic", stream ? "streamRawPredict" : "rawPredict", sse: false);
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult
        var message = VertexApi.CreateRequest(request, uri, System.Text.Encoding.UTF8.GetBytes(messages.ToJsonString()), bearer);
#pragma warning restore CA2000
        if (request.Info.Operation == OperationKind.Messages)
        {
            foreach (var (name, value) in request.ForwardHeaders)
            {
                if (name.Equals("anthropic-beta", StringComparison.OrdinalIgnoreCase))
                {
                    message.Headers.TryAddWithoutValidation("anthropic-beta", value);
                }
            }
        }

        return AttemptResult<HttpRequestMessage>.Ok(message);
    }

    public ValueTask<(HttpResponseMessage? Response, UpstreamFailure? Failure)> HeadersAsync(
        UpstreamHttp http, HttpRequestMessage message, CancellationTokenSource cts, TimeSpan timeout, CancellationToken callerToken)
        => GeminiErrors.HeadersAsync(http, message, cts, timeout, callerToken);
}
