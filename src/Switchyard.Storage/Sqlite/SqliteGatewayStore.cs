using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Writes are serialized; spend arrives in batches from the
/// spend writer, never per request.
/// </summary>
public sealed partial class SqliteGatewayStore : IGatewayStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _write = new(1, 1);

    public SqliteGatewayStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Cache = SqliteCacheMode.Private, Pooling = true, DefaultTimeout = 10 }.ToString();
    }

    public string Path { get; }

    public async Task InitializeAsync(CancellationToken ct)
    {
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } dir)
        {
            CreatePrivateDirectory(dir);
        }

        CreatePrivateFile(Path);
        await using var c = await OpenAsync(ct);
        await ExecAsync(c, null, "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", ct);
        var version = Convert.ToInt32(await ScalarAsync(c, "SELECT COALESCE(MAX(version), 0) FROM schema_version", ct), CultureInfo.InvariantCulture);
        if (version > SqliteMigrations.Steps.Length)
        {
            throw new InvalidOperationException($"the database {Path} has schema version {version}, newer than this Switchyard knows ({SqliteMigrations.Steps.Length})");
        }

        for (var v = version; v < SqliteMigrations.Steps.Length; v++)
        {
            await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
            await ExecAsync(c, tx, SqliteMigrations.Steps[v], ct);
            await ExecAsync(c, tx, $"INSERT INTO schema_version (version) VALUES ({v + 1})", ct);
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>A new store folder is created 0700: only the service user reads token hashes and spend.</summary>
    private static void CreatePrivateDirectory(string dir)
    {
        if (Directory.Exists(dir))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
        }
        else
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// A new database file is created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the mode of
    /// the database file, so all three hold token hashes and spend for the service user alone.
    /// </summary>
    private static void CreatePrivateFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (File.Exists(path))
        {
            return;
        }

        try
        {
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // another process created it first; its mode is its creator's
        }
    }

    public async Task<int> SchemaVersionAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        return Convert.ToInt32(await ScalarAsync(c, "SELECT COALESCE(MAX(version), 0) FROM schema_version", ct), CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<TenantRecord>> ListTenantsAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT tenant_id, alias, models, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, alias_limits, spend_nanos, budget_reset_at, metadata, blocked, source, created_at, model_aliases FROM tenants ORDER BY tenant_id";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TenantRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new TenantRecord
            {
                TenantId = r.GetString(0),
                Alias = NullableString(r, 1),
                Models = JsonSerializer.Deserialize(r.GetString(2), StoreJson.Default.StringArray) ?? [],
                Limits = ReadLimits(r, 3),
                AliasLimits = JsonSerializer.Deserialize(r.GetString(9), StoreJson.Default.DictionaryStringAliasLimits) ?? [],
                Spend = Money.FromNanos(r.GetInt64(10)),
                BudgetResetAt = NullableTime(r, 11),
                MetadataJson = NullableString(r, 12),
                Blocked = r.GetInt64(13) != 0,
                Source = r.GetString(14),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(15)),
                ModelAliases = Postgres.StoreColumns.ReadAliases(r.GetString(16)),
            });
        }

        return list;
    }

    /// <summary>
    /// Inserts or updates a tenant. On update, spend and budget_reset_at are left alone: they are owned by
    /// <see cref="AppendSpendAsync"/> and <see cref="ResetBudgetAsync"/>, and the record an admin change carries holds
    /// the spend as it was loaded, not as it is.
    /// </summary>
    public Task UpsertTenantAsync(TenantRecord t, CancellationToken ct) => WriteAsync(async (c, tx) =>
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO tenants (tenant_id, alias, models, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, alias_limits, spend_nanos, budget_reset_at, metadata, blocked, source, created_at, model_aliases)
            VALUES ($id, $alias, $models, $rpm, $tpm, $par, $max, $soft, $dur, $al, $spend, $reset, $meta, $blocked, $source, $created, $aliases)
            ON CONFLICT (tenant_id) DO UPDATE SET alias = $alias, models = $models, rpm = $rpm, tpm = $tpm, max_parallel = $par,
              max_budget_nanos = $max, soft_budget_nanos = $soft, budget_duration = $dur, alias_limits = $al,
              metadata = $meta, blocked = $blocked, source = $source, model_aliases = $aliases
            """;
        var p = cmd.Parameters;
        p.AddWithValue("$id", t.TenantId);
        p.AddWithValue("$alias", (object?)t.Alias ?? DBNull.Value);
        p.AddWithValue("$models", JsonSerializer.Serialize(t.Models.ToArray(), StoreJson.Default.StringArray));
        AddLimits(p, t.Limits);
        p.AddWithValue("$al", JsonSerializer.Serialize(t.AliasLimits.ToDictionary(), StoreJson.Default.DictionaryStringAliasLimits));
        p.AddWithValue("$spend", Money.ToNanos(t.Spend));
        p.AddWithValue("$reset", Time(t.BudgetResetAt));
        p.AddWithValue("$meta", (object?)t.MetadataJson ?? DBNull.Value);
        p.AddWithValue("$blocked", t.Blocked ? 1 : 0);
        p.AddWithValue("$source", t.Source);
        p.AddWithValue("$created", t.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$aliases", Postgres.StoreColumns.WriteAliases(t.ModelAliases));
        await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public Task<bool> DeleteTenantAsync(string tenantId, CancellationToken ct) => WriteAsync(async (c, tx) =>
        await ExecAsync(c, tx, "DELETE FROM tenants WHERE tenant_id = $p0", ct, tenantId) > 0, ct);

    public async Task<IReadOnlyList<KeyRecord>> ListKeysAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT token_hash, key_name, key_alias, tenant_id, models, scopes, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, spend_nanos, budget_reset_at, expires_at, revoked, grace_until, rotated_from, metadata, created_at, aliases, user_id FROM keys ORDER BY created_at";
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
                Models = JsonSerializer.Deserialize(r.GetString(4), StoreJson.Default.StringArray) ?? [],
                Scopes = JsonSerializer.Deserialize(r.GetString(5), StoreJson.Default.StringArray) ?? [],
                Limits = ReadLimits(r, 6),
                Spend = Money.FromNanos(r.GetInt64(12)),
                BudgetResetAt = NullableTime(r, 13),
                ExpiresAt = NullableTime(r, 14),
                Revoked = r.GetInt64(15) != 0,
                GraceUntil = NullableTime(r, 16),
                RotatedFrom = NullableString(r, 17),
                MetadataJson = NullableString(r, 18),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(19)),
                Aliases = Postgres.StoreColumns.ReadAliases(r.GetString(20)),
                UserId = NullableString(r, 21),
            });
        }

        return list;
    }

    /// <summary>Inserts or updates a key; on update, spend and budget_reset_at are left alone (see <see cref="UpsertTenantAsync"/>).</summary>
    public Task UpsertKeyAsync(KeyRecord k, CancellationToken ct) => WriteAsync(async (c, tx) =>
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO keys (token_hash, key_name, key_alias, tenant_id, models, scopes, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, spend_nanos, budget_reset_at, expires_at, revoked, grace_until, rotated_from, metadata, created_at, aliases, user_id)
            VALUES ($id, $name, $alias, $tenant, $models, $scopes, $rpm, $tpm, $par, $max, $soft, $dur, $spend, $reset, $exp, $revoked, $grace, $from, $meta, $created, $aliases, $user)
            ON CONFLICT (token_hash) DO UPDATE SET key_name = $name, key_alias = $alias, tenant_id = $tenant, models = $models, scopes = $scopes,
              rpm = $rpm, tpm = $tpm, max_parallel = $par, max_budget_nanos = $max, soft_budget_nanos = $soft, budget_duration = $dur,
              expires_at = $exp, revoked = $revoked, grace_until = $grace, rotated_from = $from, metadata = $meta, aliases = $aliases, user_id = $user
            """;
        var p = cmd.Parameters;
        p.AddWithValue("$id", k.TokenHash);
        p.AddWithValue("$name", k.KeyName);
        p.AddWithValue("$alias", (object?)k.KeyAlias ?? DBNull.Value);
        p.AddWithValue("$tenant", (object?)k.TenantId ?? DBNull.Value);
        p.AddWithValue("$models", JsonSerializer.Serialize(k.Models.ToArray(), StoreJson.Default.StringArray));
        p.AddWithValue("$scopes", JsonSerializer.Serialize(k.Scopes.ToArray(), StoreJson.Default.StringArray));
        AddLimits(p, k.Limits);
        p.AddWithValue("$spend", Money.ToNanos(k.Spend));
        p.AddWithValue("$reset", Time(k.BudgetResetAt));
        p.AddWithValue("$exp", Time(k.ExpiresAt));
        p.AddWithValue("$revoked", k.Revoked ? 1 : 0);
        p.AddWithValue("$grace", Time(k.GraceUntil));
        p.AddWithValue("$from", (object?)k.RotatedFrom ?? DBNull.Value);
        p.AddWithValue("$meta", (object?)k.MetadataJson ?? DBNull.Value);
        p.AddWithValue("$created", k.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$aliases", Postgres.StoreColumns.WriteAliases(k.Aliases));
        p.AddWithValue("$user", (object?)k.UserId ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public Task<bool> DeleteKeyAsync(string tokenHash, CancellationToken ct) => WriteAsync(async (c, tx) =>
        await ExecAsync(c, tx, "DELETE FROM keys WHERE token_hash = $p0", ct, tokenHash) > 0, ct);

    public async Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT user_id, user_email, user_role, teams, models, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, spend_nanos, budget_reset_at, metadata, created_at FROM users ORDER BY created_at, user_id";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<UserRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new UserRecord
            {
                UserId = r.GetString(0),
                UserEmail = NullableString(r, 1),
                UserRole = r.GetString(2),
                Teams = JsonSerializer.Deserialize(r.GetString(3), StoreJson.Default.DictionaryStringString) ?? [],
                Models = JsonSerializer.Deserialize(r.GetString(4), StoreJson.Default.StringArray) ?? [],
                Limits = ReadLimits(r, 5),
                Spend = Money.FromNanos(r.GetInt64(11)),
                BudgetResetAt = NullableTime(r, 12),
                MetadataJson = NullableString(r, 13),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(14)),
            });
        }

        return list;
    }

    /// <summary>Inserts or updates a user; on update, spend and budget_reset_at are left alone (see <see cref="UpsertTenantAsync"/>).</summary>
    public Task UpsertUserAsync(UserRecord u, CancellationToken ct) => WriteAsync(async (c, tx) =>
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO users (user_id, user_email, user_role, teams, models, rpm, tpm, max_parallel, max_budget_nanos, soft_budget_nanos, budget_duration, spend_nanos, budget_reset_at, metadata, created_at)
            VALUES ($id, $email, $role, $teams, $models, $rpm, $tpm, $par, $max, $soft, $dur, $spend, $reset, $meta, $created)
            ON CONFLICT (user_id) DO UPDATE SET user_email = $email, user_role = $role, teams = $teams, models = $models, rpm = $rpm, tpm = $tpm,
              max_parallel = $par, max_budget_nanos = $max, soft_budget_nanos = $soft, budget_duration = $dur, metadata = $meta
            """;
        var p = cmd.Parameters;
        p.AddWithValue("$id", u.UserId);
        p.AddWithValue("$email", (object?)u.UserEmail ?? DBNull.Value);
        p.AddWithValue("$role", u.UserRole);
        p.AddWithValue("$teams", JsonSerializer.Serialize(u.Teams.ToDictionary(StringComparer.Ordinal), StoreJson.Default.DictionaryStringString));
        p.AddWithValue("$models", JsonSerializer.Serialize(u.Models.ToArray(), StoreJson.Default.StringArray));
        AddLimits(p, u.Limits);
        p.AddWithValue("$spend", Money.ToNanos(u.Spend));
        p.AddWithValue("$reset", Time(u.BudgetResetAt));
        p.AddWithValue("$meta", (object?)u.MetadataJson ?? DBNull.Value);
        p.AddWithValue("$created", u.CreatedAt.ToUnixTimeMilliseconds());
        await cmd.ExecuteNonQueryAsync(ct);
    }, ct);

    public Task<bool> DeleteUserAsync(string userId, CancellationToken ct) => WriteAsync(async (c, tx) =>
        await ExecAsync(c, tx, "DELETE FROM users WHERE user_id = $p0", ct, userId) > 0, ct);

    private static readonly string[] SpendParameters = ["$row", "$rid", "$cid", "$tenant", "$token", "$alias", "$dep", "$fam", "$model", "$pt", "$ct", "$cost", "$status", "$lat", "$start", "$user"];

    public Task AppendSpendAsync(IReadOnlyList<SpendRecord> batch, CancellationToken ct) => WriteAsync(async (c, tx) =>
    {
        await using var insert = c.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT OR IGNORE INTO spend_logs (row_id, request_id, correlation_id, tenant_id, token_hash, alias, deployment, provider_family, model, prompt_tokens, completion_tokens, cost_nanos, status, latency_ms, start_time, user_id)
            VALUES ($row, $rid, $cid, $tenant, $token, $alias, $dep, $fam, $model, $pt, $ct, $cost, $status, $lat, $start, $user)
            """;
        foreach (var n in SpendParameters)
        {
            insert.Parameters.Add(new SqliteParameter(n, null));
        }

        await using var keySpend = c.CreateCommand();
        keySpend.Transaction = tx;
        keySpend.CommandText = "UPDATE keys SET spend_nanos = spend_nanos + $c WHERE token_hash = $id";
        keySpend.Parameters.Add(new SqliteParameter("$c", 0L));
        keySpend.Parameters.Add(new SqliteParameter("$id", ""));
        await using var tenantSpend = c.CreateCommand();
        tenantSpend.Transaction = tx;
        tenantSpend.CommandText = "UPDATE tenants SET spend_nanos = spend_nanos + $c WHERE tenant_id = $id";
        tenantSpend.Parameters.Add(new SqliteParameter("$c", 0L));
        tenantSpend.Parameters.Add(new SqliteParameter("$id", ""));
        await using var userSpend = c.CreateCommand();
        userSpend.Transaction = tx;
        userSpend.CommandText = "UPDATE users SET spend_nanos = spend_nanos + $c WHERE user_id = $id";
        userSpend.Parameters.Add(new SqliteParameter("$c", 0L));
        userSpend.Parameters.Add(new SqliteParameter("$id", ""));

        foreach (var s in batch)
        {
            object?[] values = [s.RowId, s.RequestId, s.CorrelationId, s.TenantId, s.TokenHash, s.Alias, s.Deployment, s.ProviderFamily, s.Model, s.PromptTokens, s.CompletionTokens, Money.ToNanos(s.Cost), s.Status, s.LatencyMs, s.StartTime.ToUnixTimeMilliseconds(), s.UserId];
            for (var i = 0; i < values.Length; i++)
            {
                insert.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            if (await insert.ExecuteNonQueryAsync(ct) == 0 || s.Cost == 0)
            {
                continue; // a row already stored (the same row id) is not counted twice
            }

            if (s.TokenHash is not null)
            {
                keySpend.Parameters[0].Value = Money.ToNanos(s.Cost);
                keySpend.Parameters[1].Value = s.TokenHash;
                await keySpend.ExecuteNonQueryAsync(ct);
            }

            if (s.TenantId is not null)
            {
                tenantSpend.Parameters[0].Value = Money.ToNanos(s.Cost);
                tenantSpend.Parameters[1].Value = s.TenantId;
                await tenantSpend.ExecuteNonQueryAsync(ct);
            }

            if (s.UserId is not null)
            {
                userSpend.Parameters[0].Value = Money.ToNanos(s.Cost);
                userSpend.Parameters[1].Value = s.UserId;
                await userSpend.ExecuteNonQueryAsync(ct);
            }
        }
    }, ct);

    public Task ResetBudgetAsync(string kind, string id, DateTimeOffset nextReset, CancellationToken ct) => WriteAsync(async (c, tx) =>
    {
        var sql = kind switch
        {
            "tenant" => "UPDATE tenants SET spend_nanos = 0, budget_reset_at = $p1 WHERE tenant_id = $p0",
            "user" => "UPDATE users SET spend_nanos = 0, budget_reset_at = $p1 WHERE user_id = $p0",
            _ => "UPDATE keys SET spend_nanos = 0, budget_reset_at = $p1 WHERE token_hash = $p0",
        };
        await ExecAsync(c, tx, sql, ct, id, nextReset.ToUnixTimeMilliseconds());
    }, ct);

    public async Task<IReadOnlyList<SpendRecord>> QuerySpendAsync(SpendQuery q, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        var where = SpendFilter(cmd, q);
        cmd.CommandText = "SELECT request_id, correlation_id, tenant_id, token_hash, alias, deployment, provider_family, model, prompt_tokens, completion_tokens, cost_nanos, status, latency_ms, start_time, row_id, user_id FROM spend_logs"
            + where + " ORDER BY start_time DESC LIMIT $limit";
        cmd.Parameters.AddWithValue("$limit", Math.Clamp(q.Limit, 1, 100_000));
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
                StartTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(13)),
                RowId = r.GetString(14),
                UserId = NullableString(r, 15),
            });
        }

        return list;
    }

    public async Task<IReadOnlyList<SpendTotal>> SummarizeSpendAsync(SpendQuery q, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT start_time / 86400000 AS day, tenant_id, token_hash, alias, provider_family, model, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_nanos) FROM spend_logs"
            + SpendFilter(cmd, q) + " GROUP BY day, tenant_id, token_hash, alias, provider_family, model";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<SpendTotal>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new SpendTotal
            {
                Day = DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)r.GetInt64(0)),
                TenantId = NullableString(r, 1),
                TokenHash = NullableString(r, 2),
                Alias = r.GetString(3),
                ProviderFamily = NullableString(r, 4),
                Model = NullableString(r, 5),
                Requests = r.GetInt64(6),
                PromptTokens = r.GetInt64(7),
                CompletionTokens = r.GetInt64(8),
                Cost = Money.FromNanos(r.GetInt64(9)),
            });
        }

        return list;
    }

    /// <summary>The WHERE clause (with its leading space, or empty) for a spend query's filters, its parameters added to <paramref name="cmd"/>.</summary>
    private static string SpendFilter(SqliteCommand cmd, SpendQuery q)
    {
        var where = new List<string>();
        if (q.TenantId is not null)
        {
            where.Add("tenant_id = $tenant");
            cmd.Parameters.AddWithValue("$tenant", q.TenantId);
        }

        if (q.TokenHash is not null)
        {
            where.Add("token_hash = $token");
            cmd.Parameters.AddWithValue("$token", q.TokenHash);
        }

        if (q.RequestId is not null)
        {
            where.Add("request_id = $request");
            cmd.Parameters.AddWithValue("$request", q.RequestId);
        }

        if (q.CorrelationId is not null)
        {
            where.Add("correlation_id = $correlation");
            cmd.Parameters.AddWithValue("$correlation", q.CorrelationId);
        }

        if (q.UserId is not null)
        {
            where.Add("user_id = $user");
            cmd.Parameters.AddWithValue("$user", q.UserId);
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

        return where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
    }

    public Task<int> PruneSpendAsync(DateTimeOffset before, CancellationToken ct) => WriteAsync(
        (c, tx) => ExecAsync(c, tx, "DELETE FROM spend_logs WHERE start_time < $p0", ct, before.ToUnixTimeMilliseconds()), ct);

    public Task SaveResponseAsync(StoredResponse response, CancellationToken ct) => WriteAsync(
        (c, tx) => ExecAsync(c, tx, "INSERT OR REPLACE INTO responses (tenant_id, response_id, created_at, expires_at, response, conversation) VALUES ($p0, $p1, $p2, $p3, $p4, $p5)", ct,
            response.TenantId, response.Id, response.CreatedAt.ToUnixTimeMilliseconds(), response.ExpiresAt.ToUnixTimeMilliseconds(), response.Response, response.Conversation), ct);

    public async Task<StoredResponse?> GetResponseAsync(string tenantId, string id, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT created_at, expires_at, response, conversation FROM responses WHERE tenant_id = $t AND response_id = $id AND expires_at > $now";
        cmd.Parameters.AddWithValue("$t", tenantId);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }

        return new StoredResponse
        {
            Id = id,
            TenantId = tenantId,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)),
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
            Response = (byte[])r.GetValue(2),
            Conversation = (byte[])r.GetValue(3),
        };
    }

    public async Task<bool> DeleteResponseAsync(string tenantId, string id, CancellationToken ct) => await WriteAsync(
        (c, tx) => ExecAsync(c, tx, "DELETE FROM responses WHERE tenant_id = $p0 AND response_id = $p1", ct, tenantId, id), ct) > 0;

    public Task<int> PruneResponsesAsync(DateTimeOffset now, CancellationToken ct) => WriteAsync(
        (c, tx) => ExecAsync(c, tx, "DELETE FROM responses WHERE expires_at <= $p0", ct, now.ToUnixTimeMilliseconds()), ct);

    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            await using var c = await OpenAsync(ct);
            return Convert.ToInt64(await ScalarAsync(c, "SELECT 1", ct), CultureInfo.InvariantCulture) == 1;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _write.Dispose();
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
        await cmd.ExecuteNonQueryAsync(ct);
        return c;
    }

    private async Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken ct)
        => await WriteAsync<bool>(async (c, tx) =>
        {
            await work(c, tx);
            return true;
        }, ct);

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await _write.WaitAsync(ct);
        try
        {
            await using var c = await OpenAsync(ct);
            await using var tx = (SqliteTransaction)await c.BeginTransactionAsync(ct);
            var result = await work(c, tx);
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            _write.Release();
        }
    }

    private static async Task<int> ExecAsync(SqliteConnection c, SqliteTransaction? tx, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        for (var i = 0; i < args.Length; i++)
        {
            cmd.Parameters.AddWithValue("$p" + i.ToString(CultureInfo.InvariantCulture), args[i]);
        }

        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync(ct);
    }

    private static void AddLimits(SqliteParameterCollection p, Limits l)
    {
        p.AddWithValue("$rpm", l.Rpm is { } rpm ? rpm : DBNull.Value);
        p.AddWithValue("$tpm", l.Tpm is { } tpm ? tpm : DBNull.Value);
        p.AddWithValue("$par", l.MaxParallelRequests is { } par ? par : DBNull.Value);
        p.AddWithValue("$max", l.MaxBudget is { } m ? Money.ToNanos(m) : DBNull.Value);
        p.AddWithValue("$soft", l.SoftBudget is { } s ? Money.ToNanos(s) : DBNull.Value);
        p.AddWithValue("$dur", (object?)l.BudgetDuration?.ToString() ?? DBNull.Value);
    }

    private static Limits ReadLimits(SqliteDataReader r, int i) => new()
    {
        Rpm = r.IsDBNull(i) ? null : r.GetInt32(i),
        Tpm = r.IsDBNull(i + 1) ? null : r.GetInt32(i + 1),
        MaxParallelRequests = r.IsDBNull(i + 2) ? null : r.GetInt32(i + 2),
        MaxBudget = r.IsDBNull(i + 3) ? null : Money.FromNanos(r.GetInt64(i + 3)),
        SoftBudget = r.IsDBNull(i + 4) ? null : Money.FromNanos(r.GetInt64(i + 4)),
        BudgetDuration = !r.IsDBNull(i + 5) && BudgetDuration.TryParse(r.GetString(i + 5), out var d) ? d : null,
    };

    private static string? NullableString(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? NullableTime(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static object Time(DateTimeOffset? t) => t is { } v ? v.ToUnixTimeMilliseconds() : DBNull.Value;
}
