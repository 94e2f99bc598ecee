using Switchyard.Core.Config;
using Switchyard.Core.Tenancy;

namespace Switchyard.Core.Deployments;

/// <summary>
/// One stored deployment as the live snapshot sees it: <see cref="Deployment"/> is what joined the route table (disabled
/// when its credential cannot be decrypted), null when it did not join; <see cref="Problem"/> says why, for /model/info
/// and doctor.
/// </summary>
public sealed record StoredModelState(StoredDeployment Record, DeploymentConfig? Deployment, string? Problem)
{
    /// <summary>The config file declares a deployment with the same id: the file's wins and this one is not routed.</summary>
    public bool Shadowed { get; init; }

    /// <summary>A credential could not be decrypted: no encryption key is set, or it is not the one the value was encrypted with.</summary>
    public bool Undecryptable { get; init; }
}
