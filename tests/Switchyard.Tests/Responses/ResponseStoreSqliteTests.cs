using Switchyard.Core.Tenancy;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Responses;

public sealed class ResponseStoreSqliteTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static StoredResponse Row(string tenant, string id, TimeSpan life) => new()
    {
        Id = id, TenantId = tenant, CreatedAt = T0, ExpiresAt = T0 + life, Response = "{\"id\":\"x\"}"u8.ToArray(), Conversation = "[]"u8.ToArray(),
    };

    [Fact]
    public async Task Responses_TenantScoped_ExpiredNotServed_PrunedAndDeleted()
    {
        await using var store = new SqliteGatewayStore(GatewayFixture.NewSqlitePath());
        await store.InitializeAsync(CancellationToken.None);
        await store.SaveResponseAsync(Row("acme", "resp_1", TimeSpan.FromDays(1)), CancellationToken.None);
        await store.SaveResponseAsync(Row("acme", "resp_2", TimeSpan.FromHours(1)), CancellationToken.None);

        var found = await store.GetResponseAsync("acme", "resp_1", T0.AddHours(2), CancellationToken.None);
        Assert.Equal("{\"id\":\"x\"}"u8.ToArray(), found!.Response);
        Assert.Equal(T0.AddDays(1), found.ExpiresAt);
        Assert.Null(await store.GetResponseAsync("globex", "resp_1", T0, CancellationToken.None));
        Assert.Null(await store.GetResponseAsync("acme", "resp_2", T0.AddHours(2), CancellationToken.None)); // expired: not served before the prune
        Assert.Equal(1, await store.PruneResponsesAsync(T0.AddHours(2), CancellationToken.None));
        Assert.Null(await store.GetResponseAsync("acme", "resp_2", T0, CancellationToken.None));
        Assert.False(await store.DeleteResponseAsync("globex", "resp_1", CancellationToken.None));
        Assert.True(await store.DeleteResponseAsync("acme", "resp_1", CancellationToken.None));
        Assert.Null(await store.GetResponseAsync("acme", "resp_1", T0, CancellationToken.None));
    }
}
