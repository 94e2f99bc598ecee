using System.Globalization;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// Spend at a glance, from the spend log summed per day, tenant, token, alias and model
/// (<see cref="IGatewayStore.SummarizeSpendAsync"/>): <c>GET /spend/summary</c> (Switchyard's, behind
/// <c>switchyard spend</c>) and <c>GET /global/spend/report</c> (LiteLLM's shapes, so its clients and scripts work).
/// Both answer what <c>/spend/logs</c> would let the caller read (<see cref="SpendScope"/>).
/// </summary>
public sealed partial class AdminEndpoints
{
    /// <summary>What <c>/spend/summary</c> groups by: the CLI's <c>--by</c>.</summary>
    public static readonly string[] SummaryGroups = ["model", "tenant", "alias", "day", "key"];

    private static readonly string[] ReportGroups = ["team", "customer", "api_key"];

    /// <summary>
    /// <c>GET /spend/summary?group_by=model|tenant|alias|day|key&amp;start_date=&amp;end_date=&amp;team_id=&amp;api_key=</c>:
    /// one row per group (requests, tokens, spend), biggest spend first (days in order), and the total.
    /// </summary>
    public Task SpendSummary(HttpContext c) => Gate(c, new Route(Access.AnyKey, ReadsBody: false), async (caller, _, ct) =>
    {
        var q = c.Request.Query;
        var by = q["group_by"].ToString() is { Length: > 0 } g ? g : "model";
        if (!SummaryGroups.Contains(by, StringComparer.Ordinal))
        {
            throw AdminJson.Invalid("group_by", "one of " + string.Join(", ", SummaryGroups));
        }

        var (from, to) = (Date(q["start_date"].ToString(), "start_date"), EndDate(q["end_date"].ToString()));
        var totals = await SpendTotalsAsync(c, caller, from, to, ct);
        var rows = totals.GroupBy(t => by switch
            {
                "tenant" => t.TenantId,
                "alias" => t.Alias,
                "day" => t.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                "key" => t.TokenHash,
                _ => t.Model, // provider/model, as litellm_params.model writes it
            })
            .Select(grp => (Name: grp.Key, Sum: Sum(grp)))
            .OrderBy(r => by == "day" ? 0 : -r.Sum.Cost).ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToArray();
        return w =>
        {
            w.WriteString("group_by", by);
            AdminWriter.WriteTime(w, "start_date", from);
            AdminWriter.WriteTime(w, "end_date", to);
            w.WriteStartArray("rows");
            foreach (var (name, sum) in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                if (by == "key" && name is not null && TokenHash.TryParse(name, out var h) && tenancy.Directory.FindKey(h)?.Record is { } key)
                {
                    w.WriteString("key_alias", key.KeyAlias);
                    w.WriteString("key_name", key.KeyName);
                    w.WriteString("team_id", key.TenantId);
                }
                else if (by == "tenant" && name is not null)
                {
                    w.WriteString("team_alias", tenancy.Directory.FindTenant(name)?.Record.Alias);
                }

                WriteSum(w, sum);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WritePropertyName("total");
            w.WriteStartObject();
            WriteSum(w, Sum(totals));
            w.WriteEndObject();
        };
    });

    /// <summary>
    /// <c>GET /global/spend/report?start_date=YYYY-MM-DD&amp;end_date=YYYY-MM-DD[&amp;group_by=team|customer|api_key][&amp;api_key=][&amp;team_id=]</c>
    /// in LiteLLM's shapes: per day, per team, spend by model and key (<c>team</c>, the default); the same per customer
    /// (<c>customer</c>: Switchyard records no end user, so every row is customer null); per key with its models
    /// (<c>api_key</c>, or any group with <c>api_key</c> given). Both dates are required, as in LiteLLM; the end date's
    /// day is included.
    /// </summary>
    public Task SpendReport(HttpContext c) => Gate(c, new Route(Access.AnyKey, ReadsBody: false, Wrap: false), async (caller, _, ct) =>
    {
        var q = c.Request.Query;
        var (startText, endText) = (q["start_date"].ToString(), q["end_date"].ToString());
        if (startText.Length == 0 || endText.Length == 0)
        {
            throw new AdminFailure(FailureSummary.BadRequest("start_date and end_date are required (YYYY-MM-DD)", startText.Length == 0 ? "start_date" : "end_date", "missing_field"));
        }

        var by = q["group_by"].ToString() is { Length: > 0 } g ? g : "team";
        if (!ReportGroups.Contains(by, StringComparer.Ordinal))
        {
            throw AdminJson.Invalid("group_by", "one of " + string.Join(", ", ReportGroups));
        }

        var totals = await SpendTotalsAsync(c, caller, Date(startText, "start_date"), EndDate(endText), ct);
        if (by == "api_key" || RequestSecrets.QueryValue(c, "api_key").Length > 0)
        {
            return w => WriteReportByKey(w, totals);
        }

        var days = totals.GroupBy(t => t.Day).OrderBy(d => d.Key).ToArray();
        return w =>
        {
            w.WriteStartArray();
            foreach (var day in days)
            {
                w.WriteStartObject();
                w.WriteString("group_by_day", day.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00+00:00");
                w.WriteStartArray(by == "team" ? "teams" : "customers");
                foreach (var team in day.GroupBy(t => by == "team" ? t.TenantId : null).OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    w.WriteStartObject();
                    if (by == "team")
                    {
                        w.WriteString("team_name", team.Key is null ? "Unassigned Team" : tenancy.Directory.FindTenant(team.Key)?.Record.Alias ?? team.Key);
                        w.WriteString("team_id", team.Key);
                    }
                    else
                    {
                        w.WriteNull("customer");
                    }

                    w.WriteNumber("total_spend", team.Sum(t => t.Cost));
                    w.WriteStartArray("metadata");
                    foreach (var m in team.GroupBy(t => (Model: t.Model ?? t.Alias, t.TokenHash)).OrderBy(m => m.Key.Model, StringComparer.Ordinal).ThenBy(m => m.Key.TokenHash, StringComparer.Ordinal))
                    {
                        w.WriteStartObject();
                        w.WriteString("model", m.Key.Model);
                        w.WriteString("api_key", m.Key.TokenHash);
                        w.WriteNumber("spend", m.Sum(t => t.Cost));
                        w.WriteNumber("total_tokens", m.Sum(t => t.PromptTokens + t.CompletionTokens));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        };
    });

    private async Task<IReadOnlyList<SpendTotal>> SpendTotalsAsync(HttpContext c, CallerIdentity caller, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var (team, key) = SpendScope(c, caller);
        await spend.FlushAsync();
        return await tenancy.Store.SummarizeSpendAsync(new SpendQuery { TenantId = team, TokenHash = key, From = from, To = to }, ct);
    }

    /// <summary>LiteLLM's per-key shape: total cost and tokens, and the same per model, biggest cost first.</summary>
    private static void WriteReportByKey(Utf8JsonWriter w, IReadOnlyList<SpendTotal> totals)
    {
        w.WriteStartArray();
        foreach (var key in totals.GroupBy(t => t.TokenHash).OrderByDescending(k => k.Sum(t => t.Cost)).ThenBy(k => k.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("api_key", key.Key);
            w.WriteNumber("total_cost", key.Sum(t => t.Cost));
            w.WriteNumber("total_input_tokens", key.Sum(t => t.PromptTokens));
            w.WriteNumber("total_output_tokens", key.Sum(t => t.CompletionTokens));
            w.WriteStartArray("model_details");
            foreach (var m in key.GroupBy(t => t.Model ?? t.Alias).OrderByDescending(m => m.Sum(t => t.Cost)).ThenBy(m => m.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("model", m.Key);
                w.WriteNumber("total_cost", m.Sum(t => t.Cost));
                w.WriteNumber("total_input_tokens", m.Sum(t => t.PromptTokens));
                w.WriteNumber("total_output_tokens", m.Sum(t => t.CompletionTokens));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>An end date: a date alone (midnight) includes its whole day.</summary>
    private static DateTimeOffset? EndDate(string text)
        => Date(text, "end_date") is { } end && end.TimeOfDay == TimeSpan.Zero && !text.Contains('T', StringComparison.Ordinal) ? end.AddDays(1) : Date(text, "end_date");

    private static SpendTotal Sum(IEnumerable<SpendTotal> totals)
    {
        long requests = 0, prompt = 0, completion = 0;
        decimal cost = 0;
        foreach (var t in totals)
        {
            requests += t.Requests;
            prompt += t.PromptTokens;
            completion += t.CompletionTokens;
            cost += t.Cost;
        }

        return new SpendTotal { Alias = "", Requests = requests, PromptTokens = prompt, CompletionTokens = completion, Cost = cost };
    }

    private static void WriteSum(Utf8JsonWriter w, SpendTotal sum)
    {
        w.WriteNumber("requests", sum.Requests);
        w.WriteNumber("prompt_tokens", sum.PromptTokens);
        w.WriteNumber("completion_tokens", sum.CompletionTokens);
        w.WriteNumber("total_tokens", sum.PromptTokens + sum.CompletionTokens);
        w.WriteNumber("spend", sum.Cost);
    }
}
