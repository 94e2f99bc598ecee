using System.Net.Http.Headers;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// The OpenAI wire format, shared by OpenAI, every OpenAI-compatible server and Azure OpenAI: the caller's body
/// goes upstream with only the model swapped (and deployment defaults added); answers come back as they are.
/// Subclasses say where the call goes and how it authenticates.
/// </summary>
public abstract class OpenAIWireAdapter(UpstreamHttp http) : IProviderAdapter
{
    private const int MaxResponseBytes = 64 * 1024 * 1024;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public abstract string Family { get; }

    protected abstract Uri BuildUri(DeploymentConfig deployment, OperationKind operation);

    protected abstract void Authenticate(HttpRequestMessage message, DeploymentConfig deployment);

    public async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var info = request.Info;
        var body = RequestRewriter.Rewrite(request.Body.Span, info, d.Model, d.Defaults, requestStreamUsage: true);
        var message = new HttpRequestMessage(HttpMethod.Post, BuildUri(d, info.Operation))
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        message.Content.Headers.ContentType = Json;
        Authenticate(message, d);
        UpstreamSend.AddCorrelation(message, request);
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

            if (info.Stream && UpstreamErrors.IsEventStream(response.Content.Headers))
            {
                var stream = await OpenAIStreamResponse.OpenAsync(response, cts, d.Timeout, timeout, stripUsage: !info.HasStreamOptions, cancellationToken).ConfigureAwait(false);
                if (stream.Value is not null)
                {
                    response = null;
                    cts = null;
                }

                return stream;
            }

            byte[] payload;
            try
            {
                payload = await UpstreamErrors.ReadPrefixAsync(response.Content, MaxResponseBytes, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return UpstreamErrors.FromException(e, UpstreamErrors.IsTimeout(e, cancellationToken), timeout, "complete body");
            }

            if (info.Stream)
            {
                return new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, "answered a stream request without an event stream");
            }

            var check = ResponseInspector.Inspect(payload, info.Operation);
            if (check.Problem is not null)
            {
                return new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, check.Problem);
            }

            return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(payload, check.Usage) { RequestId = UpstreamRequestId.From(response) });
        }
        finally
        {
            response?.Dispose();
            cts?.Dispose();
            message.Dispose();
        }
    }
}
