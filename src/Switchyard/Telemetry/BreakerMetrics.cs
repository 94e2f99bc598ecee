using System.Diagnostics;
using System.Diagnostics.Metrics;
using Switchyard.Core.Resilience;
using Switchyard.Core.Routing;
using Switchyard.Core.Telemetry;
using Switchyard.Hosting;

namespace Switchyard.Telemetry;

/// <summary>Breaker state per deployment as a gauge (0 closed, 1 half-open, 2 open) and transitions as a counter.</summary>
public sealed class BreakerMetrics
{
    public BreakerMetrics(GatewayTelemetry telemetry, GatewayState state, DeploymentStateRegistry registry)
    {
        telemetry.Meter.CreateObservableGauge("switchyard.breaker.state", () => Observe(state), "{state}", "Breaker state per deployment: 0 closed, 1 half-open, 2 open");
        registry.BreakerTransitioned += t =>
        {
            if (telemetry.BreakerTransitions.Enabled)
            {
                telemetry.BreakerTransitions.Add(1, new TagList { { GenAiAttributes.Deployment, t.DeploymentId }, { "switchyard.breaker.to", RequestTelemetry.StateName(t.To) } });
            }
        };
    }

    private static IEnumerable<Measurement<int>> Observe(GatewayState state)
    {
        foreach (var group in state.Current.Routes.Groups)
        {
            foreach (var d in group.Deployments)
            {
                var value = d.State.Breaker.State switch { BreakerState.Open => 2, BreakerState.HalfOpen => 1, _ => 0 };
                yield return new Measurement<int>(value, new KeyValuePair<string, object?>(GenAiAttributes.Deployment, d.Config.Id), new KeyValuePair<string, object?>("switchyard.model_group", group.Name));
            }
        }
    }
}
