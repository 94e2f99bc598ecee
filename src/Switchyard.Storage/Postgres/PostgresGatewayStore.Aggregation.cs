using Npgsql;
using NpgsqlTypes;
using Switchyard.Core.Audit;
using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Postgres;

public sealed partial class PostgresGatewayStore
{
    public async Task<Paged<SpendAggregate>> AggregateSpendAsync(SpendAggregateQuery q, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand();
        var key = q.GroupBy switch
        {
            SpendGroupBy.Model => "model",
            SpendGroupBy.Tenant => "tenant_id",
            SpendGroupBy.Alias => "alias",
            _ => "to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        };
        var where = new List<string>();
        string Param(NpgsqlParameter p)
        {
            cmd.Parameters.Add(p);
            return "$" + cmd.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (q.TenantId is not null)
        {
            where.Add("tenant_id = " + Param(Text(q.TenantId)));
        }

        if (q.From is { } from)
        {
            where.Add("start_time >= " + Param(Time(from)));
        }

        if (q.To is { } to)
        {
            where.Add("start_time < " + Param(Time(to)));
        }

        var filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
        var unpriced = q.UnpricedDeployments.Count == 0
            ? "0::bigint"
            : $"count(*) FILTER (WHERE cost_nanos = 0 AND prompt_tokens + completion_tokens > 0 AND deployment = ANY({Param(new NpgsqlParameter { Value = q.UnpricedDeployments.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text })}))";
        var order = q.GroupBy == SpendGroupBy.Day ? "k DESC" : $"spend DESC, COALESCE({key}, '')";
        var limit = Param(Int32(q.PageSize));
        var offset = Param(Int64((long)(q.Page - 1) * q.PageSize));
        cmd.CommandText = $"""
            SELECT {key} AS k, count(*), COALESCE(sum(prompt_tokens), 0)::bigint, COALESCE(sum(completion_tokens), 0)::bigint, COALESCE(sum(cost_nanos), 0)::bigint AS spend, {unpriced}, count(*) OVER ()
            FROM spend_logs{filter} GROUP BY k ORDER BY {order} LIMIT {limit} OFFSET {offset}
            """;
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
            cmd.CommandText = $"SELECT count(*) FROM (SELECT {key} AS k FROM spend_logs{filter} GROUP BY k) g";
            total = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        return new Paged<SpendAggregate>(rows, total);
    }
}
