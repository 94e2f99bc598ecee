using Switchyard.Core.Requests;

namespace Switchyard.Core.Config;

/// <summary>
/// One LiteLLM provider prefix as Switchyard speaks it: the adapter family, the default api_base, the environment
/// variables its key is read from when the deployment names no <c>api_key</c> (first set one wins, as in LiteLLM), and
/// the operations the provider offers (null: every operation its family speaks).
/// </summary>
public sealed record ProviderPrefix(
    string Name,
    string Family,
    string? DefaultApiBase = null,
    IReadOnlyList<string>? KeyVariables = null,
    IReadOnlySet<OperationKind>? Operations = null)
{
    /// <summary>Whether a deployment of this prefix can take the operation (Messages and Responses reach it as chat).</summary>
    public bool Takes(OperationKind operation) => Operations is null || Operations.Contains(operation);
}
