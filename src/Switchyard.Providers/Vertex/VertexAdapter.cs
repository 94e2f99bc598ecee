using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Gemini;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Vertex;

/// <summary>
/// Google Cloud Vertex AI (<c>vertex_ai/</c>, <c>vertex_ai_beta/</c> and LiteLLM's bare <c>gemini-…</c> names): Gemini
/// models through the Gemini adapter's translation (generateContent, streamGenerateContent with <c>alt=sse</c>), Claude
/// models through the Anthropic adapter's (rawPredict, streamRawPredict; Messages callers passed through), text
/// embedding models by <c>:predict</c> (<see cref="VertexEmbeddings"/>), each sent to
/// the deployment's project and location with an OAuth access token from <see cref="VertexTokens"/>.
/// </summary>
public sealed class VertexAdapter : IProviderAdapter
{
    private readonly UpstreamHttp _http;
    private readonly GeminiAdapter _gemini;
    private readonly AnthropicAdapter _claude;

    public VertexAdapter(UpstreamHttp http, TimeProvider time)
    {
        _http = http;
        Tokens = new VertexTokens(time);
        _gemini = new GeminiAdapter(http, time) { Target = new VertexGeminiTarget(Tokens) };
        _claude = new AnthropicAdapter(http, time) { Target = new VertexClaudeTarget(Tokens) };
    }

    public string Family => ProviderFamilies.VertexAI;

    internal VertexTokens Tokens { get; }

    /// <summary>A Claude deployment takes Messages requests as the caller wrote them (only the model and API version changed).</summary>
    public bool SpeaksNatively(OperationKind operation, DeploymentConfig deployment)
        => VertexApi.IsClaude(deployment.Model) ? operation is OperationKind.Chat or OperationKind.Messages : operation is OperationKind.Chat or OperationKind.Embeddings;

    public ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        if (d.Vertex is null)
        {
            return ValueTask.FromResult<AttemptResult<UpstreamResponse>>(new UpstreamFailure(FailureKind.UpstreamAuth, null, "has no Vertex AI project or credentials"));
        }

        if (request.Info.Operation == OperationKind.Embeddings)
        {
            if (VertexEmbeddings.IsEmbeddingModel(d.Model))
            {
                return VertexEmbeddings.SendAsync(_http, Tokens, request, cancellationToken);
            }

            return ValueTask.FromResult<AttemptResult<UpstreamResponse>>(new UpstreamFailure(FailureKind.Unsupported, null, "is not an embeddings model (Vertex embeds with text-embedding-…, gemini-embedding-…); route it to another deployment")
            {
                UpstreamParam = "model",
            });
        }

        if (request.Info.Operation != OperationKind.Chat && request.Info.Operation != OperationKind.Messages)
        {
            return ValueTask.FromResult<AttemptResult<UpstreamResponse>>(new UpstreamFailure(FailureKind.Unsupported, null, $"has no {OpenAI.OpenAIWireAdapter.OperationName(request.Info.Operation)} API; route it to another provider")
            {
                UpstreamParam = "model",
            });
        }

        return VertexApi.IsClaude(d.Model) ? _claude.SendAsync(request, cancellationToken) : _gemini.SendAsync(request, cancellationToken);
    }
}
