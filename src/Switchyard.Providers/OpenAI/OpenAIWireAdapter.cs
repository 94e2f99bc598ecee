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

    private static readonly Dictionary<string, System.Text.Json.Nodes.JsonNode?> NoDefaults = [];

    /// <summary>Where the operation goes on this deployment; null when the provider has no such API.</summary>
    protected abstract Uri? BuildUri(DeploymentConfig deployment, OperationKind operation);

    /// <summary>An operation's name in messages (chat completions, legacy completions, image generation ...).</summary>
    public static string OperationName(OperationKind operation) => operation switch
    {
        OperationKind.Completions => "legacy completions",
        OperationKind.ImageGeneration => "image generation",
        OperationKind.Moderations => "moderations",
        OperationKind.Embeddings => "embeddings",
        OperationKind.Responses => "responses",
        OperationKind.Rerank => "rerank",
        _ => "chat completions",
    };

    protected abstract void Authenticate(HttpRequestMessage message, DeploymentConfig deployment);

    /// <inheritdoc/>
    public virtual bool SpeaksNatively(OperationKind operation, DeploymentConfig deployment) => operation is OperationKind.Chat or OperationKind.Embeddings;

    public virtual async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var info = request.Info;
        if (BuildUri(d, info.Operation) is not { } uri)
        {
            return new UpstreamFailure(FailureKind.Unsupported, null, $"has no {OperationName(info.Operation)} API on {d.Provider}/; route it to a deployment whose provider has one")
            {
                UpstreamParam = "model",
            };
        }

        var defaults = info.Operation switch
        {
            OperationKind.Responses => ResponsesDefaults(d),
            OperationKind.ImageGeneration or OperationKind.Moderations => NoDefaults, // chat defaults have no meaning there
            _ => d.Defaults,
        };
        var body = RequestRewriter.Rewrite(request.Body.Span, info, d.Model, defaults, requestStreamUsage: true);
        IReadOnlyList<string> dropped = [];
        if (d.OSeries && info.Operation == OperationKind.Chat)
        {
            var adapted = OSeriesParams.Adapt(body, request.DropParams);
            if (adapted.Failure is { } refused)
            {
                return refused;
            }

            (body, dropped) = (adapted.Body, adapted.Dropped);
        }
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        message.Content.Headers.ContentType = Json;
        Authenticate(message, d);
        DeploymentHeaders.Add(message, d, openAIWire: true);
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
                var stream = await OpenAIStreamResponse.OpenAsync(response, cts, d.Timeout, timeout, stripUsage: info.Operation is OperationKind.Chat or OperationKind.Completions && !info.HasStreamOptions, cancellationToken, responses: info.Operation == OperationKind.Responses).ConfigureAwait(false);
                if (stream.Value is not null)
                {
                    stream.Value.DroppedParams = dropped;
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

            return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(payload, check.Usage) { RequestId = UpstreamRequestId.From(response), DroppedParams = dropped });
        }
        finally
        {
            response?.Dispose();
            cts?.Dispose();
            message.Dispose();
        }
    }

    /// <summary>
    /// The deployment's request defaults that Responses shares with Chat Completions, under their Responses names
    /// (max_tokens and max_completion_tokens as max_output_tokens); chat-only ones (response_format, stop, n, penalties,
    /// seed, logit_bias, reasoning_effort) have other shapes or none in Responses and are not added.
    /// </summary>
    private static IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> ResponsesDefaults(DeploymentConfig d)
    {
        if (d.Defaults.Count == 0)
        {
            return d.Defaults;
        }

        var result = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in d.Defaults)
        {
            switch (key)
            {
                case "temperature" or "top_p" or "user" or "parallel_tool_calls" or "service_tier":
                    result[key] = value?.DeepClone();
                    break;
                case "max_tokens" or "max_completion_tokens":
                    result["max_output_tokens"] = value?.DeepClone();
                    break;
            }
        }

        return result;
    }
}
