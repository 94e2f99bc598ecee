namespace Switchyard.Core.Tenancy;

/// <summary>
/// Durable state: tenants, token hashes and spend. The embedded default is SQLite; a PostgreSQL implementation
/// satisfies the same contract for several replicas. Nothing here is called on the request hot path: tokens and
/// limits are served from memory, spend is written in batches.
/// </summary>
public interface IGatewayStore : IAsyncDisposable
{
    /// <summary>Creates the database if needed and applies pending schema migrations.</summary>
    Task InitializeAsync(CancellationToken ct);

    Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken ct);

    Task UpsertTenantAsync(TenantRecord tenant, CancellationToken ct);

    Task<bool> DeleteTenantAsync(string tenantId, CancellationToken ct);

    Task<IReadOnlyList<KeyRecord>> ListKeysAsync(CancellationToken ct);

    Task UpsertKeyAsync(KeyRecord key, CancellationToken ct);

    Task<bool> DeleteKeyAsync(string tokenHash, CancellationToken ct);

    /// <summary>Deployments stored through /model/new, by model id (credentials as stored: encrypted).</summary>
    Task<IReadOnlyList<StoredDeployment>> ListDeploymentsAsync(CancellationToken ct);

    /// <summary>Inserts or replaces a stored deployment (created_at is kept on replace).</summary>
    Task UpsertDeploymentAsync(StoredDeployment deployment, CancellationToken ct);

    /// <summary>Deletes a stored deployment; false when there was none with this id.</summary>
    Task<bool> DeleteDeploymentAsync(string modelId, CancellationToken ct);

    Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken ct);

    /// <summary>Inserts or updates a user; on update, spend and budget period are left alone (as for keys and tenants).</summary>
    Task UpsertUserAsync(UserRecord user, CancellationToken ct);

    Task<bool> DeleteUserAsync(string userId, CancellationToken ct);

    /// <summary>Appends spend rows and adds their cost to the keys', tenants' and users' running spend, in one transaction.</summary>
    Task AppendSpendAsync(IReadOnlyList<SpendRecord> batch, CancellationToken ct);

    /// <summary>Persists a budget period reset (spend back to zero, next reset time).</summary>
    Task ResetBudgetAsync(string kind, string id, DateTimeOffset nextReset, CancellationToken ct);

    Task<IReadOnlyList<SpendRecord>> QuerySpendAsync(SpendQuery query, CancellationToken ct);

    /// <summary>
    /// Spend rows matching <paramref name="query"/> (its limit aside) summed per day, tenant, token, alias and model.
    /// This default sums up to 100,000 rows in memory; a store that can group in its query overrides it.
    /// </summary>
    async Task<IReadOnlyList<SpendTotal>> SummarizeSpendAsync(SpendQuery query, CancellationToken ct)
        => SpendTotal.Of(await QuerySpendAsync(query with { Limit = 100_000 }, ct));

    /// <summary>
    /// Spend rows summed per model, tenant, alias or UTC day in the database (never in memory), one page of groups
    /// ordered by spend (by day: newest first), with the number of groups in all.
    /// </summary>
    Task<Audit.Paged<SpendAggregate>> AggregateSpendAsync(SpendAggregateQuery query, CancellationToken ct);

    /// <summary>Appends audit rows; a row whose id is already stored is skipped (a retried batch adds nothing twice).</summary>
    Task AppendAuditAsync(IReadOnlyList<Audit.AuditRecord> batch, CancellationToken ct);

    /// <summary>One page of audit rows matching <paramref name="query"/>, newest first, with how many match in all.</summary>
    Task<Audit.Paged<Audit.AuditRecord>> QueryAuditAsync(Audit.AuditQuery query, CancellationToken ct);

    /// <summary>Deletes audit rows older than <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneAuditAsync(DateTimeOffset before, CancellationToken ct);

    /// <summary>Deletes spend log rows that started before <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneSpendAsync(DateTimeOffset before, CancellationToken ct);

    /// <summary>Keeps (or replaces) a Responses answer.</summary>
    Task SaveResponseAsync(StoredResponse response, CancellationToken ct);

    /// <summary>The tenant's stored response with this id, unless it expired by <paramref name="now"/>; null otherwise.</summary>
    Task<StoredResponse?> GetResponseAsync(string tenantId, string id, DateTimeOffset now, CancellationToken ct);

    /// <summary>Deletes the tenant's stored response; false when it had none with this id.</summary>
    Task<bool> DeleteResponseAsync(string tenantId, string id, CancellationToken ct);

    /// <summary>Deletes stored responses that expired by <paramref name="now"/>; returns how many.</summary>
    Task<int> PruneResponsesAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>A cheap round trip for health checks.</summary>
    Task<bool> PingAsync(CancellationToken ct);
}
