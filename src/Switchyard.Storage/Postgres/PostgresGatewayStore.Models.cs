using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Postgres;

/// <summary>
/// Deployments stored through /model/* (schema v3). Writes move the directory version and NOTIFY like key and tenant
/// writes, so every replica rebuilds its route table with them.
/// </summary>
public sealed partial class PostgresGatewayStore
{
    public async Task<IReadOnlyList<StoredDeployment>> ListDeploymentsAsync(CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("SELECT model_id, model_name, litellm_params::text, model_info::text, created_at, updated_at FROM deployments ORDER BY created_at, model_id");
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
                CreatedAt = r.GetFieldValue<DateTimeOffset>(4),
                UpdatedAt = r.GetFieldValue<DateTimeOffset>(5),
            });
        }

        return list;
    }

    public Task UpsertDeploymentAsync(StoredDeployment d, CancellationToken ct) => DirectoryWriteAsync((c, tx) => RunAsync(c, tx, """
        INSERT INTO deployments (model_id, model_name, litellm_params, model_info, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (model_id) DO UPDATE SET model_name = EXCLUDED.model_name, litellm_params = EXCLUDED.litellm_params,
          model_info = EXCLUDED.model_info, updated_at = EXCLUDED.updated_at
        """, ct, [Text(d.ModelId), Text(d.ModelName), Json(d.LitellmParamsJson), Json(d.ModelInfoJson), Time(d.CreatedAt), Time(d.UpdatedAt)]), ct);

    public async Task<bool> DeleteDeploymentAsync(string modelId, CancellationToken ct)
        => await DirectoryWriteAsync((c, tx) => ExecAsync(c, tx, "DELETE FROM deployments WHERE model_id = $1", ct, modelId), ct) > 0;
}
