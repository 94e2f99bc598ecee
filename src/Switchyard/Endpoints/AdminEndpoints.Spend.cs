using System.Globalization;
using System.Text.Json;
using Switchyard.Core.Tenancy;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>Spend routes: <c>/spend/logs</c>; the summaries are in AdminEndpoints.SpendReports.cs.</summary>
public sealed partial class AdminEndpoints
{
    /// <summary>
    /// <c>GET /spend/logs</c> as LiteLLM answers it: the rows (newest first), filtered by <c>request_id</c> (the response
    /// id the caller saw), <c>api_key</c> (clear key or hash), <c>team_id</c>, <c>start_date</c>, <c>end_date</c>
    /// (YYYY-MM-DD or ISO 8601; a date ends with its whole day) and <c>limit</c>. With both dates and without
    /// <c>summarize=false</c>, LiteLLM's daily summary instead: one entry per day of the range with its spend, per model
    /// and per key.
    /// </summary>
    public Task SpendLogs(HttpContext c) => Gate(c, new Route(Access.AnyKey, ReadsBody: false, Wrap: false), async (caller, _, ct) =>
    {
        var q = c.Request.Query;
        var (team, key, user) = UserSpendScope(c, caller);
        var from = Date(q["start_date"].ToString(), "start_date");
        var to = Date(q["end_date"].ToString(), "end_date");
        var summarize = from is not null && to is not null && !QueryFalse(c, "summarize");
        var query = new SpendQuery
        {
            TenantId = team,
            TokenHash = key,
            UserId = user,
            RequestId = q["request_id"].ToString() is { Length: > 0 } id ? id : null,
            From = from,
            To = to is { } end && end.TimeOfDay == TimeSpan.Zero ? end.AddDays(1) : to,
            Limit = QueryInt(c, "limit", 1000, 1, 100_000),
        };
        await spend.FlushAsync();
        if (summarize && to!.Value - from!.Value > TimeSpan.FromDays(3660))
        {
            throw AdminJson.Invalid("end_date", "at most ten years after start_date for a summary (summarize=false lists rows)");
        }

        if (summarize)
        {
            var totals = await tenancy.Store.SummarizeSpendAsync(query, ct);
            return w => WriteDailySummary(w, totals, DateOnly.FromDateTime(from!.Value.UtcDateTime), DateOnly.FromDateTime(to!.Value.UtcDateTime));
        }

        var rows = await tenancy.Store.QuerySpendAsync(query, ct);
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
                w.WriteString("user", r.UserId);
                w.WriteString("user_id", r.UserId);
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

    /// <summary>
    /// LiteLLM's <c>/spend/logs</c> summary: per UTC day from <paramref name="first"/> to <paramref name="last"/> (days
    /// without spend too), <c>startTime</c> (the day), <c>spend</c>, <c>models</c> (spend per model), <c>users</c> and,
    /// as LiteLLM writes them, one field per key hash with that key's spend.
    /// </summary>
    private static void WriteDailySummary(Utf8JsonWriter w, IReadOnlyList<SpendTotal> totals, DateOnly first, DateOnly last)
    {
        var byDay = totals.GroupBy(t => t.Day).ToDictionary(g => g.Key);
        w.WriteStartArray();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var rows = byDay.TryGetValue(day, out var g) ? g.ToArray() : [];
            w.WriteStartObject();
            w.WriteString("startTime", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber("spend", rows.Sum(r => r.Cost));
            w.WriteStartObject("models");
            foreach (var m in rows.GroupBy(r => r.Model ?? r.Alias).OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(m.Key, m.Sum(r => r.Cost));
            }

            w.WriteEndObject();
            w.WriteStartObject("users");
            w.WriteEndObject();
            foreach (var k in rows.Where(r => r.TokenHash is not null).GroupBy(r => r.TokenHash!).OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(k.Key, k.Sum(r => r.Cost));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static bool QueryFalse(HttpContext c, string name) => c.Request.Query[name].ToString() switch
    {
        "" or "true" or "True" => false,
        "false" or "False" => true,
        _ => throw AdminJson.Invalid(name, "true or false"),
    };

    /// <summary>
    /// The team and token (hash) whose spend the caller asked for (<c>team_id</c>, <c>api_key</c>), confined to what it
    /// may read: a global admin anything; a tenant's usage:read or admin token its tenant; any other key only itself.
    /// </summary>
    private (string? Team, string? Key) SpendScope(HttpContext c, CallerIdentity caller)
    {
        var team = c.Request.Query["team_id"].ToString() is { Length: > 0 } t ? t : null;
        var reader = caller.Has(Scopes.UsageRead) || caller.Has(Scopes.Admin);
        var key = RequestSecrets.QueryValue(c, "api_key") is { Length: > 0 } k
            ? FindKey(k, r => reader ? caller.MayReadSpendOf(r) : r.TokenHash == caller.TokenHash).Record.TokenHash
            : null;
        if (caller.IsGlobalAdmin)
        {
            return (team, key);
        }

        if (caller.TenantId is null || !reader)
        {
            if (team is not null && team != caller.TenantId)
            {
                throw new AdminFailure(Authenticator.Forbidden(Scopes.UsageRead) with { Message = "a key may read only its own spend; its team's needs the 'usage:read' scope, others' the 'admin' scope" });
            }

            return (null, caller.TokenHash); // a token without a tenant, or without usage:read, sees only itself
        }

        if (team is not null && team != caller.TenantId)
        {
            throw new AdminFailure(caller.Has(Scopes.Admin)
                ? AdminDenials.OutsideTenant(caller, "team_id")
                : Authenticator.Forbidden(Scopes.Admin) with { Message = "a usage:read token may read only its own team's spend" });
        }

        return (caller.TenantId, key);
    }

    /// <summary>
    /// <see cref="SpendScope"/> with <c>user_id</c>: a global admin filters by any user; any key by its own user (every
    /// key that user owns, not only itself); a tenant's usage:read or admin token by a user within its tenant's rows.
    /// </summary>
    private (string? Team, string? Key, string? User) UserSpendScope(HttpContext c, CallerIdentity caller)
    {
        var user = c.Request.Query["user_id"].ToString() is { Length: > 0 } u ? u : null;
        if (user is null || caller.IsGlobalAdmin)
        {
            var (t, k) = SpendScope(c, caller);
            return (t, k, user);
        }

        if (user == caller.UserId)
        {
            var explicitKey = RequestSecrets.QueryValue(c, "api_key").Length > 0 || c.Request.Query["team_id"].Count > 0;
            var (t, k) = explicitKey ? SpendScope(c, caller) : (null, null);
            return (t, k, user);
        }

        if (caller.TenantId is null || !(caller.Has(Scopes.UsageRead) || caller.Has(Scopes.Admin)))
        {
            throw new AdminFailure(Authenticator.Forbidden(Scopes.UsageRead) with { Message = "a key may read only its own user's spend; another user's needs the 'usage:read' or 'admin' scope in their team" });
        }

        var (team, key) = SpendScope(c, caller);
        return (team, key, user);
    }

    private static DateTimeOffset? Date(string text, string name)
    {
        if (text.Length == 0)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : throw AdminJson.Invalid(name, "a date (YYYY-MM-DD or ISO 8601)");
    }

}
