using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Amazon Bedrock (<c>bedrock/</c> and LiteLLM's bare Bedrock model ids): chat requests (and, through the ingress
/// codecs, Messages and Responses ones) are translated to <c>POST /model/{id}/converse</c>
/// (<c>/converse-stream</c>, answered in the AWS event-stream framing, for streams) and the answers back to OpenAI
/// shapes; embeddings go to <c>/model/{id}/invoke</c> (Titan and Cohere embedding bodies). Every request is signed
/// with SigV4 for the deployment's region.
/// </summary>
public sealed class BedrockAdapter(UpstreamHttp http, TimeProvider time) : IProviderAdapter
{
    private const int MaxResponseBytes = 64 * 1024 * 1024;

    public string Family => ProviderFamilies.Bedrock;

    public async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var info = request.Info;
        if (d.Aws is null)
        {
            return new UpstreamFailure(FailureKind.UpstreamAuth, null, "has no AWS credentials");
        }

        if (info.Operation == OperationKind.Embeddings)
        {
            return await BedrockEmbeddings.SendAsync(http, time, request, cancellationToken).ConfigureAwait(false);
        }

        if (info.Operation == OperationKind.Rerank)
        {
            return await BedrockRerank.SendAsync(http, time, request, cancellationToken).ConfigureAwait(false);
        }

        if (info.Operation != OperationKind.Chat)
        {
            return new UpstreamFailure(FailureKind.Unsupported, null, $"has no {OpenAI.OpenAIWireAdapter.OperationName(info.Operation)} API; route it to another provider")
            {
                UpstreamParam = "model",
            };
        }

        var translated = BedrockRequestTranslator.Translate(request.Body, d, request.DropParams);
        if (translated.Value is not { } plan)
        {
            return translated.Failure!;
        }

        using var message = BedrockApi.CreateRequest(request, BedrockApi.ModelUri(d, info.Stream ? "converse-stream" : "converse"), plan.Body, time.GetUtcNow());
        var timeout = info.Stream ? d.StreamTimeout : d.Timeout;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        HttpResponseMessage? response = null;
        try
        {
            (response, var failure) = await BedrockErrors.HeadersAsync(http, message, cts, timeout, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                return failure!;
            }

            var created = time.GetUtcNow().ToUnixTimeSeconds();
            var id = "chatcmpl-" + (response.Headers.TryGetValues("x-amzn-RequestId", out var rid) ? rid.First() : Guid.NewGuid().ToString("N"));
            if (info.Stream)
            {
                var translator = new BedrockStreamTranslator(d.Model, id, created, info.IncludeUsage);
                var stream = await BedrockStreamResponse.OpenAsync(response, cts, d.Timeout, timeout, translator, cancellationToken).ConfigureAwait(false);
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

            var read = await UpstreamErrors.ReadBodyAsync(response.Content, MaxResponseBytes, timeout, cts.Token, cancellationToken).ConfigureAwait(false);
            if (read.Value is not { } bytes)
            {
                return read.Failure!;
            }

            var (answer, usage, problem) = BedrockResponseTranslator.Translate(bytes, d.Model, id, created);
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
}
