using System.Text.Json;
using Switchyard.Core.Admission;

namespace Switchyard.Endpoints;

public sealed partial class AdminEndpoints
{
    /// <summary>
    /// <c>GET /ui/api/tenants?search=&amp;page=&amp;page_size=</c> (admin or usage:read): tenants with their limits against
    /// current use, as <c>/team/usage</c> reads them (this replica's live counters), the budget period's spend with a
    /// linear projection to the period's end, and their key count. A global admin sees every tenant, any other caller
    /// its own only. <c>search</c> matches the id or alias, ignoring case.
    /// </summary>
    public Task TenantsPage(HttpContext c) => Gate(c, new Route(Access.UsageRead, ReadsBody: false), async (caller, _, ct) =>
    {
        await Task.CompletedTask;
        var search = Text(c, "search");
        var (page, size) = Paging(c);
        var visible = caller.IsGlobalAdmin
            ? tenancy.Directory.Tenants
            : tenancy.Directory.FindTenant(caller.TenantId) is { } own ? [own] : [];
        var matching = visible
            .Where(t => search is null || t.Record.TenantId.Contains(search, StringComparison.OrdinalIgnoreCase) || (t.Record.Alias?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false))
            .OrderBy(t => t.Record.TenantId, StringComparer.Ordinal)
            .ToArray();
        var shown = matching.Skip((int)Math.Min((long)(page - 1) * size, int.MaxValue)).Take(size).ToArray();
        var keyCounts = shown.Length == 0 ? [] : tenancy.Directory.Keys.Where(k => k.Record.TenantId is not null).CountBy(k => k.Record.TenantId!).ToDictionary();
        var now = time.GetUtcNow();
        return w =>
        {
            w.WriteStartArray("data");
            foreach (var t in shown)
            {
                w.WriteStartObject();
                w.WriteString("tenant_id", t.Record.TenantId);
                w.WriteString("alias", t.Record.Alias);
                w.WriteBoolean("blocked", t.Record.Blocked);
                w.WriteNumber("keys", keyCounts.GetValueOrDefault(t.Record.TenantId));
                WriteFields(w, t.Limits, now);
                WriteProjection(w, t.Limits, now);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WritePage(w, page, size, matching.Length);
        };
    });

    /// <summary>
    /// <c>budget_projection</c>: the budget period's start and end and what its spend comes to at its end if it goes on
    /// at the rate so far (null without a budget period).
    /// </summary>
    private static void WriteProjection(Utf8JsonWriter w, LimitState s, DateTimeOffset now)
    {
        if (BudgetProjection.Of(s.Limits.BudgetDuration, s.Budget.ResetAt, s.Budget.SpentNanos / 1_000_000_000m, now) is not { } p)
        {
            w.WriteNull("budget_projection");
            return;
        }

        w.WriteStartObject("budget_projection");
        w.WriteString("period_start", AdminJson.Time(p.Start));
        w.WriteString("period_end", AdminJson.Time(p.End));
        w.WriteNumber("projected_spend", p.Projected);
        w.WriteBoolean("extrapolated", p.Extrapolated); // false in the period's first hour (or tenth): the spend so far
        if (s.Limits.MaxBudget is { } max)
        {
            w.WriteBoolean("projected_over_budget", p.Projected > max);
        }
        else
        {
            w.WriteNull("projected_over_budget");
        }

        w.WriteEndObject();
    }
}
