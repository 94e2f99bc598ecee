using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Switchyard.Core.Config;
using Switchyard.Core.Telemetry;

namespace Switchyard.Hosting;

/// <summary>
/// OpenTelemetry wiring: metrics for Prometheus (/metrics) and OTLP, traces for OTLP. OTLP is on when the standard
/// OTEL_EXPORTER_OTLP_ENDPOINT (or the per-signal variant) is set; OTEL_SDK_DISABLED=true turns everything off.
/// With no exporter, the gateway's ActivitySource has no listener and costs nothing.
/// </summary>
internal static class TelemetrySetup
{
    public static void Add(IServiceCollection services, GatewayConfig config, GatewayHostOptions options)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var otlp = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        var otlpTraces = otlp || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        var otlpMetrics = otlp || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"));
        var builder = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(config.Telemetry.ServiceName));
        if (config.Telemetry.Prometheus || otlpMetrics || options.ConfigureMetrics is not null)
        {
            builder.WithMetrics(m =>
            {
                m.AddMeter(GatewayTelemetry.SourceName);
                if (config.Telemetry.Prometheus)
                {
                    m.AddPrometheusExporter();
                }

                if (otlpMetrics)
                {
                    m.AddOtlpExporter();
                }

                options.ConfigureMetrics?.Invoke(m);
            });
        }

        if (otlpTraces || options.ConfigureTracing is not null)
        {
            builder.WithTracing(t =>
            {
                t.AddSource(GatewayTelemetry.SourceName);
                if (otlpTraces)
                {
                    t.AddOtlpExporter();
                }

                options.ConfigureTracing?.Invoke(t);
            });
        }
    }
}
