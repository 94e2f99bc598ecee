using NpgsqlTypes;
using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Postgres;

public sealed partial class PostgresGatewayStore
{
    public async Task SaveResponseAsync(StoredResponse response, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("""
            INSERT INTO responses (tenant_id, response_id, created_at, expires_at, response, conversation) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (tenant_id, response_id) DO UPDATE SET created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
              response = EXCLUDED.response, conversation = EXCLUDED.conversation
            """);
        cmd.Parameters.AddRange(new[] { Text(response.TenantId), Text(response.Id), Time(response.CreatedAt), Time(response.ExpiresAt),
            Typed(response.Response, NpgsqlDbType.Bytea), Typed(response.Conversation, NpgsqlDbType.Bytea) });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<StoredResponse?> GetResponseAsync(string tenantId, string id, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("SELECT created_at, expires_at, response, conversation FROM responses WHERE tenant_id = $1 AND response_id = $2 AND expires_at > $3");
        cmd.Parameters.AddRange(new[] { Text(tenantId), Text(id), Time(now) });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }

        return new StoredResponse
        {
            Id = id,
            TenantId = tenantId,
            CreatedAt = r.GetFieldValue<DateTimeOffset>(0),
            ExpiresAt = r.GetFieldValue<DateTimeOffset>(1),
            Response = r.GetFieldValue<byte[]>(2),
            Conversation = r.GetFieldValue<byte[]>(3),
        };
    }

    public async Task<bool> DeleteResponseAsync(string tenantId, string id, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM responses WHERE tenant_id = $1 AND response_id = $2");
        cmd.Parameters.AddRange(new[] { Text(tenantId), Text(id) });
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<int> PruneResponsesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM responses WHERE expires_at <= $1");
        cmd.Parameters.Add(Time(now));
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
