using Switchyard.Core.Config;

namespace Switchyard.Core.Deployments;

/// <summary>A deployment read from an admin API body with the config loader's rules: the deployment, or every error with its path.</summary>
public sealed record DeploymentCheck(DeploymentConfig? Deployment, IReadOnlyList<ConfigDiagnostic> Errors, IReadOnlyList<ConfigDiagnostic> Warnings);
