using Switchyard.Core.Tenancy;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Core;

public sealed class SqliteStoreTests
{
    [Fact]
    public async Task InitializeAsync_FreshFile_CreatesSchemaVersion2WithAllTables()
    {
        var path = GatewayFixture.NewSqlitePath();
        await using (var store = new SqliteGatewayStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
            Assert.Equal(2, await store.SchemaVersionAsync(CancellationToken.None));
            Assert.True(await store.PingAsync(CancellationToken.None));
        }

        using var c = GatewayApi.OpenSqlite(path);
        Assert.Equal(2, c.Scalar("SELECT COUNT(*) FROM schema_version")); // one row per migration
        foreach (var table in new[] { "tenants", "keys", "spend_logs", "responses" })
        {
            Assert.Equal(1, c.Scalar($"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"));
        }

        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)cmd.ExecuteScalar());
    }

    [Fact]
    public async Task InitializeAsync_Reopened_DoesNotRerunMigrationsAndKeepsData()
    {
        var path = GatewayFixture.NewSqlitePath();
        var hash = GatewayApi.Sha256Hex("sk-reopen");
        await using (var store = new SqliteGatewayStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
            await store.UpsertTenantAsync(new TenantRecord { TenantId = "acme", Limits = new Limits { Rpm = 5 } }, CancellationToken.None);
            await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...open", TenantId = "acme" }, CancellationToken.None);
            await store.AppendSpendAsync([new SpendRecord { RequestId = "r1", CorrelationId = "c1", TenantId = "acme", TokenHash = hash, Alias = "chat", Cost = 0.5m, Status = 200 }], CancellationToken.None);
        }

        await using (var again = new SqliteGatewayStore(path))
        {
            await again.InitializeAsync(CancellationToken.None);
            await again.InitializeAsync(CancellationToken.None);
            Assert.Equal(2, await again.SchemaVersionAsync(CancellationToken.None));
            var tenant = Assert.Single(await again.ListTenantsAsync(CancellationToken.None));
            Assert.Equal((5, 0.5m), (tenant.Limits.Rpm, tenant.Spend));
            Assert.Equal(0.5m, Assert.Single(await again.ListKeysAsync(CancellationToken.None)).Spend);
            Assert.Single(await again.QuerySpendAsync(new SpendQuery(), CancellationToken.None));
        }

        using var c = GatewayApi.OpenSqlite(path);
        Assert.Equal(2, c.Scalar("SELECT COUNT(*) FROM schema_version")); // one row per migration
    }

    [Fact]
    public async Task InitializeAsync_DatabaseFromNewerVersion_RefusedWithClearError()
    {
        var path = GatewayFixture.NewSqlitePath();
        await using (var store = new SqliteGatewayStore(path))
        {
            await store.InitializeAsync(CancellationToken.None);
        }

        using (var c = GatewayApi.OpenSqlite(path, readOnly: false))
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO schema_version (version) VALUES (3); CREATE TABLE from_the_future (x INTEGER);";
            cmd.ExecuteNonQuery();
        }

        await using var newer = new SqliteGatewayStore(path);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => newer.InitializeAsync(CancellationToken.None));
        Assert.Contains("schema version 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("newer than this Switchyard knows (2)", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(path), e.Message, StringComparison.Ordinal);
        Assert.Equal(3, await newer.SchemaVersionAsync(CancellationToken.None)); // left as it was
    }

    [Fact]
    public async Task UpsertAsync_ExistingKeyAndTenant_DoesNotOverwriteRunningSpendOrResetTime()
    {
        var path = GatewayFixture.NewSqlitePath();
        var hash = GatewayApi.Sha256Hex("sk-upsert");
        var reset = new DateTimeOffset(2030, 2, 1, 0, 0, 0, TimeSpan.Zero);
        await using var store = new SqliteGatewayStore(path);
        await store.InitializeAsync(CancellationToken.None);
        var tenant = new TenantRecord { TenantId = "acme" };
        var key = new KeyRecord { TokenHash = hash, KeyName = "sk-...sert", TenantId = "acme" };
        await store.UpsertTenantAsync(tenant, CancellationToken.None);
        await store.UpsertKeyAsync(key, CancellationToken.None);
        await store.AppendSpendAsync([new SpendRecord { RequestId = "r1", CorrelationId = "c1", TenantId = "acme", TokenHash = hash, Alias = "chat", Cost = 0.25m, Status = 200 }], CancellationToken.None);
        await store.ResetBudgetAsync("key", hash, reset, CancellationToken.None);
        await store.AppendSpendAsync([new SpendRecord { RequestId = "r2", CorrelationId = "c2", TenantId = "acme", TokenHash = hash, Alias = "chat", Cost = 0.125m, Status = 200 }], CancellationToken.None);

        // an admin update carries the record as it was loaded (spend 0, no reset time)
        await store.UpsertKeyAsync(key with { KeyAlias = "renamed", Limits = new Limits { Rpm = 3 } }, CancellationToken.None);
        await store.UpsertTenantAsync(tenant with { Alias = "Acme" }, CancellationToken.None);

        var k = Assert.Single(await store.ListKeysAsync(CancellationToken.None));
        Assert.Equal(("renamed", 3, 0.125m, reset), (k.KeyAlias, k.Limits.Rpm, k.Spend, k.BudgetResetAt));
        var t = Assert.Single(await store.ListTenantsAsync(CancellationToken.None));
        Assert.Equal(("Acme", 0.375m), (t.Alias, t.Spend));
    }
}
