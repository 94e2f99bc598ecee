using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Google's Gemini API (<c>gemini/</c>): chat requests (and, through the ingress codecs, Messages and Responses ones)
/// are translated to <c>POST {api_base}/v1beta/models/{model}:generateContent</c> (<c>:streamGenerateContent?alt=sse</c>
/// for streams) with the key in <c>x-goog-api-key</c>, and the answers, whole or streamed, translated back to OpenAI
/// shapes; embeddings go to <c>:embedContent</c> / <c>:batchEmbedContents</c>. Failures come back classified from
/// Google's error shape; upstream bodies never reach the caller. (A <c>gemini/</c> deployment whose api_base is
/// Google's OpenAI-compatible endpoint is an openai-family deployment and never comes here.)
/// </summary>
public sealed class GeminiAdapter(UpstreamHttp http, TimeProvider time) : IProviderAdapter
{
    private const int MaxResponseBytes = 64 * 1024 * 1024;

    /// <summary>Where requests go and how they authenticate; another target sends the same translation elsewhere (Vertex AI, with an OAuth token).</summary>
    internal IGeminiTarget Target { get; init; } = GeminiApiKeyTarget.Instance;

    public string Family => ProviderFamilies.Gemini;

    public async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var info = request.Info;
        if (info.Operation == OperationKind.Embeddings)
        {
            return await EmbedAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (info.Operation != OperationKind.Chat)
        {
            return new UpstreamFailure(FailureKind.Unsupported, null, $"has no {OpenAI.OpenAIWireAdapter.OperationName(info.Operation)} API; route it to another provider")
            {
                UpstreamParam = "model",
            };
        }

        var translated = GeminiRequestTranslator.Translate(request.Body, d, request.DropParams);
        if (translated.Value is not { } plan)
        {
            return translated.Failure!;
        }

        var (body, dropped) = (plan.Body, plan.Dropped);

        var timeout = info.Stream ? d.StreamTimeout : d.Timeout;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        HttpResponseMessage? response = null;
        HttpRequestMessage? message = null;
        try
        {
            var made = await Target.CreateAsync(request, info.Stream ? "streamGenerateContent" : "generateContent", body, cts.Token, cancellationToken).ConfigureAwait(false);
            if (made.Value is null)
            {
                return made.Failure!;
            }

            message = made.Value;
            (response, var failure) = await GeminiErrors.HeadersAsync(http, message, cts, timeout, cancellationToken).ConfigureAwait(false);
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

                var translator = new GeminiStreamTranslator(d.Model, created, info.IncludeUsage);
                var stream = await GeminiStreamResponse.OpenAsync(response, cts, d.Timeout, timeout, translator, cancellationToken).ConfigureAwait(false);
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

            var payload = await UpstreamErrors.ReadBodyAsync(response.Content, MaxResponseBytes, timeout, cts.Token, cancellationToken).ConfigureAwait(false);
            if (payload.Value is not { } bytes)
            {
                return payload.Failure!;
            }

            var (answer, usage, problem) = GeminiResponseTranslator.Translate(bytes, d.Model, created);
            if (problem is not null)
            {
                return problem;
            }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
            return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(answer, usage) { RequestId = UpstreamRequestId.From(response), DroppedParams = dropped });
#pragma warning restore CA2000
        }
        finally
        {
            message?.Dispose();
            response?.Dispose();
            cts?.Dispose();
        }
    }

    private async ValueTask<AttemptResult<UpstreamResponse>> EmbedAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var plan = GeminiEmbeddings.Translate(request.Body, d);
        if (plan.Value is not { } p)
        {
            return plan.Failure!;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(d.Timeout);
        var made = await Target.CreateAsync(request, p.Method, p.Body, cts.Token, cancellationToken).ConfigureAwait(false);
        if (made.Value is null)
        {
            return made.Failure!;
        }

        using var message = made.Value;
        var (response, failure) = await GeminiErrors.HeadersAsync(http, message, cts, d.Timeout, cancellationToken).ConfigureAwait(false);
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

            return GeminiEmbeddings.Answer(bytes, p, d.Model) is { } answer
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
                ? AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(answer, new Usage(p.PromptTokens, 0)) { RequestId = UpstreamRequestId.From(response) })
#pragma warning restore CA2000
                : new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, "answered 200 with a body that is not an embeddings answer");
        }
    }

}
