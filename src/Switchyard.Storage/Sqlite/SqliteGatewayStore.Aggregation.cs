using Switchyard.Core.Audit;
using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Sqlite;

public sealed partial class SqliteGatewayStore
{
    public async Task<Paged<SpendAggregate>> AggregateSpendAsync(SpendAggregateQuery q, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        var key = q.GroupBy switch
        {
            SpendGroupBy.Model => "model",
            SpendGroupBy.Tenant => "tenant_id",
            SpendGroupBy.Alias => "alias",
            _ => "strftime('%Y-%m-%d', start_time / 1000, 'unixepoch')",
        };
        var where = new List<string>();
        if (q.TenantId is not null)
        {
            where.Add("tenant_id = $tenant");
            cmd.Parameters.AddWithValue("$tenant", q.TenantId);
        }

        if (q.From is { } from)
        {
            where.Add("start_time >= $from");
            cmd.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        }

        if (q.To is { } to)
        {
            where.Add("start_time < $to");
            cmd.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        }

        var unpriced = "0";
        if (q.UnpricedDeployments.Count > 0)
        {
            var names = new List<string>();
            foreach (var d in q.UnpricedDeployments)
            {
                var name = "$u" + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                cmd.Parameters.AddWithValue(name, d);
                names.Add(name);
            }

            unpriced = $"SUM(CASE WHEN cost_nanos = 0 AND prompt_tokens + completion_tokens > 0 AND deployment IN ({string.Join(", ", names)}) THEN 1 ELSE 0 END)";
        }

        var filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
        var order = q.GroupBy == SpendGroupBy.Day ? "k DESC" : "spend DESC, COALESCE(k, '')";
        cmd.CommandText = $"SELECT {key} AS k, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_nanos) AS spend, {unpriced}, COUNT(*) OVER () FROM spend_logs{filter} GROUP BY k ORDER BY {order} LIMIT $limit OFFSET $offset";
        cmd.Parameters.AddWithValue("$limit", q.PageSize);
        cmd.Parameters.AddWithValue("$offset", (long)(q.Page - 1) * q.PageSize);
        var rows = new List<SpendAggregate>();
        long total = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                total = r.GetInt64(6);
                rows.Add(new SpendAggregate
                {
                    Key = NullableString(r, 0),
                    Requests = r.GetInt64(1),
                    PromptTokens = r.GetInt64(2),
                    CompletionTokens = r.GetInt64(3),
                    Cost = Money.FromNanos(r.GetInt64(4)),
                    Unpriced = r.GetInt64(5),
                });
            }
        }

        if (rows.Count == 0 && q.Page > 1)
        {
            // past the last page: the window gave no row to read the number of groups from
            cmd.CommandText = $"SELECT COUNT(*) FROM (SELECT {key} AS k FROM spend_logs{filter} GROUP BY k)";
            total = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        return new Paged<SpendAggregate>(rows, total);
    }
}
