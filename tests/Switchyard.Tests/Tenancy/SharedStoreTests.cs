using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Config;
using Switchyard.Core.Tenancy;
using Switchyard.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// Two gateways sharing one PostgreSQL database, as two replicas behind a load balancer: keys created, revoked and
/// rotated through one replica's admin API are honoured by the other; spend from both lands in one place.
/// </summary>
public sealed class SharedStoreTests(PostgresDatabase db) : IClassFixture<PostgresDatabase>
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/priced
              mock_response: ok
              input_cost_per_token: 0.0001
              output_cost_per_token: 0
        """;

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private Task<GatewayFixture> StartAsync(TimeSpan keyRefresh, TimeProvider? time = null)
        => GatewayFixture.StartAsync(Yaml, time, configure: c => c with
        {
            Store = c.Store with { DatabaseUrl = db.Url },
            Shared = c.Shared with { KeyRefresh = keyRefresh },
        });

    [Fact]
    public async Task KeyCreatedOnA_WorksOnB_RevokedOrDeletedOnA_RefusedOnB_ByNotificationAlone()
    {
        // key_refresh of an hour: only the change notification can bring the keys over within the test
        await using var a = await StartAsync(Hour);
        await using var b = await StartAsync(Hour);
        await WaitForListenersAsync(2);

        var (blocked, _) = await a.GenerateKeyAsync(new { models = new[] { "chat" } });
        var (deleted, _) = await a.GenerateKeyAsync(new { models = new[] { "chat" } });
        await WaitForStatusAsync(b, blocked, 200);
        await WaitForStatusAsync(b, deleted, 200);

        var update = await a.PostAsync("/key/update", new { key = blocked, blocked = true });
        Assert.True(update.Status == 200, update.ToString());
        var delete = await a.PostAsync("/key/delete", new { keys = new[] { deleted } });
        Assert.True(delete.Status == 200, delete.ToString());

        await WaitForStatusAsync(b, blocked, 401);
        await WaitForStatusAsync(b, deleted, 401);
        Assert.Equal(401, (await a.ChatAsync(blocked, "chat")).Status);
    }

    [Fact]
    public async Task UserCreatedUpdatedDeletedOnA_ReachesB_ByNotificationAlone_AndTheirKeysFollow()
    {
        await using var a = await StartAsync(Hour);
        await using var b = await StartAsync(Hour);
        await WaitForListenersAsync(2);

        var created = await a.PostAsync("/user/new", new { user_id = "ada", max_budget = 5 });
        Assert.True(created.Status == 200, created.ToString());
        var key = created.Json.GetProperty("key").GetString()!;
        await WaitForStatusAsync(b, key, 200);
        Assert.Equal(5m, b.Service<TenantDirectory>().FindUser("ada")?.Record.Limits.MaxBudget);

        Assert.Equal(200, (await a.PostAsync("/user/update", new { user_id = "ada", max_budget = 7 })).Status);
        await GatewayApi.WaitUntilAsync(() => b.Service<TenantDirectory>().FindUser("ada")?.Record.Limits.MaxBudget == 7m, "the update reaching B");

        Assert.Equal(200, (await a.PostAsync("/user/delete", new { user_ids = new[] { "ada" } })).Status);
        await WaitForStatusAsync(b, key, 401);
        // The keys go first, then the user, each with its own notification: B may see the keys gone a refresh earlier.
        await GatewayApi.WaitUntilAsync(() => b.Service<TenantDirectory>().FindUser("ada") is null, "the delete reaching B");
    }

    [Fact]
    public async Task KeyRotatedOnA_NewKeyWorksOnB_OldKeyWorksOnBUntilItsGraceEnds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 3, 1, 0, 0, 0, TimeSpan.Zero)); // one clock for both replicas
        await using var a = await StartAsync(Hour, time);
        await using var b = await StartAsync(Hour, time);
        await WaitForListenersAsync(2);
        var (old, _) = await a.GenerateKeyAsync(new { models = new[] { "chat" } });
        await WaitForStatusAsync(b, old, 200);

        var rotated = await a.PostAsync("/key/regenerate", new { key = old, grace_period = "1h" });
        Assert.True(rotated.Status == 200, rotated.ToString());
        var fresh = rotated.Json.GetProperty("key").GetString()!;
        await WaitForStatusAsync(b, fresh, 200);
        await GatewayApi.WaitUntilAsync(
            () => b.Service<TenantDirectory>().FindKey(TokenHash.Of(old))?.Record.GraceUntil is not null, "B to hold the old key's grace period");
        Assert.Equal(200, (await b.ChatAsync(old, "chat")).Status); // within its grace

        time.Advance(Hour + TimeSpan.FromSeconds(1));
        Assert.Equal(401, (await b.ChatAsync(old, "chat")).Status);
        Assert.Equal(200, (await b.ChatAsync(fresh, "chat")).Status);
    }

    [Fact]
    public async Task ReloadOnB_AfterAnotherKeyIsCreatedOnA_KeepsBsRateCountersOfTheUnchangedKey()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 3, 1, 0, 0, 0, TimeSpan.Zero)); // the rpm window does not move
        await using var a = await StartAsync(Hour, time);
        await using var b = await StartAsync(Hour, time);
        await WaitForListenersAsync(2);
        var (limited, _) = await a.GenerateKeyAsync(new { models = new[] { "chat" }, rpm_limit = 2 });
        await WaitForStatusAsync(b, limited, 200); // the first of its two requests on B
        Assert.Equal(200, (await b.ChatAsync(limited, "chat")).Status);

        var (other, _) = await a.GenerateKeyAsync(new { models = new[] { "chat" } });
        await WaitForStatusAsync(b, other, 200); // B has reloaded its directory

        Assert.Equal(429, (await b.ChatAsync(limited, "chat")).Status);
    }

    [Fact]
    public async Task KeyWrittenWithoutNotification_ReachesBByPollingWithinKeyRefresh()
    {
        await using var b = await StartAsync(TimeSpan.FromMilliseconds(200));
        const string token = "sk-written-by-another-tool-0001";
        var hash = GatewayApi.Sha256Hex(token);

        // a writer that moves the directory version but sends no NOTIFY (as if the notification were lost)
        await db.Server.ScalarAsync(db.Name,
            $"INSERT INTO keys (token_hash, key_name, models, created_at) VALUES ('{hash}', 'sk-...0001', '[\"chat\"]', now()); UPDATE directory_version SET version = version + 1");

        await WaitForStatusAsync(b, token, 200);
    }

    [Fact]
    public async Task SpendFromBothReplicas_LandsInTheSharedStore_AndReadinessNamesIt()
    {
        await using var a = await StartAsync(Hour);
        await using var b = await StartAsync(Hour);
        await WaitForListenersAsync(2);
        var (key, hash) = await a.GenerateKeyAsync(new { models = new[] { "chat" } });
        await WaitForStatusAsync(b, key, 200);

        var onA = await a.ChatAsync(key, "chat");
        var onB = await b.ChatAsync(key, "chat");
        await a.Service<SpendWriter>().FlushAsync();
        await b.Service<SpendWriter>().FlushAsync();

        var logs = await a.GetAsync("/spend/logs?api_key=" + hash);
        Assert.True(logs.Status == 200, logs.ToString());
        var correlations = logs.Json.EnumerateArray().Select(r => r.GetProperty("correlation_id").GetString()).ToHashSet();
        Assert.Contains(onA.Header("X-Correlation-Id"), correlations);
        Assert.Contains(onB.Header("X-Correlation-Id"), correlations);

        var ready = await b.GetAsync("/health/readiness", token: null);
        Assert.Equal(("postgresql", "healthy"), (ready.Json.GetProperty("store").GetString(), ready.Json.GetProperty("store_status").GetString()));
    }

    [Fact]
    public async Task Start_DatabaseNotReachable_FailsWithAClearErrorNamingTheServer()
    {
        var url = $"postgresql://switchyard:hunter2-secret@127.0.0.1:{ChildGateway.FreePort()}/switchyard";
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => GatewayFixture.StartAsync(Yaml, configure: c => c with { Store = c.Store with { DatabaseUrl = url } }));
        Assert.StartsWith("cannot open the PostgreSQL store at 127.0.0.1:", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelCreatedOnA_ServesOnB_UpdateAndDeleteOnA_FollowOnB_ByNotificationAlone()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        GatewayConfig ToShared(GatewayConfig c) => c with
        {
            Store = c.Store with { DatabaseUrl = db.Url, EncryptionKey = "shared-test-encryption-key-0001", EncryptionKeySource = "test" },
            Shared = c.Shared with { KeyRefresh = Hour },
        };
        await using var a = await GatewayFixture.StartAsync(Yaml, configure: ToShared);
        await using var b = await GatewayFixture.StartAsync(Yaml, configure: ToShared);
        await WaitForListenersAsync(2);

        var created = await a.PostAsync("/model/new", new
        {
            model_name = "byo",
            litellm_params = new { model = "openai/gpt-4o-mini", api_base = upstream.BaseUrl + "/v1", api_key = "sk-shared-upstream-0001" },
            model_info = new { id = "byo-shared" },
        });
        Assert.True(created.Status == 200, created.ToString());
        await WaitForModelStatusAsync(b, "byo", 200);
        Assert.All(upstream.Requests, r => Assert.Equal("Bearer sk-shared-upstream-0001", r.Headers["authorization"]));

        var updated = await a.PostAsync("/model/update", new { model_info = new { id = "byo-shared" }, litellm_params = new { api_key = "sk-shared-upstream-0002" } });
        Assert.True(updated.Status == 200, updated.ToString());
        await GatewayApi.WaitUntilAsync(
            () => b.Service<Switchyard.Hosting.GatewayState>().Current.Config.Deployments.Any(d => d.Id == "byo-shared" && d.ApiKey == "sk-shared-upstream-0002"), "B to take the new credential");
        Assert.Equal(200, (await b.ChatAsync(GatewayFixture.MasterKey, "byo")).Status);
        Assert.Equal("Bearer sk-shared-upstream-0002", upstream.Requests.Last().Headers["authorization"]);

        Assert.Equal(200, (await a.PostAsync("/model/delete", new { id = "byo-shared" })).Status);
        await WaitForModelStatusAsync(b, "byo", 404);
    }

    private static async Task WaitForModelStatusAsync(GatewayFixture gw, string model, int status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var r = await gw.ChatAsync(GatewayFixture.MasterKey, model);
            if (r.Status == status)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the replica still answers {r} for {model}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls with the key until the replica answers <paramref name="status"/> (a bound against hanging, not a timing assertion).</summary>
    private static async Task WaitForStatusAsync(GatewayFixture gw, string key, int status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var r = await gw.ChatAsync(key, "chat");
            if (r.Status == status)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the replica still answers {r} for the key");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until this many replicas LISTEN on the database (so that no notification is sent before they hear it).</summary>
    private async Task WaitForListenersAsync(int count)
        => await GatewayApi.WaitUntilAsync(
            () => Convert.ToInt64(db.Server.ScalarAsync("postgres", $"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{db.Name}' AND query LIKE 'LISTEN %'").GetAwaiter().GetResult(),
                System.Globalization.CultureInfo.InvariantCulture) >= count,
            $"{count} replicas listening");
}
