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

        // litellm_settings callbacks: otel with LiteLLM's OTEL_ENDPOINT, langfuse (a second exporter beside the standard one)
        var callbacks = config.Callbacks;
        if (otlpTraces || callbacks.Otel is not null || callbacks.Langfuse is not null || options.ConfigureTracing is not null)
        {
            builder.WithTracing(t =>
            {
                t.AddSource(GatewayTelemetry.SourceName);
                if (otlpTraces)
                {
                    t.AddOtlpExporter();
                }
                else if (callbacks.Otel is { } otel)
                {
                    t.AddOtlpExporter("otel", o => Apply(o, otel));
                }

                if (callbacks.Langfuse is { } langfuse)
                {
                    t.AddOtlpExporter("langfuse", o => Apply(o, langfuse));
                }

                options.ConfigureTracing?.Invoke(t);
            });
        }
    }

    private static void Apply(OpenTelemetry.Exporter.OtlpExporterOptions o, OtlpTraceExport export)
    {
        o.Endpoint = new Uri(export.Endpoint);
        o.Protocol = export.Grpc ? OpenTelemetry.Exporter.OtlpExportProtocol.Grpc : OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
        if (export.Headers.Length > 0)
        {
            o.Headers = export.Headers;
        }
    }
}
