using Switchyard.Core.Config;
using Switchyard.Core.Requests;

namespace Switchyard.Providers.Abstractions;

/// <summary>An attempt's input: the caller's body as received, what the schema gate found, and the target deployment.</summary>
public sealed class ProviderRequest
{
    public required RequestInfo Info { get; init; }
    public required ReadOnlyMemory<byte> Body { get; init; }
    public required DeploymentConfig Deployment { get; init; }

    /// <summary>
    /// Whether a parameter the provider has no equivalent for is dropped (and named in
    /// <see cref="UpstreamResponse.DroppedParams"/>) instead of refused: the called alias's drop_params opt-in
    /// (<see cref="RouterSettings.DropParamsAliases"/>) or the deployment's own (<see cref="DeploymentConfig.DropParams"/>).
    /// </summary>
    public bool DropParams { get; init; }

    /// <summary>
    /// Caller headers a deployment speaking the caller's protocol natively receives as sent (<c>anthropic-version</c>,
    /// <c>anthropic-beta</c>, <c>openai-beta</c>); adapters that translate ignore them.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ForwardHeaders { get; init; } = [];
    public required string CorrelationId { get; init; }
    public string? TraceParent { get; init; }
    public string? TraceState { get; init; }
}
