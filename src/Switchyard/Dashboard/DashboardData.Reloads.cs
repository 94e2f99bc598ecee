using Switchyard.Operations;

namespace Switchyard.Dashboard;

public sealed partial class DashboardData
{
    /// <summary>GET /ui/api/reloads (global admins): this replica's last <see cref="ReloadHistory.Capacity"/> reloads, newest first, with outcome, hash and diagnostics.</summary>
    public async Task Reloads(HttpContext c)
    {
        if (!await RequireGlobalAdminAsync(c, "reading the config reloads"))
        {
            return;
        }

        var entries = reloads.NewestFirst();
        var live = state.Current.Config.ConfigHash;
        await WriteAsync(c, w =>
        {
            w.WriteStartObject();
            StringOrNull(w, "config_hash", live);
            w.WriteStartArray("data");
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("time", Iso(e.Time));
                w.WriteString("trigger", e.Trigger);
                w.WriteString("outcome", e.Succeeded ? "reloaded" : "refused");
                StringOrNull(w, "config_hash", e.ConfigHash);
                OperationsEndpoints.WriteDiagnostics(w, "errors", e.Errors);
                OperationsEndpoints.WriteDiagnostics(w, "warnings", e.Warnings);
                OperationsEndpoints.WriteDiagnostics(w, "restart_required", e.RestartRequired);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
