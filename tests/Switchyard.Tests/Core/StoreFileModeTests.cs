using Switchyard.Core.Tenancy;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Core;

/// <summary>The store holds token hashes and spend: its SQLite file and the -wal and -shm beside it are created 0600.</summary>
public sealed class StoreFileModeTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task NewStore_DatabaseWalAndShm_Are0600()
    {
        var path = GatewayFixture.NewSqlitePath();
        await using var store = new SqliteGatewayStore(path);
        await store.InitializeAsync(CancellationToken.None);
        await store.AppendSpendAsync([new SpendRecord { RequestId = "r1", CorrelationId = "c1", Alias = "chat", Cost = 0.5m, Status = 200 }], CancellationToken.None);
        using var open = GatewayApi.OpenSqlite(path, readOnly: false); // an open connection keeps -wal and -shm on disk

        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            Assert.True(File.Exists(file), file + " is missing");
            Assert.Equal((file, OwnerOnly), (file, File.GetUnixFileMode(file)));
        }
    }

    [Fact]
    public async Task ExistingStore_ModeIsLeftAsTheOperatorSetIt()
    {
        var path = GatewayFixture.NewSqlitePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var first = new SqliteGatewayStore(path))
        {
            await first.InitializeAsync(CancellationToken.None);
        }

        var shared = OwnerOnly | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, shared);
        await using var again = new SqliteGatewayStore(path);
        await again.InitializeAsync(CancellationToken.None);

        Assert.Equal(shared, File.GetUnixFileMode(path));
    }
}
