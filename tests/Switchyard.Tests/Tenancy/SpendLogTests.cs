using System.Text.Json;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// Spend logs in the SQLite file: complete after a clean stop; after SIGKILL of the real executable, everything flushed
/// before the kill survives and the file opens cleanly. Each request costs 100 x $0.0001 + 1 x $0.0002 = $0.0102.
/// </summary>
public sealed class SpendLogTests
{
    private const long CostNanos = 10_200_000;
    private const string Models = """
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/priced
              mock_response: ok
              input_cost_per_token: 0.0001
              output_cost_per_token: 0.0002
            model_info:
              id: mock-chat
        router_settings:
          model_group_alias:
            smart: chat
        """;

    [Fact]
    public async Task CleanStop_AfterNRequests_SqliteHoldsNRowsWithCallerAndUsage()
    {
        string path, hash;
        await using (var gw = await GatewayFixture.StartAsync(Models + """

            switchyard:
              tenants:
                - tenant_id: acme
            """))
        {
            path = gw.SqlitePath;
            var (key, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
            hash = GatewayApi.Sha256Hex(key);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(200, (await gw.ChatAsync(key, "chat")).Status);
            }

            Assert.Equal(200, (await gw.ChatAsync(key, "smart")).Status);
            Assert.Equal(200, (await gw.ChatAsync(key, "smart")).Status);
        }

        using var db = GatewayApi.OpenSqlite(path);
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT tenant_id, token_hash, alias, deployment, provider_family, model, prompt_tokens, completion_tokens, cost_nanos, status FROM spend_logs ORDER BY alias";
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read())
        {
            Assert.Equal("acme", r.GetString(0));
            Assert.Equal(hash, r.GetString(1));
            Assert.Equal("mock-chat", r.GetString(3));
            Assert.Equal("mock", r.GetString(4));
            Assert.Equal("mock/priced", r.GetString(5));
            Assert.Equal(100, r.GetInt64(6));
            Assert.Equal(1, r.GetInt64(7));
            Assert.Equal(CostNanos, r.GetInt64(8));
            Assert.Equal(200, r.GetInt32(9));
            rows.Add(r.GetString(2));
        }

        Assert.Equal(["chat", "chat", "chat", "smart", "smart"], rows);
        Assert.Equal(5 * CostNanos, db.Scalar($"SELECT spend_nanos FROM keys WHERE token_hash = '{hash}'"));
        Assert.Equal(5 * CostNanos, db.Scalar("SELECT spend_nanos FROM tenants WHERE tenant_id = 'acme'"));
    }

    [Fact]
    public async Task Kill_AfterRowsWereFlushed_RowsSurviveAndDatabaseOpensCleanly()
    {
        var (config, db) = WriteConfig();
        string hash;
        await using (var child = await ChildGateway.StartAsync(config))
        {
            var key = await GenerateKeyAsync(child);
            hash = GatewayApi.Sha256Hex(key);
            for (var i = 0; i < 8; i++)
            {
                Assert.Equal(200, (await child.PostAsync("/v1/chat/completions", key, GatewayApi.ChatBody("chat", 400, null))).Status);
            }

            await WaitForRowsAsync(db, 8); // > 2 flush intervals (200 ms) pass while the writer catches up
            child.Kill();
            Assert.True(child.HasExited);
        }

        await AssertOpensCleanlyAsync(db);
        using var c = GatewayApi.OpenSqlite(db);
        Assert.Equal(8, c.Scalar($"SELECT COUNT(*) FROM spend_logs WHERE token_hash = '{hash}' AND tenant_id = 'acme' AND status = 200 AND cost_nanos = {CostNanos}"));
        Assert.Equal(8 * CostNanos, c.Scalar($"SELECT spend_nanos FROM keys WHERE token_hash = '{hash}'"));
    }

    /// <summary>
    /// What is asserted: every request answered before the last observed flush is in the file; requests answered
    /// after it may be missing (at most those, i.e. the last flush window); rows and the key's running spend come from
    /// the same transactions, so the spend equals the surviving rows' cost (no half-written batch); the file passes
    /// integrity_check and keeps schema version 1.
    /// </summary>
    [Fact]
    public async Task Kill_RightAfterRequests_LosesAtMostTheUnflushedWindow()
    {
        var (config, db) = WriteConfig();
        var flushed = new List<string>();
        var unflushed = new List<string>();
        string hash;
        await using (var child = await ChildGateway.StartAsync(config))
        {
            var key = await GenerateKeyAsync(child);
            hash = GatewayApi.Sha256Hex(key);
            for (var i = 0; i < 5; i++)
            {
                flushed.Add(await ChatAsync(child, key));
            }

            await WaitForRowsAsync(db, 5);
            for (var i = 0; i < 5; i++)
            {
                unflushed.Add(await ChatAsync(child, key));
            }

            child.Kill();
        }

        await AssertOpensCleanlyAsync(db);
        using var c = GatewayApi.OpenSqlite(db);
        var present = new HashSet<string>(StringComparer.Ordinal);
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT correlation_id FROM spend_logs";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                present.Add(r.GetString(0));
            }
        }

        Assert.All(flushed, id => Assert.Contains(id, present));
        Assert.InRange(present.Count, 5, 10);
        Assert.Subset(flushed.Concat(unflushed).ToHashSet(StringComparer.Ordinal), present);
        Assert.Equal(present.Count * CostNanos, c.Scalar($"SELECT spend_nanos FROM keys WHERE token_hash = '{hash}'"));
    }

    private static (string Config, string Db) WriteConfig()
    {
        var dir = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "gateway.db");
        var config = Path.Combine(dir, "switchyard.yaml");
        File.WriteAllText(config, Models + $$"""

            general_settings:
              master_key: {{GatewayFixture.MasterKey}}
            switchyard:
              store:
                sqlite_path: {{db}}
              spend:
                flush_interval: 200ms
              tenants:
                - tenant_id: acme
            """);
        return (config, db);
    }

    private static async Task<string> GenerateKeyAsync(ChildGateway child)
    {
        var (status, body, _) = await child.PostAsync("/key/generate", GatewayFixture.MasterKey, """{"team_id":"acme"}""");
        Assert.True(status == 200, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("key").GetString()!;
    }

    private static async Task<string> ChatAsync(ChildGateway child, string key)
    {
        var (status, body, correlation) = await child.PostAsync("/v1/chat/completions", key, GatewayApi.ChatBody("chat", 400, null));
        Assert.True(status == 200, body);
        return correlation!;
    }

    private static Task WaitForRowsAsync(string db, int rows)
        => GatewayApi.WaitUntilAsync(() =>
        {
            if (!File.Exists(db))
            {
                return false;
            }

            using var c = GatewayApi.OpenSqlite(db);
            return c.Scalar("SELECT COUNT(*) FROM spend_logs") >= rows;
        }, $"{rows} spend rows in {db}");

    /// <summary>Opens the file the way a restarted gateway does (recovering the WAL), then checks it.</summary>
    private static async Task AssertOpensCleanlyAsync(string db)
    {
        await using (var store = new SqliteGatewayStore(db))
        {
            await store.InitializeAsync(CancellationToken.None);
            Assert.Equal(2, await store.SchemaVersionAsync(CancellationToken.None));
        }

        using var c = GatewayApi.OpenSqlite(db, readOnly: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)cmd.ExecuteScalar());
        Assert.Equal(2, c.Scalar("SELECT COUNT(*) FROM schema_version")); // one row per migration
    }
}
