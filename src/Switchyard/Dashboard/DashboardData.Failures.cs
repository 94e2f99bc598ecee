using System.Text.Json;
using Switchyard.AccessLog;

namespace Switchyard.Dashboard;

public sealed partial class DashboardData
{
    /// <summary>
    /// GET /ui/api/failures?code=&amp;route=&amp;provider_family=&amp;deployment=&amp;tenant=&amp;page=&amp;page_size=: the
    /// failure summaries inference calls got on this replica (the last <see cref="DashboardRecorder.RecentFailures"/>),
    /// newest first, filtered (exact matches) and paged.
    /// </summary>
    public async Task Failures(HttpContext c)
    {
        var (ok, tenant) = await ScopeAsync(c);
        if (!ok || await PagingAsync(c) is not var (page, size))
        {
            return;
        }

        var q = c.Request.Query;
        string? Param(string name) => q[name].ToString() is { Length: > 0 } v ? v : null;
        var (code, route, family, deployment) = (Param("code"), Param("route"), Param("provider_family"), Param("deployment"));
        var matching = recorder.Failures.NewestFirst().Where(r =>
            (tenant is null || r.TenantId == tenant)
            && (code is null || r.Failure!.Code == code)
            && (route is null || RouteOf(r) == route)
            && (family is null || FamilyOf(r) == family)
            && (deployment is null || DeploymentOf(r) == deployment)).ToList();
        await WriteAsync(c, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            foreach (var r in matching.Skip((page - 1) * size).Take(size))
            {
                WriteFailure(w, r);
            }

            w.WriteEndArray();
            w.WriteNumber("page", page);
            w.WriteNumber("page_size", size);
            w.WriteNumber("total", matching.Count);
            w.WriteEndObject();
        });
    }

    private static string? RouteOf(AccessRecord r) => r.Failure?.Route ?? r.Alias;

    private static string? FamilyOf(AccessRecord r) => r.Failure?.ProviderFamily ?? (r.AttemptLog.Count > 0 ? r.AttemptLog[^1].ProviderFamily : null);

    private static string? DeploymentOf(AccessRecord r) => r.Deployment ?? (r.AttemptLog.Count > 0 ? r.AttemptLog[^1].Deployment : null);

    private static void WriteFailure(Utf8JsonWriter w, AccessRecord r)
    {
        var f = r.Failure!;
        w.WriteStartObject();
        w.WriteString("time", Iso(r.Time));
        StringOrNull(w, "code", f.Code);
        StringOrNull(w, "type", f.Type);
        w.WriteNumber("status", f.Status);
        StringOrNull(w, "route", RouteOf(r));
        StringOrNull(w, "provider_family", FamilyOf(r));
        StringOrNull(w, "deployment", DeploymentOf(r));
        StringOrNull(w, "tenant", r.TenantId);
        w.WriteString("correlation_id", r.CorrelationId);
        w.WriteString("message", f.Message);
        w.WriteEndObject();
    }
}
