using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using NpgsqlTypes;
using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Postgres;

/// <summary>
/// The shared store: PostgreSQL for every replica (docs/scaling.md, "Shared store"). Same contract as the SQLite store;
/// migrations run under an advisory lock so replicas starting together migrate once; spend batches are one idempotent
/// statement each; key and tenant writes move a directory version and NOTIFY, so other replicas reload their keys.
/// </summary>
public sealed partial class PostgresGatewayStore : ISharedGatewayStore
{
    private readonly NpgsqlDataSource _db;
    private readonly string _listenConnectionString;

    /// <exception cref="StoreUnavailableException">The URL or connection string is malformed.</exception>
    public PostgresGatewayStore(string databaseUrl)
    {
        var builder = PostgresConnectionString.Parse(databaseUrl);
        Description = PostgresConnectionString.Describe(builder);
        _db = NpgsqlDataSource.Create(builder.ConnectionString);

        // LISTEN needs a connection of its own for as long as the store lives: outside the pool, with keepalives so that
        // a silently dropped one is noticed while it waits.
        var listen = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false, KeepAlive = 15 };
        _listenConnectionString = listen.ConnectionString;
    }

    /// <summary>host:port/database (no credentials), as messages name this store.</summary>
    public string Description { get; }

    public async Task InitializeAsync(CancellationToken ct)
    {
        try
        {
            await using var c = await _db.OpenConnectionAsync(ct);
            await ExecAsync(c, null, "SELECT pg_advisory_lock($1)", ct, PostgresMigrations.LockKey);
            try
            {
                await ExecAsync(c, null, PostgresMigrations.CreateVersionTable, ct);
                var version = await VersionAsync(c, ct);
                if (version > PostgresMigrations.Steps.Length)
                {
                    throw new StoreUnavailableException($"the database {Description} has schema version {version}, newer than this Switchyard knows ({PostgresMigrations.Steps.Length})");
                }

                for (var v = version; v < PostgresMigrations.Steps.Length; v++)
                {
                    await using var tx = await c.BeginTransactionAsync(ct);
                    await ExecAsync(c, tx, PostgresMigrations.Steps[v], ct);
                    await ExecAsync(c, tx, "INSERT INTO schema_version (version) VALUES ($1)", ct, v + 1);
                    await tx.CommitAsync(ct);
                }
            }
            finally
            {
                if (c.FullState == System.Data.ConnectionState.Open)
                {
                    await ExecAsync(c, null, "SELECT pg_advisory_unlock($1)", CancellationToken.None, PostgresMigrations.LockKey);
                }
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new StoreUnavailableException($"cannot open the PostgreSQL store at {Description}: {e.Message}", e);
        }
    }

    public async Task<int> SchemaVersionAsync(CancellationToken ct)
    {
        await using var c = await _db.OpenConnectionAsync(ct);
        return await VersionAsync(c, ct);
    }

    public async Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("SELECT tenant_id, alias, models, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, alias_limits, spend_nanos, budget_reset_at, metadata, blocked, source, created_at, model_aliases FROM tenants ORDER BY tenant_id");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TenantRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new TenantRecord
            {
                TenantId = r.GetString(0),
                Alias = NullableString(r, 1),
                Models = StoreColumns.ReadList(r.GetString(2)),
                Limits = ReadLimits(r, 3),
                AliasLimits = StoreColumns.ReadAliasLimits(r.GetString(9)),
                Spend = Money.FromNanos(r.GetInt64(10)),
                BudgetResetAt = NullableTime(r, 11),
                MetadataJson = NullableString(r, 12),
                Blocked = r.GetBoolean(13),
                Source = r.GetString(14),
                CreatedAt = r.GetFieldValue<DateTimeOffset>(15),
                ModelAliases = StoreColumns.ReadAliases(r.GetString(16)),
            });
        }

        return list;
    }

    /// <summary>Inserts or updates a tenant; on update, spend and budget_reset_at are left alone (as the SQLite store does).</summary>
    public Task UpsertTenantAsync(TenantRecord t, CancellationToken ct) => DirectoryWriteAsync((c, tx) => RunAsync(c, tx, """
        INSERT INTO tenants (tenant_id, alias, models, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, alias_limits, spend_nanos, budget_reset_at, metadata, blocked, source, created_at, model_aliases)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
        ON CONFLICT (tenant_id) DO UPDATE SET alias = EXCLUDED.alias, models = EXCLUDED.models, rpm = EXCLUDED.rpm, tpm = EXCLUDED.tpm,
          max_parallel = EXCLUDED.max_parallel, max_budget_nanos = EXCLUDED.max_budget_nanos, soft_budget_nanos = EXCLUDED.soft_budget_nanos,
          budget_duration = EXCLUDED.budget_duration, alias_limits = EXCLUDED.alias_limits, metadata = EXCLUDED.metadata,
          blocked = EXCLUDED.blocked, source = EXCLUDED.source, model_aliases = EXCLUDED.model_aliases
        """, ct, [
            Text(t.TenantId), Text(t.Alias), Json(StoreColumns.WriteList(t.Models)), .. Limits(t.Limits),
            Json(StoreColumns.WriteAliasLimits(t.AliasLimits)), Int64(Money.ToNanos(t.Spend)), Time(t.BudgetResetAt), Text(t.MetadataJson),
            Bool(t.Blocked), Text(t.Source), Time(t.CreatedAt), Json(StoreColumns.WriteAliases(t.ModelAliases)),
        ]), ct);

    public async Task<bool> DeleteTenantAsync(string tenantId, CancellationToken ct)
        => await DirectoryWriteAsync((c, tx) => ExecAsync(c, tx, "DELETE FROM tenants WHERE tenant_id = $1", ct, tenantId), ct) > 0;

    public async Task<IReadOnlyList<KeyRecord>> ListKeysAsync(CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("SELECT token_hash, key_name, key_alias, tenant_id, models, scopes, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, spend_nanos, budget_reset_at, expires_at, revoked, grace_until, rotated_from, metadata, created_at, aliases, user_id FROM keys ORDER BY created_at, token_hash");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<KeyRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new KeyRecord
            {
                TokenHash = r.GetString(0),
                KeyName = r.GetString(1),
                KeyAlias = NullableString(r, 2),
                TenantId = NullableString(r, 3),
                Models = StoreColumns.ReadList(r.GetString(4)),
                Scopes = StoreColumns.ReadList(r.GetString(5)),
                Limits = ReadLimits(r, 6),
                Spend = Money.FromNanos(r.GetInt64(12)),
                BudgetResetAt = NullableTime(r, 13),
                ExpiresAt = NullableTime(r, 14),
                Revoked = r.GetBoolean(15),
                GraceUntil = NullableTime(r, 16),
                RotatedFrom = NullableString(r, 17),
                MetadataJson = NullableString(r, 18),
                CreatedAt = r.GetFieldValue<DateTimeOffset>(19),
                Aliases = StoreColumns.ReadAliases(r.GetString(20)),
                UserId = NullableString(r, 21),
            });
        }

        return list;
    }

    /// <summary>Inserts or updates a key; on update, spend and budget_reset_at are left alone.</summary>
    public Task UpsertKeyAsync(KeyRecord k, CancellationToken ct) => DirectoryWriteAsync((c, tx) => RunAsync(c, tx, """
        INSERT INTO keys (token_hash, key_name, key_alias, tenant_id, models, scopes, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, spend_nanos, budget_reset_at, expires_at, revoked, grace_until, rotated_from, metadata, created_at, aliases, user_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
        ON CONFLICT (token_hash) DO UPDATE SET key_name = EXCLUDED.key_name, key_alias = EXCLUDED.key_alias, tenant_id = EXCLUDED.tenant_id,
          models = EXCLUDED.models, scopes = EXCLUDED.scopes, rpm = EXCLUDED.rpm, tpm = EXCLUDED.tpm, max_parallel = EXCLUDED.max_parallel,
          max_budget_nanos = EXCLUDED.max_budget_nanos, soft_budget_nanos = EXCLUDED.soft_budget_nanos, budget_duration = EXCLUDED.budget_duration,
          expires_at = EXCLUDED.expires_at, revoked = EXCLUDED.revoked, grace_until = EXCLUDED.grace_until, rotated_from = EXCLUDED.rotated_from,
          metadata = EXCLUDED.metadata, aliases = EXCLUDED.aliases, user_id = EXCLUDED.user_id
        """, ct, [
            Text(k.TokenHash), Text(k.KeyName), Text(k.KeyAlias), Text(k.TenantId), Json(StoreColumns.WriteList(k.Models)), Json(StoreColumns.WriteList(k.Scopes)),
            .. Limits(k.Limits), Int64(Money.ToNanos(k.Spend)), Time(k.BudgetResetAt), Time(k.ExpiresAt), Bool(k.Revoked), Time(k.GraceUntil),
            Text(k.RotatedFrom), Text(k.MetadataJson), Time(k.CreatedAt), Json(StoreColumns.WriteAliases(k.Aliases)), Text(k.UserId),
        ]), ct);

    public async Task<bool> DeleteKeyAsync(string tokenHash, CancellationToken ct)
        => await DirectoryWriteAsync((c, tx) => ExecAsync(c, tx, "DELETE FROM keys WHERE token_hash = $1", ct, tokenHash), ct) > 0;

    public async Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("SELECT user_id, user_email, user_role, teams, models, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, spend_nanos, budget_reset_at, metadata, created_at FROM users ORDER BY created_at, user_id");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<UserRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new UserRecord
            {
                UserId = r.GetString(0),
                UserEmail = NullableString(r, 1),
                UserRole = r.GetString(2),
                Teams = StoreColumns.ReadTeams(r.GetString(3)),
                Models = StoreColumns.ReadList(r.GetString(4)),
                Limits = ReadLimits(r, 5),
                Spend = Money.FromNanos(r.GetInt64(11)),
                BudgetResetAt = NullableTime(r, 12),
                MetadataJson = NullableString(r, 13),
                CreatedAt = r.GetFieldValue<DateTimeOffset>(14),
            });
        }

        return list;
    }

    /// <summary>Inserts or updates a user; on update, spend and budget_reset_at are left alone.</summary>
    public Task UpsertUserAsync(UserRecord u, CancellationToken ct) => DirectoryWriteAsync((c, tx) => RunAsync(c, tx, """
        INSERT INTO users (user_id, user_email, user_role, teams, models, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, spend_nanos, budget_reset_at, metadata, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (user_id) DO UPDATE SET user_email = EXCLUDED.user_email, user_role = EXCLUDED.user_role, teams = EXCLUDED.teams,
          models = EXCLUDED.models, rpm = EXCLUDED.rpm, tpm = EXCLUDED.tpm, max_parallel = EXCLUDED.max_parallel,
          max_budget_nanos = EXCLUDED.max_budget_nanos, soft_budget_nanos = EXCLUDED.soft_budget_nanos, budget_duration = EXCLUDED.budget_duration,
          metadata = EXCLUDED.metadata
        """, ct, [
            Text(u.UserId), Text(u.UserEmail), Text(u.UserRole), Json(StoreColumns.WriteTeams(u.Teams)), Json(StoreColumns.WriteList(u.Models)),
            .. Limits(u.Limits), Int64(Money.ToNanos(u.Spend)), Time(u.BudgetResetAt), Text(u.MetadataJson), Time(u.CreatedAt),
        ]), ct);

    public async Task<bool> DeleteUserAsync(string userId, CancellationToken ct)
        => await DirectoryWriteAsync((c, tx) => ExecAsync(c, tx, "DELETE FROM users WHERE user_id = $1", ct, userId), ct) > 0;

    public async Task ResetBudgetAsync(string kind, string id, DateTimeOffset nextReset, CancellationToken ct)
    {
        var sql = kind switch
        {
            "tenant" => "UPDATE tenants SET spend_nanos = 0, budget_reset_at = $2 WHERE tenant_id = $1",
            "user" => "UPDATE users SET spend_nanos = 0, budget_reset_at = $2 WHERE user_id = $1",
            _ => "UPDATE keys SET spend_nanos = 0, budget_reset_at = $2 WHERE token_hash = $1",
        };
        await using var cmd = _db.CreateCommand(sql);
        cmd.Parameters.Add(Text(id));
        cmd.Parameters.Add(Time(nextReset));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A round trip on a pooled connection, bounded so that a readiness probe never hangs on a dead server.</summary>
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await using var cmd = _db.CreateCommand("SELECT 1");
            return await cmd.ExecuteScalarAsync(bound.Token) is 1;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is { } listener)
        {
            _listener = null;
            await listener.DisposeAsync();
        }

        await _db.DisposeAsync();
    }

    /// <summary>A key, tenant or user write and the directory version bump, in one transaction; NOTIFY is delivered on commit.</summary>
    private async Task<T> DirectoryWriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var c = await _db.OpenConnectionAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var result = await work(c, tx);
        await ExecAsync(c, tx, $"WITH b AS (UPDATE directory_version SET version = version + 1 WHERE id = 1 RETURNING version) SELECT pg_notify('{PostgresMigrations.DirectoryChannel}', version::text) FROM b", ct);
        await tx.CommitAsync(ct);
        return result;
    }

    private static async Task<int> VersionAsync(NpgsqlConnection c, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", c);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static Task<int> ExecAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, CancellationToken ct, params object[] args)
        => RunAsync(c, tx, sql, ct, args.Select(a => new NpgsqlParameter { Value = a }).ToArray());

    private static async Task<int> RunAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, CancellationToken ct, NpgsqlParameter[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, c, tx);
        cmd.Parameters.AddRange(args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter Typed(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    private static NpgsqlParameter Text(string? v) => Typed(v, NpgsqlDbType.Text);

    private static NpgsqlParameter Json(string v) => Typed(v, NpgsqlDbType.Jsonb);

    private static NpgsqlParameter Int32(int? v) => Typed(v, NpgsqlDbType.Integer);

    private static NpgsqlParameter Int64(long? v) => Typed(v, NpgsqlDbType.Bigint);

    private static NpgsqlParameter Bool(bool v) => Typed(v, NpgsqlDbType.Boolean);

    private static NpgsqlParameter Time(DateTimeOffset? v) => Typed(v?.ToUniversalTime(), NpgsqlDbType.TimestampTz);

    private static NpgsqlParameter[] Limits(Limits l) =>
    [
        Int32(l.Rpm), Int32(l.Tpm), Int32(l.MaxParallelRequests),
        Int64(l.MaxBudget is { } m ? Money.ToNanos(m) : null), Int64(l.SoftBudget is { } s ? Money.ToNanos(s) : null),
        Text(l.BudgetDuration?.ToString()),
    ];

    private static Limits ReadLimits(NpgsqlDataReader r, int i) => new()
    {
        Rpm = r.IsDBNull(i) ? null : r.GetInt32(i),
        Tpm = r.IsDBNull(i + 1) ? null : r.GetInt32(i + 1),
        MaxParallelRequests = r.IsDBNull(i + 2) ? null : r.GetInt32(i + 2),
        MaxBudget = r.IsDBNull(i + 3) ? null : Money.FromNanos(r.GetInt64(i + 3)),
        SoftBudget = r.IsDBNull(i + 4) ? null : Money.FromNanos(r.GetInt64(i + 4)),
        BudgetDuration = !r.IsDBNull(i + 5) && BudgetDuration.TryParse(r.GetString(i + 5), out var d) ? d : null,
    };

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
}
