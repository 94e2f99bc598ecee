using System.Diagnostics.Metrics;
using Switchyard.Core.Telemetry;
using Switchyard.Hosting;

namespace Switchyard.Telemetry;

/// <summary>
/// switchyard.config.info (Prometheus: switchyard_config_info{config_hash="sha256:..."} 1): the live config's hash,
/// read at each collection, so it follows reloads and replicas that run different configs show different series.
/// </summary>
public sealed class ConfigMetrics
{
    public const string HashTag = "config_hash";

    public ConfigMetrics(GatewayTelemetry telemetry, GatewayState state)
    {
        telemetry.Meter.CreateObservableGauge("switchyard.config.info", () => Observe(state), "{config}", "Always 1; the live config's hash is the config_hash attribute (drift between replicas shows as different values)");
    }

    private static Measurement<int> Observe(GatewayState state)
        => new(1, new KeyValuePair<string, object?>(HashTag, state.Current.Config.ConfigHash ?? "none"));
}
