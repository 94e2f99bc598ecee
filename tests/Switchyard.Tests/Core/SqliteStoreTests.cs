using Switchyard.Core.Tenancy;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Core;

/// <summary>The store contract on the embedded SQLite file, and what only SQLite has (WAL).</summary>
public sealed class SqliteStoreTests : GatewayStoreContractTests
{
    protected override int CurrentSchemaVersion => Switchyard.Storage.Sqlite.SqliteMigrations.Steps.Length;

    protected override Task<string> NewLocationAsync() => Task.FromResult(GatewayFixture.NewSqlitePath());

    protected override IGatewayStore Open(string location) => new SqliteGatewayStore(location);

    protected override Task<int> SchemaVersionAsync(IGatewayStore store) => ((SqliteGatewayStore)store).SchemaVersionAsync(Ct);

    protected override Task<long> SqlAsync(string location, string sql)
    {
        using var c = GatewayApi.OpenSqlite(location, readOnly: false);
        return Task.FromResult(c.Scalar(sql));
    }

    protected override string CountTableSql(string table) => $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'";

    protected override string Describe(string location) => Path.GetFullPath(location);

    [Fact]
    public async Task InitializeAsync_FromVersion4_KeepsRowsUnderTheirIdAndReplaysDoNotDoubleThem()
    {
        var path = GatewayFixture.NewSqlitePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadWriteCreate;Pooling=False"))
        {
            c.Open();
            Exec(c, "CREATE TABLE schema_version (version INTEGER NOT NULL);");
            for (var v = 0; v < 4; v++)
            {
                Exec(c, SqliteMigrations.Steps[v] + $"; INSERT INTO schema_version (version) VALUES ({v + 1});");
            }

            Exec(c, "INSERT INTO keys (token_hash, key_name, created_at) VALUES ('" + GatewayApi.Sha256Hex("sk-old") + "', 'sk-...old', 0);");
            Exec(c, "INSERT INTO spend_logs (request_id, correlation_id, alias, prompt_tokens, completion_tokens, cost_nanos, status, latency_ms, start_time) VALUES ('0190aa', 'corr-1', 'chat', 1, 2, 500000000, 200, 1.5, 0);");
        }

        await using var store = new SqliteGatewayStore(path);
        await store.InitializeAsync(Ct);

        var row = Assert.Single(await store.QuerySpendAsync(new SpendQuery { RequestId = "0190aa" }, Ct));
        Assert.Equal(("0190aa", "0190aa", "corr-1", 0.5m), (row.RowId, row.RequestId, row.CorrelationId, row.Cost));
        Assert.Empty(Assert.Single(await store.ListKeysAsync(Ct)).Aliases);
        // a journal written before the upgrade replays its record (no row_id then: the row id is its request id)
        await store.AppendSpendAsync([new SpendRecord { RequestId = "0190aa", CorrelationId = "corr-1", Alias = "chat", Cost = 0.5m, Status = 200 }], Ct);
        Assert.Single(await store.QuerySpendAsync(new SpendQuery(), Ct));
    }

    private static void Exec(Microsoft.Data.Sqlite.SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public async Task InitializeAsync_FreshFile_UsesWriteAheadLog()
    {
        var path = GatewayFixture.NewSqlitePath();
        await using (var store = new SqliteGatewayStore(path))
        {
            await store.InitializeAsync(Ct);
        }

        using var c = GatewayApi.OpenSqlite(path);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)cmd.ExecuteScalar());
    }
}
