namespace Switchyard.Core.Telemetry;

/// <summary>switchyard.telemetry. OTLP export is configured by the standard OTEL_* environment variables.</summary>
public sealed record TelemetrySettings
{
    /// <summary>Serve Prometheus text at /metrics.</summary>
    public bool Prometheus { get; init; } = true;

    /// <summary>Record prompts and completions on spans (gen_ai.input.messages / gen_ai.output.messages). Off by default.</summary>
    public bool CaptureContent { get; init; }

    public string ServiceName { get; init; } = "switchyard";
}
