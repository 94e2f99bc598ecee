using Switchyard.Core.Telemetry;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads switchyard.telemetry: the Prometheus endpoint, content capture in traces and the service name.</summary>
internal static class TelemetryConfigReader
{
    private static readonly HashSet<string> Keys = ["prometheus", "capture_content", "service_name"];

    public static TelemetrySettings Read(YamlWalker w, YamlNode? node)
    {
        var telemetry = new TelemetrySettings();
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.telemetry"), "switchyard.telemetry", Keys))
        {
            telemetry = k switch
            {
                "prometheus" => telemetry with { Prometheus = w.Bool(v, p) ?? telemetry.Prometheus },
                "capture_content" => telemetry with { CaptureContent = w.Bool(v, p) ?? false },
                _ => telemetry with { ServiceName = w.String(v, p) ?? telemetry.ServiceName },
            };
        }

        return telemetry;
    }
}
