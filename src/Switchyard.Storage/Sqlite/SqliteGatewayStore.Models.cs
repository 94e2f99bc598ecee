using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Sqlite;

/// <summary>Deployments stored through /model/* (schema v4).</summary>
public sealed partial class SqliteGatewayStore
{
    public async Task<IReadOnlyList<StoredDeployment>> ListDeploymentsAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT model_id, model_name, litellm_params, model_info, created_at, updated_at FROM deployments ORDER BY created_at, model_id";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<StoredDeployment>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new StoredDeployment
            {
                ModelId = r.GetString(0),
                ModelName = r.GetString(1),
                LitellmParamsJson = r.GetString(2),
                ModelInfoJson = r.GetString(3),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
            });
        }

        return list;
    }

    public Task UpsertDeploymentAsync(StoredDeployment d, CancellationToken ct) => WriteAsync(async (c, tx) =>
        await ExecAsync(c, tx, """
            INSERT INTO deployments (model_id, model_name, litellm_params, model_info, created_at, updated_at) VALUES ($p0, $p1, $p2, $p3, $p4, $p5)
            ON CONFLICT (model_id) DO UPDATE SET model_name = excluded.model_name, litellm_params = excluded.litellm_params,
              model_info = excluded.model_info, updated_at = excluded.updated_at
            """, ct, d.ModelId, d.ModelName, d.LitellmParamsJson, d.ModelInfoJson, Time(d.CreatedAt), Time(d.UpdatedAt)), ct);

    public Task<bool> DeleteDeploymentAsync(string modelId, CancellationToken ct) => WriteAsync(async (c, tx) =>
        await ExecAsync(c, tx, "DELETE FROM deployments WHERE model_id = $p0", ct, modelId) > 0, ct);
}
