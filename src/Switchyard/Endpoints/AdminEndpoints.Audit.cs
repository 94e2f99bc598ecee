using Switchyard.Core.Audit;
using Switchyard.Core.Tenancy;

namespace Switchyard.Endpoints;

public sealed partial class AdminEndpoints
{
    /// <summary>
    /// <c>GET /audit/log?actor=&amp;action=&amp;target=&amp;since=&amp;until=&amp;page=&amp;page_size=</c> (admin): the audit log,
    /// newest first, paged <c>{data, page, page_size, total}</c>. A global admin reads every row, a tenant admin the rows
    /// its tenant's keys made and those about its tenant. <c>action</c> is one action (<c>key.generate</c>) or a prefix
    /// ending in a dot (<c>key.</c>); <c>actor</c> a key id, key alias or <c>master</c>.
    /// </summary>
    public Task AuditLog(HttpContext c) => Gate(c, new Route(Access.Admin, ReadsBody: false), async (caller, _, ct) =>
    {
        var q = c.Request.Query;
        var (page, size) = Paging(c);
        var query = new AuditQuery
        {
            Actor = Text(c, "actor"),
            Action = Text(c, "action"),
            Target = Text(c, "target"),
            TenantId = caller.IsGlobalAdmin ? null : caller.AdminTenantId,
            Since = Date(q["since"].ToString(), "since"),
            Until = Date(q["until"].ToString(), "until"),
            Page = page,
            PageSize = size,
        };
        if (query.Since is { } s && query.Until is { } u && u < s)
        {
            throw AdminJson.Invalid("until", "a time after since");
        }

        await audit.FlushAsync(); // what this admin just did is in the answer
        var result = await Store.QueryAuditAsync(query, ct);
        return w =>
        {
            w.WriteStartArray("data");
            foreach (var r in result.Rows)
            {
                w.WriteStartObject();
                w.WriteString("id", r.Id);
                w.WriteString("time", AdminJson.Time(r.Time));
                w.WriteString("actor", r.Actor);
                w.WriteString("actor_alias", r.ActorAlias);
                w.WriteString("tenant_id", r.TenantId);
                w.WriteString("user_id", r.UserId);
                w.WriteString("action", r.Action);
                w.WriteString("target", r.Target);
                w.WriteString("target_tenant_id", r.TargetTenantId);
                w.WriteString("outcome", r.Outcome);
                w.WriteNumber("status", r.Status);
                w.WriteString("error_code", r.ErrorCode);
                w.WriteString("client_address", r.ClientAddress);
                w.WriteString("user_agent", r.UserAgent);
                w.WriteString("detail", r.Detail);
                w.WriteString("correlation_id", r.CorrelationId);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WritePage(w, page, size, result.Total);
        };
    });

    private IGatewayStore Store => tenancy.Store;

    /// <summary>The dashboard's paging: <c>page</c> from 1, <c>page_size</c> 1 to 500 (default 50).</summary>
    private static (int Page, int Size) Paging(HttpContext c) => (QueryInt(c, "page", 1, 1, 1_000_000), QueryInt(c, "page_size", 50, 1, 500));

    private static void WritePage(System.Text.Json.Utf8JsonWriter w, int page, int size, long total)
    {
        w.WriteNumber("page", page);
        w.WriteNumber("page_size", size);
        w.WriteNumber("total", total);
    }

    private static string? Text(HttpContext c, string name) => c.Request.Query[name].ToString() is { Length: > 0 } t
        ? t.Length <= 256 ? t : throw AdminJson.Invalid(name, "at most 256 characters")
        : null;
}
