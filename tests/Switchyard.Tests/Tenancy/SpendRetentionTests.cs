using Microsoft.Extensions.Time.Testing;
using Switchyard.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

public sealed class SpendRetentionTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PruneOnce_RowsOlderThanRetention_AreDeletedAndNewerKept()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat
                litellm_params: { model: mock/chat }
            switchyard:
              spend: { retention: 30d }
            """, time);
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        await gw.Service<SpendWriter>().FlushAsync();
        time.Advance(TimeSpan.FromDays(20));
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        await gw.Service<SpendWriter>().FlushAsync();

        time.Advance(TimeSpan.FromDays(11)); // the first two rows are now 31 days old, the third 11
        await gw.Service<SpendRetention>().PruneOnceAsync(CancellationToken.None);

        using var db = GatewayApi.OpenSqlite(gw.SqlitePath);
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM spend_logs"));
        var kept = db.Scalar("SELECT start_time FROM spend_logs");
        Assert.InRange(kept, (Start + TimeSpan.FromDays(20)).ToUnixTimeMilliseconds() - 1000, (Start + TimeSpan.FromDays(20)).ToUnixTimeMilliseconds() + 1000);
    }

    [Fact]
    public async Task PruneOnce_WithoutRetention_KeepsEverything()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat
                litellm_params: { model: mock/chat }
            """, time);
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        await gw.Service<SpendWriter>().FlushAsync();
        time.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(0, await gw.Service<SpendRetention>().PruneOnceAsync(CancellationToken.None));

        using var db = GatewayApi.OpenSqlite(gw.SqlitePath);
        Assert.Equal(1, db.Scalar("SELECT COUNT(*) FROM spend_logs"));
    }
}
