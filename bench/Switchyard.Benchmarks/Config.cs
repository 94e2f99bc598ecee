using Switchyard.Core.Config;
using Switchyard.Core.Routing;

namespace Switchyard.Benchmarks;

/// <summary>Config objects for the routing benchmarks, built directly (no YAML).</summary>
public static class BenchConfig
{
    public static DeploymentConfig Deployment(string id, int order = 1, double weight = 1) => new()
    {
        Id = id,
        ModelName = "router.default",
        Provider = "openai",
        Family = ProviderFamilies.OpenAI,
        Model = "gpt-4o-mini",
        ApiBase = "http://127.0.0.1:5055/v1",
        ApiKey = "sk-bench",
        Timeout = TimeSpan.FromSeconds(60),
        StreamTimeout = TimeSpan.FromSeconds(20),
        Order = order,
        Weight = weight,
    };

    public static RouteGroup Group(int deployments)
    {
        var states = new DeploymentStateRegistry(TimeProvider.System);
        var breaker = new BreakerSettings();
        var list = Enumerable.Range(0, deployments)
            .Select(i => Deployment("d" + i, weight: 1 + i))
            .Select(d => new RoutedDeployment(d, states.Get(d.Id, new DeploymentRuntime(breaker, d.Rpm, d.Tpm))))
            .ToArray();
        return new RouteGroup("router.default", list);
    }
}
