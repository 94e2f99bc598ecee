using System.Globalization;
using Switchyard.Core.Tenancy;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>Spend routes: <c>/spend/logs</c>.</summary>
public sealed partial class AdminEndpoints
{
    public Task SpendLogs(HttpContext c) => Gate(c, new Route(Access.AnyKey, ReadsBody: false, Wrap: false), async (caller, _, ct) =>
    {
        var q = c.Request.Query;
        var team = q["team_id"].ToString() is { Length: > 0 } t ? t : null;
        var key = RequestSecrets.QueryValue(c, "api_key") is { Length: > 0 } k ? FindKey(k, r => caller.Has(Scopes.UsageRead) || caller.Has(Scopes.Admin) ? caller.MayReadSpendOf(r) : r.TokenHash == caller.TokenHash).Record.TokenHash : null;
        if (!caller.IsGlobalAdmin)
        {
            if (caller.TenantId is null || !(caller.Has(Scopes.UsageRead) || caller.Has(Scopes.Admin)))
            {
                if (team is not null && team != caller.TenantId)
                {
                    throw new AdminFailure(Authenticator.Forbidden(Scopes.UsageRead) with { Message = "a key may read only its own spend; its team's needs the 'usage:read' scope, others' the 'admin' scope" });
                }

                key = caller.TokenHash; // a token without a tenant, or without usage:read, sees only itself
                team = null;
            }
            else if (team is not null && team != caller.TenantId)
            {
                throw new AdminFailure(caller.Has(Scopes.Admin)
                    ? AdminDenials.OutsideTenant(caller, "team_id")
                    : Authenticator.Forbidden(Scopes.Admin) with { Message = "a usage:read token may read only its own team's spend" });
            }
            else
            {
                team = caller.TenantId;
            }
        }

        await spend.FlushAsync();
        var rows = await tenancy.Store.QuerySpendAsync(new SpendQuery
        {
            TenantId = team,
            TokenHash = key,
            From = Date(q["start_date"].ToString(), "start_date"),
            To = Date(q["end_date"].ToString(), "end_date") is { } end && end.TimeOfDay == TimeSpan.Zero ? end.AddDays(1) : Date(q["end_date"].ToString(), "end_date"),
            Limit = int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 1000,
        }, ct);
        return w =>
    {
        w.WriteStartArray();
        foreach (var r in rows)
        {
            w.WriteStartObject();
            w.WriteString("request_id", r.RequestId);
            w.WriteString("correlation_id", r.CorrelationId);
            w.WriteString("api_key", r.TokenHash);
            w.WriteString("team_id", r.TenantId);
            w.WriteString("tenant_id", r.TenantId);
            w.WriteString("model_group", r.Alias);
            w.WriteString("model", r.Model);
            w.WriteString("model_id", r.Deployment);
            w.WriteString("custom_llm_provider", r.ProviderFamily);
            w.WriteNumber("prompt_tokens", r.PromptTokens);
            w.WriteNumber("completion_tokens", r.CompletionTokens);
            w.WriteNumber("total_tokens", r.PromptTokens + r.CompletionTokens);
            w.WriteNumber("spend", r.Cost);
            w.WriteNumber("status_code", r.Status);
            w.WriteString("status", r.Status is >= 200 and < 300 ? "success" : "failure");
            w.WriteNumber("request_duration_ms", Math.Round(r.LatencyMs, 3));
            w.WriteString("startTime", AdminJson.Time(r.StartTime));
            w.WriteString("endTime", AdminJson.Time(r.StartTime.AddMilliseconds(r.LatencyMs)));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    };
    });

    private static DateTimeOffset? Date(string text, string name)
    {
        if (text.Length == 0)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : throw AdminJson.Invalid(name, "a date (YYYY-MM-DD or ISO 8601)");
    }

}
