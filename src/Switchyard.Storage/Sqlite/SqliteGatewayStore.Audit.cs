using Microsoft.Data.Sqlite;
using Switchyard.Core.Audit;

namespace Switchyard.Storage.Sqlite;

public sealed partial class SqliteGatewayStore
{
    private const string AuditColumns = "id, time, actor, actor_alias, tenant_id, user_id, action, target, target_tenant_id, status, outcome, error_code, client_address, user_agent, detail, correlation_id";

    public Task AppendAuditAsync(IReadOnlyList<AuditRecord> batch, CancellationToken ct) => batch.Count == 0 ? Task.CompletedTask : WriteAsync(async (c, tx) =>
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT OR IGNORE INTO audit_log ({AuditColumns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15)";
        for (var i = 0; i < 16; i++)
        {
            cmd.Parameters.Add(new SqliteParameter("$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), DBNull.Value));
        }

        foreach (var a in batch)
        {
            object?[] values = [a.Id, a.Time.ToUnixTimeMilliseconds(), a.Actor, a.ActorAlias, a.TenantId, a.UserId, a.Action, a.Target, a.TargetTenantId, a.Status, a.Outcome, a.ErrorCode, a.ClientAddress, a.UserAgent, a.Detail, a.CorrelationId];
            for (var i = 0; i < values.Length; i++)
            {
                cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await cmd.ExecuteNonQueryAsync(ct);
        }
    }, ct);

    public async Task<Paged<AuditRecord>> QueryAuditAsync(AuditQuery q, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        var where = new List<string>();
        void Filter(string condition, object value)
        {
            var name = "$f" + cmd.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            cmd.Parameters.AddWithValue(name, value);
            where.Add(condition.Replace("@", name, StringComparison.Ordinal));
        }

        if (q.Actor is not null)
        {
            Filter("(actor = @ OR actor_alias = @)", q.Actor);
        }

        if (q.Action is { } action)
        {
            // "key." is every key action; the prefix is matched literally (no LIKE wildcards from the caller)
            Filter(action.EndsWith('.') ? "substr(action, 1, length(@)) = @" : "action = @", action);
        }

        if (q.Target is not null)
        {
            Filter("target = @", q.Target);
        }

        if (q.TenantId is not null)
        {
            Filter("(tenant_id = @ OR target_tenant_id = @)", q.TenantId);
        }

        if (q.Since is { } since)
        {
            Filter("time >= @", since.ToUnixTimeMilliseconds());
        }

        if (q.Until is { } until)
        {
            Filter("time < @", until.ToUnixTimeMilliseconds());
        }

        var filter = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
        cmd.CommandText = "SELECT COUNT(*) FROM audit_log" + filter;
        var total = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        cmd.CommandText = $"SELECT {AuditColumns} FROM audit_log{filter} ORDER BY time DESC, id DESC LIMIT $limit OFFSET $offset";
        cmd.Parameters.AddWithValue("$limit", q.PageSize);
        cmd.Parameters.AddWithValue("$offset", (long)(q.Page - 1) * q.PageSize);
        var rows = new List<AuditRecord>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            rows.Add(new AuditRecord
            {
                Id = r.GetString(0),
                Time = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
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

    public Task<int> PruneAuditAsync(DateTimeOffset before, CancellationToken ct) => WriteAsync(
        (c, tx) => ExecAsync(c, tx, "DELETE FROM audit_log WHERE time < $p0", ct, before.ToUnixTimeMilliseconds()), ct);
}
