using Npgsql;
using Switchyard.Core.Tenancy;
using Switchyard.Storage.Postgres;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Core;

/// <summary>
/// The store contract on a real PostgreSQL server (a fresh database per test), and what sharing one database between
/// replicas needs: migrations run once when several start together, spend batches that are idempotent under retries and
/// concurrent writers, and a directory version that moves (and is announced) with every key or tenant write.
/// </summary>
public sealed class PostgresStoreTests : GatewayStoreContractTests
{
    protected override int CurrentSchemaVersion => Switchyard.Storage.Postgres.PostgresMigrations.Steps.Length;

    protected override async Task<string> NewLocationAsync()
    {
        var server = await PostgresServer.GetAsync();
        return server.Url(await server.CreateDatabaseAsync());
    }

    protected override IGatewayStore Open(string location) => new PostgresGatewayStore(location);

    protected override Task<int> SchemaVersionAsync(IGatewayStore store) => ((PostgresGatewayStore)store).SchemaVersionAsync(Ct);

    protected override async Task<long> SqlAsync(string location, string sql)
    {
        var server = await PostgresServer.GetAsync();
        return Convert.ToInt64(await server.ScalarAsync(Database(location), sql), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override string CountTableSql(string table) => $"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '{table}'";

    protected override string Describe(string location) => new Uri(location).Authority.Split('@')[^1] + "/" + Database(location);

    private static string Database(string location) => new Uri(location).AbsolutePath.Trim('/');

    [Fact]
    public async Task InitializeAsync_SixReplicasStartingAtOnceOnAFreshDatabase_MigrateOnceAndAllWork()
    {
        var location = await NewLocationAsync();
        var stores = Enumerable.Range(0, 6).Select(_ => (PostgresGatewayStore)Open(location)).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync(Ct))));

            Assert.Equal(CurrentSchemaVersion, await SqlAsync(location, "SELECT COUNT(*) FROM schema_version"));
            Assert.Equal(1, await SqlAsync(location, "SELECT COUNT(*) FROM directory_version"));
            for (var i = 0; i < stores.Length; i++)
            {
                await stores[i].UpsertTenantAsync(new TenantRecord { TenantId = "t" + i }, Ct);
            }

            Assert.Equal(stores.Length, (await stores[0].ListTenantsAsync(Ct)).Count);
            Assert.Equal(stores.Length, await stores[^1].DirectoryVersionAsync(Ct));
        }
        finally
        {
            foreach (var s in stores)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AppendSpendAsync_SameBatchFromTwoReplicasAtOnce_StoresEachRowOnceAndCountsItsCostOnce()
    {
        var location = await NewLocationAsync();
        await using var a = (PostgresGatewayStore)Open(location);
        await using var b = (PostgresGatewayStore)Open(location);
        await a.InitializeAsync(Ct);
        await b.InitializeAsync(Ct);
        var hashes = Enumerable.Range(0, 5).Select(i => GatewayApi.Sha256Hex("sk-race-" + i)).ToArray();
        await a.UpsertTenantAsync(new TenantRecord { TenantId = "acme" }, Ct);
        foreach (var h in hashes)
        {
            await a.UpsertKeyAsync(new KeyRecord { TokenHash = h, KeyName = "sk-...race", TenantId = "acme" }, Ct);
        }

        // 500 rows (the default batch size), a thousandth of a dollar each, spread over five keys
        var batch = Enumerable.Range(0, 500).Select(i => Spend("req-" + i, hashes[i % 5], 0.001m)).ToArray();
        var reversed = batch.Reverse().ToArray();
        var inserted = await Task.WhenAll(Task.Run(() => a.AppendSpendCountAsync(batch, Ct)), Task.Run(() => b.AppendSpendCountAsync(reversed, Ct)));

        Assert.Equal(500, inserted.Sum());
        Assert.Equal(500, await SqlAsync(location, "SELECT COUNT(*) FROM spend_logs"));
        Assert.All(await a.ListKeysAsync(Ct), k => Assert.Equal(0.1m, k.Spend));
        Assert.Equal(0.5m, Assert.Single(await a.ListTenantsAsync(Ct)).Spend);
        Assert.Equal(0, await b.AppendSpendCountAsync(batch, Ct)); // and once more, after both committed
        Assert.Equal(0.5m, Assert.Single(await b.ListTenantsAsync(Ct)).Spend);
    }

    [Fact]
    public async Task AppendSpendAsync_CancelledWhileTheDatabaseHoldsIt_LeavesNothingAndTheRetryCountsOnce()
    {
        var location = await NewLocationAsync();
        var hash = GatewayApi.Sha256Hex("sk-timeout");
        await using var store = (PostgresGatewayStore)Open(location);
        await store.InitializeAsync(Ct);
        await store.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...eout", TenantId = "acme" }, Ct);

        // Another session holds the key's row, so the batch waits inside the database until the writer gives up on it.
        var server = await PostgresServer.GetAsync();
        await using (var holder = new NpgsqlConnection(server.ConnectionString(Database(location))))
        {
            await holder.OpenAsync();
            await using var tx = await holder.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand($"SELECT 1 FROM keys WHERE token_hash = '{hash}' FOR UPDATE", holder, tx))
            {
                await hold.ExecuteScalarAsync();
            }

            using var giveUp = new CancellationTokenSource();
            var append = store.AppendSpendAsync([Spend("r1", hash, 0.5m), Spend("r2", hash, 0.25m)], giveUp.Token);
            await GatewayApi.WaitUntilAsync(() => Waiting(server, location), "the batch to wait on the held row");
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => append);
            await tx.RollbackAsync();
        }

        Assert.Equal(0, await SqlAsync(location, "SELECT COUNT(*) FROM spend_logs"));
        await store.AppendSpendAsync([Spend("r1", hash, 0.5m), Spend("r2", hash, 0.25m)], Ct); // the writer's retry
        await store.AppendSpendAsync([Spend("r1", hash, 0.5m), Spend("r2", hash, 0.25m)], Ct); // and a journal replay
        Assert.Equal(2, await SqlAsync(location, "SELECT COUNT(*) FROM spend_logs"));
        Assert.Equal(0.75m, Assert.Single(await store.ListKeysAsync(Ct)).Spend);
    }

    [Fact]
    public async Task DirectoryVersion_MovesWithEveryKeyAndTenantWrite_NotWithSpendOrBudgetResets_AndIsAnnouncedToOtherReplicas()
    {
        var location = await NewLocationAsync();
        await using var writer = (PostgresGatewayStore)Open(location);
        await using var reader = (PostgresGatewayStore)Open(location);
        await writer.InitializeAsync(Ct);
        await reader.InitializeAsync(Ct);
        var hash = GatewayApi.Sha256Hex("sk-version");
        Assert.False(await reader.WaitForDirectoryChangeAsync(TimeSpan.FromMilliseconds(1), Ct)); // listening from here on
        var v0 = await reader.DirectoryVersionAsync(Ct);

        var announced = reader.WaitForDirectoryChangeAsync(TimeSpan.FromMinutes(2), Ct); // a bound against hanging
        await writer.UpsertKeyAsync(new KeyRecord { TokenHash = hash, KeyName = "sk-...sion" }, Ct);
        Assert.True(await announced);
        Assert.Equal(v0 + 1, await reader.DirectoryVersionAsync(Ct));

        await writer.AppendSpendAsync([Spend("r1", hash, 1m)], Ct);
        await writer.ResetBudgetAsync("key", hash, DateTimeOffset.UnixEpoch.AddYears(70), Ct);
        Assert.Equal(v0 + 1, await reader.DirectoryVersionAsync(Ct));

        await writer.UpsertTenantAsync(new TenantRecord { TenantId = "acme" }, Ct);
        await writer.DeleteKeyAsync(hash, Ct);
        await writer.DeleteTenantAsync("acme", Ct);
        Assert.Equal(v0 + 4, await reader.DirectoryVersionAsync(Ct));
    }

    [Fact]
    public async Task InitializeAsync_NothingListensAtTheAddress_ClearErrorNamingTheServerNotThePassword()
    {
        var url = $"postgresql://switchyard:{Uri.EscapeDataString("hunter2-secret")}@127.0.0.1:{ChildGateway.FreePort()}/switchyard";
        await using var store = new PostgresGatewayStore(url);
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(Ct));
        Assert.StartsWith("cannot open the PostgreSQL store at 127.0.0.1:", e.Message, StringComparison.Ordinal);
        Assert.Contains("/switchyard", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
        Assert.False(await store.PingAsync(Ct));
    }

    [Fact]
    public async Task InitializeAsync_WrongPassword_ClearErrorSayingSo()
    {
        var server = await PostgresServer.GetAsync();
        var url = server.Url(await server.CreateDatabaseAsync()).Replace(Uri.EscapeDataString(PostgresServer.Password), "wrong-one", StringComparison.Ordinal);
        await using var store = new PostgresGatewayStore(url);
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(Ct));
        Assert.Contains("password authentication failed", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-one", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Whether a session of this database waits on a lock.</summary>
    private static bool Waiting(PostgresServer server, string location)
        => Convert.ToInt64(server.ScalarAsync("postgres", $"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{Database(location)}' AND wait_event_type = 'Lock'").GetAwaiter().GetResult(),
            System.Globalization.CultureInfo.InvariantCulture) > 0;
}
