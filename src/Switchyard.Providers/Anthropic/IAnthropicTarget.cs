using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Where a Messages-format request goes, how it authenticates and how its failures read: Anthropic's API with
/// <c>x-api-key</c> (<see cref="AnthropicApiKeyTarget"/>), or Claude on Vertex AI (<c>:rawPredict</c> with an OAuth
/// token and the API version in the body). The adapter translates and relays either way.
/// </summary>
internal interface IAnthropicTarget
{
    /// <summary>The upstream request for the Messages body (model set), or a classified failure (a token that could not be had).</summary>
    ValueTask<AttemptResult<HttpRequestMessage>> CreateAsync(ProviderRequest request, byte[] body, CancellationToken timeoutToken, CancellationToken callerToken);

    /// <summary>Sends and waits for the headers, classifying a failure in the target's error shape.</summary>
    ValueTask<(HttpResponseMessage? Response, UpstreamFailure? Failure)> HeadersAsync(
        UpstreamHttp http, HttpRequestMessage message, CancellationTokenSource cts, TimeSpan timeout, CancellationToken callerToken);
}

/// <summary>Anthropic's Messages API (<c>anthropic/</c>): <c>{api_base}/v1/messages</c> with <c>x-api-key</c>.</summary>
internal sealed class AnthropicApiKeyTarget : IAnthropicTarget
{
    public static readonly AnthropicApiKeyTarget Instance = new();

    public ValueTask<AttemptResult<HttpRequestMessage>> CreateAsync(ProviderRequest request, byte[] body, CancellationToken timeoutToken, CancellationToken callerToken)
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult
        => ValueTask.FromResult(AttemptResult<HttpRequestMessage>.Ok(AnthropicApi.CreateRequest(request, body)));
#pragma warning restore CA2000

    public ValueTask<(HttpResponseMessage? Response, UpstreamFailure? Failure)> HeadersAsync(
        UpstreamHttp http, HttpRequestMessage message, CancellationTokenSource cts, TimeSpan timeout, CancellationToken callerToken)
        => UpstreamSend.HeadersAsync(http, message, cts, timeout, callerToken);
}
