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
        EstimateProfile = Usage.EstimateProfile.Combine(deployments.Select(d => Usage.EstimateProfile.For(d.Config)));
        foreach (var d in deployments)
        {
            var (input, output) = Usage.PriceTable.For(d.Config);
            MaxInputPrice = Math.Max(MaxInputPrice, input);
            MaxOutputPrice = Math.Max(MaxOutputPrice, output);
            MaxQueryPrice = Math.Max(MaxQueryPrice, Usage.PriceTable.PricesFor(d.Config).Query);
        }
    }

    /// <summary>How the group's deployments bill a prompt (framing, safety factor), for prompt estimates.</summary>
    public Usage.EstimateProfile EstimateProfile { get; }

    /// <summary>Highest per-token prices in the group: budget reservations assume the dearest deployment.</summary>
    public decimal MaxInputPrice { get; }

    public decimal MaxOutputPrice { get; }

    /// <summary>Highest price per rerank search unit in the group.</summary>
    public decimal MaxQueryPrice { get; }

    public string Name { get; }

    /// <summary>The wildcard model_name this group was made from for a concrete name (<c>openai/*</c> for <c>openai/gpt-4o</c>); null otherwise.</summary>
    public string? Pattern { get; init; }

    public IReadOnlyList<RoutedDeployment> Deployments { get; }

    public IReadOnlyList<string> Families { get; }

    /// <summary>The provider family when every deployment shares one, else null.</summary>
    public string? Family => Families.Count == 1 ? Families[0] : null;
}

/// <summary>A deployment's config paired with its long-lived state.</summary>
public sealed record RoutedDeployment(DeploymentConfig Config, DeploymentState State);
