using Npgsql;
using NpgsqlTypes;
using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Postgres;

public sealed partial class PostgresGatewayStore
{
    /// <summary>
    /// The whole batch in one statement (one round trip): the rows go in as arrays through unnest, a row id already
    /// stored is skipped (ON CONFLICT DO NOTHING), and only the rows this statement inserted (RETURNING) add to the keys'
    /// tenants' and users' running spend. So a batch retried after a timeout or a lost connection, or replayed from a journal,
    /// stores no row twice and counts no cost twice. One statement is one transaction: all of it lands or none.
    /// </summary>
    private const string AppendSpendSql = """
        WITH ins AS (
            INSERT INTO spend_logs (request_id, correlation_id, tenant_id, token_hash, alias, deployment, provider_family, model,
                                    prompt_tokens, completion_tokens, cost_nanos, status, latency_ms, start_time, row_id, user_id)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                 $9::bigint[], $10::bigint[], $11::bigint[], $12::integer[], $13::double precision[], $14::timestamptz[], $15::text[], $16::text[])
            ON CONFLICT (row_id) DO NOTHING
            RETURNING tenant_id, token_hash, user_id, cost_nanos
        ), key_spend AS (
            UPDATE keys SET spend_nanos = keys.spend_nanos + s.cost
            FROM (SELECT token_hash, sum(cost_nanos)::bigint AS cost FROM ins WHERE token_hash IS NOT NULL AND cost_nanos <> 0 GROUP BY token_hash) s
            WHERE keys.token_hash = s.token_hash
            RETURNING 1
        ), tenant_spend AS (
            UPDATE tenants SET spend_nanos = tenants.spend_nanos + s.cost
            FROM (SELECT tenant_id, sum(cost_nanos)::bigint AS cost FROM ins WHERE tenant_id IS NOT NULL AND cost_nanos <> 0 GROUP BY tenant_id) s
            WHERE tenants.tenant_id = s.tenant_id
            RETURNING 1
        ), user_spend AS (
            UPDATE users SET spend_nanos = users.spend_nanos + s.cost
            FROM (SELECT user_id, sum(cost_nanos)::bigint AS cost FROM ins WHERE user_id IS NOT NULL AND cost_nanos <> 0 GROUP BY user_id) s
            WHERE users.user_id = s.user_id
            RETURNING 1
        )
        SELECT count(*) FROM ins
        """;

    public Task AppendSpendAsync(IReadOnlyList<SpendRecord> batch, CancellationToken ct) => AppendSpendCountAsync(batch, ct);

    /// <summary><see cref="AppendSpendAsync"/>, returning how many rows were new.</summary>
    public async Task<int> AppendSpendCountAsync(IReadOnlyList<SpendRecord> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        for (var attempt = 1; ; attempt++)
        {
            await using var cmd = _db.CreateCommand(AppendSpendSql);
            cmd.Parameters.Add(Column(batch, s => s.RequestId, NpgsqlDbType.Text));
            cmd.Parameters.Add(Column(batch, s => s.CorrelationId, NpgsqlDbType.Text));
            cmd.Parameters.Add(Column(batch, s => s.TenantId, NpgsqlDbType.Text));
            cmd.Parameters.Add(Column(batch, s => s.TokenHash, NpgsqlDbType.Text));
            cmd.Parameters.Add(Column(batch, s => s.Alias, NpgsqlDbType.Text));
            cmd.Parameters.Add(Column(batch, s => s.Deployment, NpgsqlDbType.Text));
            cmd.Parameters.Add(Column(batch, s => s.ProviderFamily, NpgsqlDbType.Text));
            cmd.Parameters.Add(Column(batch, s => s.Model, NpgsqlDbType.Text));
            cmd.Parameters.Add(Column(batch, s => s.PromptTokens, NpgsqlDbType.Bigint));
            cmd.Parameters.Add(Column(batch, s => s.CompletionTokens, NpgsqlDbType.Bigint));
            cmd.Parameters.Add(Column(batch, s => Money.ToNanos(s.Cost), NpgsqlDbType.Bigint));
            cmd.Parameters.Add(Column(batch, s => s.Status, NpgsqlDbType.Integer));
            cmd.Parameters.Add(Column(batch, s => s.LatencyMs, NpgsqlDbType.Double));
            cmd.Parameters.Add(Column(batch, s => s.StartTime.UtcDateTime, NpgsqlDbType.TimestampTz));
            cmd.Parameters.Add(Column(batch, s => s.RowId, NpgsqlDbType.Text));
            cmd.Parameters.Add(Column(batch, s => s.UserId, NpgsqlDbType.Text));
            try
            {
                return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 5)
            {
                // Two replicas' batches can lock the same keys' rows in different orders; the statement is idempotent, so run it again.
            }
        }
    }

    public async Task<IReadOnlyList<SpendRecord>> QuerySpendAsync(SpendQuery q, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand();
        var where = new List<string>();
        void Filter(string condition, NpgsqlParameter p)
        {
            cmd.Parameters.Add(p);
            where.Add(condition.Replace("@", "$" + cmd.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        if (q.TenantId is not null)
        {
            Filter("tenant_id = @", Text(q.TenantId));
        }

        if (q.TokenHash is not null)
        {
            Filter("token_hash = @", Text(q.TokenHash));
        }

        if (q.RequestId is not null)
        {
            Filter("request_id = @", Text(q.RequestId));
        }

        if (q.CorrelationId is not null)
        {
            Filter("correlation_id = @", Text(q.CorrelationId));
        }

        if (q.UserId is not null)
        {
            Filter("user_id = @", Text(q.UserId));
        }

        if (q.From is { } from)
        {
            Filter("start_time >= @", Time(from));
        }

        if (q.To is { } to)
        {
            Filter("start_time < @", Time(to));
        }

        cmd.Parameters.Add(Int32(Math.Clamp(q.Limit, 1, 100_000)));
        cmd.CommandText = "SELECT request_id, correlation_id, tenant_id, token_hash, alias, deployment, provider_family, model, prompt_tokens, completion_tokens, cost_nanos, status, latency_ms, start_time, row_id, user_id FROM spend_logs"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY start_time DESC LIMIT $" + cmd.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<SpendRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new SpendRecord
            {
                RequestId = r.GetString(0),
                CorrelationId = r.GetString(1),
                TenantId = NullableString(r, 2),
                TokenHash = NullableString(r, 3),
                Alias = r.GetString(4),
                Deployment = NullableString(r, 5),
                ProviderFamily = NullableString(r, 6),
                Model = NullableString(r, 7),
                PromptTokens = r.GetInt64(8),
                CompletionTokens = r.GetInt64(9),
                Cost = Money.FromNanos(r.GetInt64(10)),
                Status = r.GetInt32(11),
                LatencyMs = r.GetDouble(12),
                StartTime = r.GetFieldValue<DateTimeOffset>(13),
                RowId = r.GetString(14),
                UserId = NullableString(r, 15),
            });
        }

        return list;
    }

    public async Task<int> PruneSpendAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM spend_logs WHERE start_time < $1");
        cmd.Parameters.Add(Time(before));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter Column<T>(IReadOnlyList<SpendRecord> batch, Func<SpendRecord, T> column, NpgsqlDbType type)
    {
        var values = new T[batch.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = column(batch[i]);
        }

        return new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | type };
    }
}
