using Npgsql;
using NpgsqlTypes;
using Switchyard.Core.Audit;

namespace Switchyard.Storage.Postgres;

public sealed partial class PostgresGatewayStore
{
    private const string AuditColumns = "id, time, actor, actor_alias, tenant_id, user_id, action, target, target_tenant_id, status, outcome, error_code, client_address, user_agent, detail, correlation_id";

    /// <summary>The whole batch in one statement through unnest; an id already stored is skipped.</summary>
    public async Task AppendAuditAsync(IReadOnlyList<AuditRecord> batch, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await using var cmd = _db.CreateCommand($"""
            INSERT INTO audit_log ({AuditColumns})
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                 $9::text[], $10::integer[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
            ON CONFLICT (id) DO NOTHING
            """);
        cmd.Parameters.Add(AuditColumn(batch, a => a.Id, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.Time.UtcDateTime, NpgsqlDbType.TimestampTz));
        cmd.Parameters.Add(AuditColumn(batch, a => a.Actor, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.ActorAlias, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.TenantId, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.UserId, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.Action, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.Target, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.TargetTenantId, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.Status, NpgsqlDbType.Integer));
        cmd.Parameters.Add(AuditColumn(batch, a => a.Outcome, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.ErrorCode, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.ClientAddress, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.UserAgent, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.Detail, NpgsqlDbType.Text));
        cmd.Parameters.Add(AuditColumn(batch, a => a.CorrelationId, NpgsqlDbType.Text));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<Paged<AuditRecord>> QueryAuditAsync(AuditQuery q, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand();
        var where = new List<string>();
        void Filter(string condition, NpgsqlParameter p)
        {
            cmd.Parameters.Add(p);
            where.Add(condition.Replace("@", "$" + cmd.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        if (q.Actor is not null)
        {
            Filter("(actor = @ OR actor_alias = @)", Text(q.Actor));
        }

        if (q.Action is { } action)
        {
            // "key." is every key action; the prefix is matched literally (no LIKE wildcards from the caller)
            Filter(action.EndsWith('.') ? "left(action, length(@)) = @" : "action = @", Text(action));
        }

        if (q.Target is not null)
        {
            Filter("target = @", Text(q.Target));
        }

        if (q.TenantId is not null)
        {
            Filter("(tenant_id = @ OR target_tenant_id = @)", Text(q.TenantId));
        }

        if (q.Since is { } since)
        {
            Filter("time >= @", Time(since));
        }

        if (q.Until is { } until)
        {
            Filter("time < @", Time(until));
        }

        var filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
        cmd.CommandText = "SELECT COUNT(*) FROM audit_log" + filter;
        var total = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        var n = cmd.Parameters.Count;
        cmd.Parameters.Add(Int32(q.PageSize));
        cmd.Parameters.Add(Int64((long)(q.Page - 1) * q.PageSize));
        cmd.CommandText = $"SELECT {AuditColumns} FROM audit_log{filter} ORDER BY time DESC, id DESC LIMIT ${n + 1} OFFSET ${n + 2}";
        var rows = new List<AuditRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            rows.Add(new AuditRecord
            {
                Id = r.GetString(0),
                Time = r.GetFieldValue<DateTimeOffset>(1),
                Actor = NullableString(r, 2),
                ActorAlias = NullableString(r, 3),
                TenantId = NullableString(r, 4),
                UserId = NullableString(r, 5),
                Action = r.GetString(6),
                Target = NullableString(r, 7),
                TargetTenantId = NullableString(r, 8),
                Status = r.GetInt32(9),
                Outcome = r.GetString(10),
                ErrorCode = NullableString(r, 11),
                ClientAddress = NullableString(r, 12),
                UserAgent = NullableString(r, 13),
                Detail = NullableString(r, 14),
                CorrelationId = NullableString(r, 15),
            });
        }

        return new Paged<AuditRecord>(rows, total);
    }

    public async Task<int> PruneAuditAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM audit_log WHERE time < $1");
        cmd.Parameters.Add(Time(before));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter AuditColumn<T>(IReadOnlyList<AuditRecord> batch, Func<AuditRecord, T> column, NpgsqlDbType type)
    {
        var values = new T[batch.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = column(batch[i]);
        }

        return new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | type };
    }
}
