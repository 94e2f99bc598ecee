using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Anthropic Messages API (<c>anthropic/</c>): OpenAI chat requests are translated to <c>POST {api_base}/v1/messages</c>
/// with <c>x-api-key</c> and <c>anthropic-version</c>, and answers (whole or streamed) translated back to OpenAI
/// shapes. Messages requests (<c>POST /v1/messages</c> at the gateway) are sent as the caller wrote them, with only the
/// model spliced and the caller's <c>anthropic-version</c>/<c>anthropic-beta</c> forwarded, and answered untranslated.
/// Failures come back classified; upstream bodies never reach the caller.
/// </summary>
public sealed class AnthropicAdapter(UpstreamHttp http, TimeProvider time) : IProviderAdapter
{
    private const int MaxResponseBytes = 64 * 1024 * 1024;

    /// <summary>Where requests go and how they authenticate; another target sends the same translation elsewhere (Vertex AI, with an OAuth token).</summary>
    internal IAnthropicTarget Target { get; init; } = AnthropicApiKeyTarget.Instance;

    private static readonly Dictionary<string, System.Text.Json.Nodes.JsonNode?> NoDefaults = [];

    public string Family => ProviderFamilies.Anthropic;

    /// <summary>Messages requests go to the Messages API as the caller wrote them (only the model spliced).</summary>
    public bool SpeaksNatively(OperationKind operation, DeploymentConfig deployment) => operation is OperationKind.Chat or OperationKind.Messages;

    public async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var info = request.Info;
        if (info.Operation is not (OperationKind.Chat or OperationKind.Messages))
        {
            return new UpstreamFailure(FailureKind.Unsupported, null, $"has no {OpenAI.OpenAIWireAdapter.OperationName(info.Operation)} API; route it to another provider")
            {
                UpstreamParam = "model",
            };
        }

        var native = info.Operation == OperationKind.Messages;
        byte[] body;
        string? jsonTool = null;
        IReadOnlyList<string> dropped = [];
        if (native)
        {
            body = RequestRewriter.Rewrite(request.Body.Span, info, d.Model, NoDefaults, requestStreamUsage: false);
        }
        else
        {
            var translated = AnthropicRequestTranslator.Translate(request.Body, d, info.Stream, request.DropParams);
            if (translated.Value is not { } plan)
            {
                return translated.Failure!;
            }

            body = plan.Body;
            jsonTool = plan.JsonTool;
            dropped = plan.Dropped;
        }

        var timeout = info.Stream ? d.StreamTimeout : d.Timeout;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        HttpResponseMessage? response = null;
        HttpRequestMessage? message = null;
        try
        {
            var made = await Target.CreateAsync(request, body, cts.Token, cancellationToken).ConfigureAwait(false);
            if (made.Value is null)
            {
                return made.Failure!;
            }

            message = made.Value;
            (response, var failure) = await Target.HeadersAsync(http, message, cts, timeout, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                return failure!;
            }

            var created = time.GetUtcNow().ToUnixTimeSeconds();
            if (info.Stream)
            {
                if (!UpstreamErrors.IsEventStream(response.Content.Headers))
                {
                    return new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, "answered a stream request without an event stream");
                }

                if (native)
                {
                    var relayed = await AnthropicNativeStream.OpenAsync(response, cts, d.Timeout, timeout, cancellationToken).ConfigureAwait(false);
                    if (relayed.Value is not null)
                    {
                        response = null;
                        cts = null;
                    }

                    return relayed;
                }

#pragma warning disable CA2000 // the stream owns the translator once open; it is disposed below when the stream does not open
                var translator = new AnthropicStreamTranslator(d.Model, created, info.IncludeUsage, jsonTool);
#pragma warning restore CA2000
                var stream = await AnthropicStreamResponse.OpenAsync(response, cts, d.Timeout, timeout, translator, cancellationToken).ConfigureAwait(false);
                if (stream.Value is not null)
                {
                    stream.Value.DroppedParams = dropped;
                    response = null;
                    cts = null;
                }
                else
                {
                    translator.Dispose();
                }

                return stream;
            }

            var whole = await ReadWholeAsync(response, d.Model, created, jsonTool, timeout, native, cts.Token, cancellationToken).ConfigureAwait(false);
            if (whole.Value is not null)
            {
                whole.Value.DroppedParams = dropped;
            }

            return whole;
        }
        finally
        {
            message?.Dispose();
            response?.Dispose();
            cts?.Dispose();
        }
    }

    /// <summary>
    /// <c>POST /v1/messages/count_tokens</c> with the caller's body (model spliced): the upstream's
    /// <c>{"input_tokens": n}</c> on success, a classified failure otherwise.
    /// </summary>
    public async ValueTask<AttemptResult<byte[]>> CountTokensAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var body = RequestRewriter.Rewrite(request.Body.Span, request.Info, d.Model, NoDefaults, requestStreamUsage: false);
        using var message = AnthropicApi.CreateRequest(request, body, AnthropicApi.CountTokensUri(d));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(d.Timeout);
        var (response, failure) = await UpstreamSend.HeadersAsync(http, message, cts, d.Timeout, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return failure!;
        }

        using (response)
        {
            var read = await UpstreamErrors.ReadBodyAsync(response.Content, 64 * 1024, d.Timeout, cts.Token, cancellationToken).ConfigureAwait(false);
            if (read.Value is not { } payload)
            {
                return read.Failure!;
            }

            return AnthropicCountTokens.Read(payload) is { } tokens
                ? AttemptResult<byte[]>.Ok(AnthropicCountTokens.Answer(tokens))
                : new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, "answered count_tokens without input_tokens");
        }
    }

    private static async ValueTask<AttemptResult<UpstreamResponse>> ReadWholeAsync(HttpResponseMessage response, string model, long created, string? jsonTool, TimeSpan timeout, bool native, CancellationToken token, CancellationToken callerToken)
    {
        var read = await UpstreamErrors.ReadBodyAsync(response.Content, MaxResponseBytes, timeout, token, callerToken).ConfigureAwait(false);
        if (read.Value is not { } payload)
        {
            return read.Failure!;
        }

        var (body, usage, problem) = native ? AnthropicResponseTranslator.Inspect(payload) : AnthropicResponseTranslator.Translate(payload, model, created, jsonTool);
        if (problem is not null)
        {
            return new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, problem);
        }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(body, usage) { RequestId = UpstreamRequestId.From(response) });
#pragma warning restore CA2000
    }
}
