using System.Net.Http.Headers;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Core.Usage;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Rerank;

/// <summary>Sends a request and returns the response when its status is a success, else the provider's classified failure.</summary>
internal delegate ValueTask<(HttpResponseMessage? Response, UpstreamFailure? Failure)> RerankHeaders(
    UpstreamHttp http, HttpRequestMessage message, CancellationTokenSource cts, TimeSpan timeout, CancellationToken callerToken);

/// <summary>
/// One rerank call on the wire, for every provider: the provider's JSON body posted with a Bearer key under the
/// deployment's timeout, failures classified by the provider's own rules, and a 200 answer read back into the canonical
/// shape (<see cref="RerankAnswer"/>), billed the answer's search units, else <c>searchUnits</c>; a body that is not a rerank answer is an invalid response, never passed through.
/// </summary>
internal static class RerankCall
{
    private const int MaxResponseBytes = 16 * 1024 * 1024;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(
        UpstreamHttp http, ProviderRequest request, RerankRequest rerank, Uri uri, byte[] body, RerankHeaders headers, IReadOnlyList<string> dropped, CancellationToken cancellationToken,
        long searchUnits = 0)
    {
        var d = request.Deployment;
        using var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        message.Content.Headers.ContentType = Json;
        message.Headers.Accept.ParseAdd("application/json");
        if (!string.IsNullOrEmpty(d.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", d.ApiKey);
        }

        DeploymentHeaders.Add(message, d, openAIWire: false);
        UpstreamSend.AddCorrelation(message, request);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(d.Timeout);
        var (response, failure) = await headers(http, message, cts, d.Timeout, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return failure!;
        }

        using (response)
        {
            var read = await UpstreamErrors.ReadBodyAsync(response.Content, MaxResponseBytes, d.Timeout, cts.Token, cancellationToken).ConfigureAwait(false);
            if (read.Value is not { } payload)
            {
                return read.Failure!;
            }

            if (RerankAnswer.Read(payload, rerank.Texts.Count) is not { } parsed)
            {
                return new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, "answered 200 with a body that is not a rerank answer");
            }

            if (parsed.SearchUnits == 0 && searchUnits > 0)
            {
                parsed = parsed with { SearchUnits = searchUnits }; // a provider that bills searches without reporting them (Bedrock)
            }

            var (answer, usage) = RerankAnswer.Write(parsed, rerank, EstimatedTokens(request));
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
            return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(answer, usage) { RequestId = UpstreamRequestId.From(response), DroppedParams = dropped });
#pragma warning restore CA2000
        }
    }

    /// <summary>The query's and documents' tokens as the gateway estimates them, for answers that report none (Cohere bills searches).</summary>
    public static long EstimatedTokens(ProviderRequest request)
        => PromptEstimator.Estimate(request.Body.Span, request.Info, EstimateProfile.For(request.Deployment), CancellationToken.None).PromptTokens;
}
