using Switchyard.Core.Tenancy;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Core;

/// <summary>The store contract on the embedded SQLite file, and what only SQLite has (WAL).</summary>
public sealed class SqliteStoreTests : GatewayStoreContractTests
{
    protected override int CurrentSchemaVersion => 5;

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
