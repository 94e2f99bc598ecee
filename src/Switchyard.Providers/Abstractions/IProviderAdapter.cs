using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;

namespace Switchyard.Providers.Abstractions;

/// <summary>
/// One provider family's wire format. An adapter turns an OpenAI-shaped request into the provider's call and the
/// provider's answer back into OpenAI shapes; failures come back classified, as values, never as upstream bodies.
/// </summary>
public interface IProviderAdapter
{
    /// <summary>The family name used in config and failure summaries (openai, azure, anthropic, mock).</summary>
    string Family { get; }

    /// <summary>
    /// Sends one attempt. For a stream, returns only after the first bytes arrived (so the router may still fall
    /// back before anything reached the caller) or with a failure.
    /// </summary>
    ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="deployment"/> takes <paramref name="operation"/>'s wire format as it is (then
    /// <see cref="ProviderRequest.Body"/> is in that format and the answer goes back untranslated). Every adapter
    /// speaks Chat Completions (translating it if need be); Embeddings where the provider has them.
    /// </summary>
    bool SpeaksNatively(OperationKind operation, DeploymentConfig deployment) => operation is OperationKind.Chat or OperationKind.Embeddings;
}
