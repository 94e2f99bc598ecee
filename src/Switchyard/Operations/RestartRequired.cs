using System.Globalization;
using Switchyard.Core.Config;

namespace Switchyard.Operations;

/// <summary>
/// The settings a reload cannot apply because the process set them up at start: the listening address, the body limit
/// Kestrel was built with, the store, the telemetry exporters and where the access log goes. A reload keeps the running
/// values of these and names each change here (in the reload's answer, the CLI and the log), so "reloaded" never hides
/// a change that waits for a restart.
/// </summary>
internal static class RestartRequired
{
    public static IReadOnlyList<ConfigDiagnostic> Compare(GatewayConfig live, GatewayConfig file, string? hostOverride, int? portOverride)
    {
        var list = new List<ConfigDiagnostic>();
        Check(list, "switchyard.server.host", live.Server.Host, hostOverride ?? file.Server.Host);
        Check(list, "switchyard.server.port", live.Server.Port, portOverride ?? file.Server.Port);
        Check(list, "switchyard.server.max_body_bytes", live.Server.MaxBodyBytes, file.Server.MaxBodyBytes);
        Check(list, "switchyard.store.sqlite_path", live.Store.SqlitePath, file.Store.SqlitePath);
        Check(list, "general_settings.database_url", live.Store.DatabaseUrl, file.Store.DatabaseUrl, secret: true);
        Check(list, "switchyard.spend.journal", live.Store.SpendJournalPath, file.Store.SpendJournalPath);
        Check(list, "switchyard.spend.flush_interval", live.Store.SpendFlushInterval, file.Store.SpendFlushInterval);
        Check(list, "switchyard.spend.batch_size", live.Store.SpendBatchSize, file.Store.SpendBatchSize);
        Check(list, "switchyard.spend.retention", live.Store.SpendRetention, file.Store.SpendRetention);
        Check(list, "switchyard.responses.retention", live.Store.ResponsesRetention, file.Store.ResponsesRetention);
        Check(list, "switchyard.telemetry.prometheus", live.Telemetry.Prometheus, file.Telemetry.Prometheus);
        Check(list, "switchyard.telemetry.service_name", live.Telemetry.ServiceName, file.Telemetry.ServiceName);
        Check(list, "switchyard.access_log.path", live.AccessLog.Path, file.AccessLog.Path);
        Check(list, "switchyard.access_log.max_file_mb", live.AccessLog.MaxFileBytes / (1024 * 1024), file.AccessLog.MaxFileBytes / (1024 * 1024));
        Check(list, "switchyard.access_log.max_files", live.AccessLog.MaxFiles, file.AccessLog.MaxFiles);
        return list;
    }

    /// <summary>The config to make live: the file's, with the running values of everything that needs a restart.</summary>
    public static GatewayConfig KeepStartupSettings(GatewayConfig live, GatewayConfig file) => file with
    {
        Server = live.Server,
        Store = live.Store,
        Telemetry = file.Telemetry with { Prometheus = live.Telemetry.Prometheus, ServiceName = live.Telemetry.ServiceName },
        AccessLog = file.AccessLog with { Path = live.AccessLog.Path, MaxFileBytes = live.AccessLog.MaxFileBytes, MaxFiles = live.AccessLog.MaxFiles },
    };

    private static void Check<T>(List<ConfigDiagnostic> list, string path, T live, T file, bool secret = false)
    {
        if (EqualityComparer<T>.Default.Equals(live, file))
        {
            return;
        }

        list.Add(new ConfigDiagnostic(path, secret
            ? "changed in the file; takes effect only after a restart (the running gateway keeps its value)"
            : $"changed from {Show(live)} to {Show(file)} in the file; takes effect only after a restart (the running gateway keeps {Show(live)})"));
    }

    private static string Show<T>(T value) => value switch
    {
        null => "(unset)",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
