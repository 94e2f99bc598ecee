namespace Switchyard.Core.Tenancy;

/// <summary>
/// A deployment added through <c>/model/new</c>, as the store keeps it: LiteLLM's <c>litellm_params</c> and
/// <c>model_info</c> objects as JSON text, with every provider credential in <c>litellm_params</c> encrypted
/// (<c>sy-enc:v1:</c>, see <see cref="Deployments.CredentialCipher"/>). The key that decrypts them is never stored.
/// </summary>
public sealed record StoredDeployment
{
    /// <summary>model_info.id: the deployment's stable id (breaker state, /model/update and /model/delete name it).</summary>
    public required string ModelId { get; init; }

    /// <summary>The model_name: the group the deployment serves.</summary>
    public required string ModelName { get; init; }

    /// <summary>litellm_params as a JSON object, credentials encrypted.</summary>
    public required string LitellmParamsJson { get; init; }

    /// <summary>model_info as a JSON object (its id is <see cref="ModelId"/>).</summary>
    public string ModelInfoJson { get; init; } = "{}";

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}
