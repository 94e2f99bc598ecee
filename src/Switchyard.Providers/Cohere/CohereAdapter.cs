using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// Cohere's v2 API (<c>cohere/</c>, <c>cohere_chat/</c> and bare <c>command-…</c> models): chat requests (and, through
/// the ingress codecs, Messages and Responses ones) are translated to <c>POST {api_base}/v2/chat</c> (an SSE stream of
/// typed events when streaming) with the key as a Bearer token, and the answers translated back to OpenAI shapes;
/// embeddings go to <c>/v2/embed</c>, rerank to <c>/v2/rerank</c> (<see cref="CohereRerank"/>). Failures come back classified from Cohere's error shape.
/// </summary>
public sealed class CohereAdapter(UpstreamHttp http, TimeProvider time) : IProviderAdapter
{
    private const int MaxResponseBytes = 64 * 1024 * 1024;

    public string Family => ProviderFamilies.Cohere;

    public async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var info = request.Info;
        if (string.IsNullOrEmpty(d.ApiKey))
        {
            return new UpstreamFailure(FailureKind.UpstreamAuth, null, "has no Cohere API key (api_key, COHERE_API_KEY or CO_API_KEY)");
        }

        if (info.Operation == OperationKind.Embeddings)
        {
            return await EmbedAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (info.Operation == OperationKind.Rerank)
        {
            return await CohereRerank.SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        }

        if (info.Operation != OperationKind.Chat)
        {
            return new UpstreamFailure(FailureKind.Unsupported, null, $"has no {OpenAI.OpenAIWireAdapter.OperationName(info.Operation)} API; route it to another provider")
            {
                UpstreamParam = "model",
            };
        }

        var translated = CohereRequestTranslator.Translate(request.Body, d, info.Stream, request.DropParams);
        if (translated.Value is not { } plan)
        {
            return translated.Failure!;
        }

        using var message = CohereApi.CreateRequest(request, CohereApi.MethodUri(d, "chat"), plan.Body, info.Stream);
        var timeout = info.Stream ? d.StreamTimeout : d.Timeout;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        HttpResponseMessage? response = null;
        try
        {
            (response, var failure) = await CohereErrors.HeadersAsync(http, message, cts, timeout, cancellationToken).ConfigureAwait(false);
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

                var translator = new CohereStreamTranslator(d.Model, "chatcmpl-" + Guid.NewGuid().ToString("N"), created, info.IncludeUsage);
                var stream = await CohereStreamResponse.OpenAsync(response, cts, d.Timeout, timeout, translator, cancellationToken).ConfigureAwait(false);
                if (stream.Value is not null)
                {
                    stream.Value.DroppedParams = plan.Dropped;
                    response = null;
                    cts = null;
                }
                else
                {
                    translator.Dispose();
                }

                return stream;
            }

            var payload = await UpstreamErrors.ReadBodyAsync(response.Content, MaxResponseBytes, timeout, cts.Token, cancellationToken).ConfigureAwait(false);
            if (payload.Value is not { } bytes)
            {
                return payload.Failure!;
            }

            var (answer, usage, problem) = CohereResponseTranslator.Translate(bytes, d.Model, created);
            if (problem is not null)
            {
                return problem;
            }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
            return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(answer, usage) { RequestId = UpstreamRequestId.From(response), DroppedParams = plan.Dropped });
#pragma warning restore CA2000
        }
        finally
        {
            response?.Dispose();
            cts?.Dispose();
        }
    }

    private async ValueTask<AttemptResult<UpstreamResponse>> EmbedAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var plan = CohereEmbeddings.Translate(request.Body, d.Model);
        if (plan.Value is not { } p)
        {
            return plan.Failure!;
        }

        using var message = CohereApi.CreateRequest(request, CohereApi.MethodUri(d, "embed"), p.Body, stream: false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(d.Timeout);
        var (response, failure) = await CohereErrors.HeadersAsync(http, message, cts, d.Timeout, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return failure!;
        }

        using (response)
        {
            var payload = await UpstreamErrors.ReadBodyAsync(response.Content, MaxResponseBytes, d.Timeout, cts.Token, cancellationToken).ConfigureAwait(false);
            if (payload.Value is not { } bytes)
            {
                return payload.Failure!;
            }

            return CohereEmbeddings.Answer(bytes, p.Count, d.Model) is { } answer
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
                ? AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(answer.Body, new Usage(answer.Tokens, 0)) { RequestId = UpstreamRequestId.From(response) })
#pragma warning restore CA2000
                : new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, "answered 200 with a body that is not an embeddings answer");
        }
    }

}
