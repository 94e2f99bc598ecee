using Switchyard.Core.Config;

namespace Switchyard.Core.Routing;

/// <summary>A model_name group: its enabled deployments (with their state) ordered by priority.</summary>
public sealed class RouteGroup
{
    public RouteGroup(string name, IReadOnlyList<RoutedDeployment> deployments)
    {
        Name = name;
        Deployments = deployments;
        Families = deployments.Select(d => d.Config.Family).Distinct().ToArray();
    }

    public string Name { get; }

    public IReadOnlyList<RoutedDeployment> Deployments { get; }

    public IReadOnlyList<string> Families { get; }

    /// <summary>The provider family when every deployment shares one, else null.</summary>
    public string? Family => Families.Count == 1 ? Families[0] : null;
}

/// <summary>A deployment's config paired with its long-lived state.</summary>
public sealed record RoutedDeployment(DeploymentConfig Config, DeploymentState State);
