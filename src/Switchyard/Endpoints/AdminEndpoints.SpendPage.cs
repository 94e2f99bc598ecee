using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Switchyard.Core.Tenancy;
using Switchyard.Core.Usage;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

public sealed partial class AdminEndpoints
{
    private static readonly string[] SpendPageGroups = ["model", "tenant", "alias", "day"];

    /// <summary>
    /// <c>GET /ui/api/spend?group_by=model|tenant|alias|day&amp;start=&amp;end=&amp;tenant=&amp;page=&amp;page_size=[&amp;format=csv]</c>
    /// (admin or usage:read): spend summed in the store's SQL per group, biggest spend first (days newest first), rows
    /// <c>{key, requests, prompt_tokens, completion_tokens, spend_usd, unpriced}</c>. <c>unpriced</c> counts requests
    /// with tokens but no cost on a deployment that has no price. A global admin reads any tenant (or all); any other
    /// caller its own tenant only. <c>format=csv</c> answers the same page as a CSV attachment with a header row.
    /// </summary>
    public Task SpendPage(HttpContext c) => Gate(c, new Route(Access.UsageRead, ReadsBody: false), async (caller, _, ct) =>
    {
        var q = c.Request.Query;
        var by = q["group_by"].ToString() is { Length: > 0 } g ? g : "model";
        if (!SpendPageGroups.Contains(by, StringComparer.Ordinal))
        {
            throw AdminJson.Invalid("group_by", "one of " + string.Join(", ", SpendPageGroups));
        }

        var format = q["format"].ToString() is { Length: > 0 } f ? f : "json";
        if (format is not ("json" or "csv"))
        {
            throw AdminJson.Invalid("format", "json or csv");
        }

        var (from, to) = (Date(q["start"].ToString(), "start"), Date(q["end"].ToString(), "end"));
        if (to is { } end && end.TimeOfDay == TimeSpan.Zero && !q["end"].ToString().Contains('T', StringComparison.Ordinal))
        {
            to = end.AddDays(1); // a date names the whole day
        }

        if (from is { } s && to is { } e && e <= s)
        {
            throw AdminJson.Invalid("end", "a time after start");
        }

        var (page, size) = Paging(c);
        await spend.FlushAsync(); // the calls just answered are in the sums
        var result = await Store.AggregateSpendAsync(new SpendAggregateQuery
        {
            GroupBy = Enum.Parse<SpendGroupBy>(by, ignoreCase: true),
            TenantId = SpendPageTenant(caller, Text(c, "tenant")),
            From = from,
            To = to,
            UnpricedDeployments = state.Current.Config.Deployments.Where(PriceTable.IsUnpriced).Select(d => d.Id).ToArray(),
            Page = page,
            PageSize = size,
        }, ct);

        if (format == "csv")
        {
            await WriteSpendCsvAsync(c, by, result.Rows);
            return null;
        }

        return w =>
        {
            w.WriteString("group_by", by);
            w.WriteStartArray("data");
            foreach (var r in result.Rows)
            {
                w.WriteStartObject();
                w.WriteString("key", r.Key);
                w.WriteNumber("requests", r.Requests);
                w.WriteNumber("prompt_tokens", r.PromptTokens);
                w.WriteNumber("completion_tokens", r.CompletionTokens);
                w.WriteNumber("spend_usd", r.Cost);
                w.WriteNumber("unpriced", r.Unpriced);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WritePage(w, page, size, result.Total);
        };
    });

    /// <summary>The tenant a spend page reads: a global admin's choice (null: all); any other caller's own, refused if it names another.</summary>
    private static string? SpendPageTenant(CallerIdentity caller, string? requested)
    {
        if (caller.IsGlobalAdmin)
        {
            return requested;
        }

        if (caller.TenantId is not { } own)
        {
            throw new AdminFailure(AdminDenials.GlobalAdminRequired(caller, "reading spend across tenants"));
        }

        return requested is null || requested == own
            ? own
            : throw new AdminFailure(caller.Has(Scopes.Admin)
                ? AdminDenials.OutsideTenant(caller, "tenant")
                : Authenticator.Forbidden(Scopes.Admin) with { Message = "a usage:read token may read only its own tenant's spend", Param = "tenant" });
    }

    /// <summary>RFC 4180 CSV with a header row; a text cell that a spreadsheet would run as a formula is prefixed with a quote.</summary>
    private static async Task WriteSpendCsvAsync(HttpContext c, string by, IReadOnlyList<SpendAggregate> rows)
    {
        c.Response.ContentType = "text/csv; charset=utf-8";
        c.Response.Headers.ContentDisposition = $"attachment; filename=\"switchyard-spend-by-{by}.csv\"";
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape, NewLine = "\r\n" };
        await using var text = new StreamWriter(c.Response.Body, new System.Text.UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        await using var csv = new CsvWriter(text, config);
        foreach (var header in new[] { "key", "requests", "prompt_tokens", "completion_tokens", "spend_usd", "unpriced" })
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync();
        foreach (var r in rows)
        {
            csv.WriteField(r.Key ?? "");
            csv.WriteField(r.Requests);
            csv.WriteField(r.PromptTokens);
            csv.WriteField(r.CompletionTokens);
            csv.WriteField(r.Cost);
            csv.WriteField(r.Unpriced);
            await csv.NextRecordAsync();
        }

        await csv.FlushAsync();
    }
}
