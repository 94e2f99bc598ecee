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
/// shapes. Failures come back classified; upstream bodies never reach the caller.
/// </summary>
public sealed class AnthropicAdapter(UpstreamHttp http, TimeProvider time) : IProviderAdapter
{
    private const int MaxResponseBytes = 64 * 1024 * 1024;

    public string Family => ProviderFamilies.Anthropic;

    public async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var info = request.Info;
        if (info.Operation == OperationKind.Embeddings)
        {
            return new UpstreamFailure(FailureKind.Unsupported, null, "has no embeddings API; route embeddings to another provider")
            {
                UpstreamParam = "model",
            };
        }

        var translated = AnthropicRequestTranslator.Translate(request.Body, d, info.Stream);
        if (translated.Value is not { } plan)
        {
            return translated.Failure!;
        }

        using var message = AnthropicApi.CreateRequest(request, plan.Body);
        var timeout = info.Stream ? d.StreamTimeout : d.Timeout;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        HttpResponseMessage? response = null;
        try
        {
            (response, var failure) = await UpstreamSend.HeadersAsync(http, message, cts, timeout, cancellationToken).ConfigureAwait(false);
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

                var translator = new AnthropicStreamTranslator(d.Model, created, info.IncludeUsage, plan.JsonTool);
                var stream = await AnthropicStreamResponse.OpenAsync(response, cts, d.Timeout, timeout, translator, cancellationToken).ConfigureAwait(false);
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

            var whole = await ReadWholeAsync(response, d.Model, created, plan.JsonTool, timeout, cts.Token, cancellationToken).ConfigureAwait(false);
            if (whole.Value is not null)
            {
                whole.Value.DroppedParams = plan.Dropped;
            }

            return whole;
        }
        finally
        {
            response?.Dispose();
            cts?.Dispose();
        }
    }

    private static async ValueTask<AttemptResult<UpstreamResponse>> ReadWholeAsync(HttpResponseMessage response, string model, long created, string? jsonTool, TimeSpan timeout, CancellationToken token, CancellationToken callerToken)
    {
        byte[] payload;
        try
        {
            payload = await UpstreamErrors.ReadPrefixAsync(response.Content, MaxResponseBytes, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            callerToken.ThrowIfCancellationRequested();
            return UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, callerToken), timeout, "complete body");
        }

        var (body, usage, problem) = AnthropicResponseTranslator.Translate(payload, model, created, jsonTool);
        if (problem is not null)
        {
            return new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, problem);
        }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(body, usage));
#pragma warning restore CA2000
    }
}
