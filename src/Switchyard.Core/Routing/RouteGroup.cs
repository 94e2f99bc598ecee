using Switchyard.Core.Config;

namespace Switchyard.Core.Routing;

/// <summary>A model_name group: its enabled deployments (with their state) ordered by priority.</summary>
public sealed class RouteGroup
{
    private readonly Lazy<Microsoft.ML.Tokenizers.Tokenizer?> _tokenizer;

    public RouteGroup(string name, IReadOnlyList<RoutedDeployment> deployments)
    {
        Name = name;
        Deployments = deployments;
        Families = deployments.Select(d => d.Config.Family).Distinct().ToArray();
        var first = deployments.Count > 0 ? deployments[0].Config : null;
        _tokenizer = new Lazy<Microsoft.ML.Tokenizers.Tokenizer?>(() => first is null ? null : Usage.PromptEstimator.TokenizerFor(first.BaseModel ?? first.Model));
        foreach (var d in deployments)
        {
            var (input, output) = Usage.PriceTable.For(d.Config);
            MaxInputPrice = Math.Max(MaxInputPrice, input);
            MaxOutputPrice = Math.Max(MaxOutputPrice, output);
        }
    }

    /// <summary>The tokenizer of the group's first deployment's model, when known (prompt estimates).</summary>
    /// <remarks>Loaded on first use: an encoding's vocabulary takes tens of MB, needed only when a limit needs an estimate.</remarks>
    public Microsoft.ML.Tokenizers.Tokenizer? Tokenizer => _tokenizer.Value;

    /// <summary>Highest per-token prices in the group: budget reservations assume the dearest deployment.</summary>
    public decimal MaxInputPrice { get; }

    public decimal MaxOutputPrice { get; }

    public string Name { get; }

    public IReadOnlyList<RoutedDeployment> Deployments { get; }

    public IReadOnlyList<string> Families { get; }

    /// <summary>The provider family when every deployment shares one, else null.</summary>
    public string? Family => Families.Count == 1 ? Families[0] : null;
}

/// <summary>A deployment's config paired with its long-lived state.</summary>
public sealed record RoutedDeployment(DeploymentConfig Config, DeploymentState State);
