using System.Text.Json;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// Spend logs in the SQLite file: complete after a clean stop; after SIGKILL of the real executable, every acknowledged
/// request's row (in the store already, or only in the spend journal) is there once the gateway has started again, and
/// the file opens cleanly. Each request costs 100 x $0.0001 + 1 x $0.0002 = $0.0102.
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
    /// The flush interval is 10 s, so when the process is killed the store has none of the rows: every one of them
    /// comes back from the journal at the next start, once, with the key's and the tenant's running spend (in the file
    /// and in the restarted gateway's memory).
    /// </summary>
    [Fact]
    public async Task Kill_RightAfterNAcknowledgedRequests_RestartStoresEveryRowOnceWithTheRunningSpend()
    {
        const int N = 20;
        var (config, db) = WriteConfig("10s");
        string hash, key;
        List<string> acknowledged;
        await using (var child = await ChildGateway.StartAsync(config))
        {
            key = await GenerateKeyAsync(child);
            hash = GatewayApi.Sha256Hex(key);
            acknowledged = [.. await Task.WhenAll(Enumerable.Range(0, N).Select(_ => ChatAsync(child, key)))];
            child.Kill();
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(db + ".spend-journal", "0"), "*.journal"));
        await using (var restarted = await ChildGateway.StartAsync(config))
        {
            AssertRows(db, hash, acknowledged);
            var (status, body) = await GetAsync(restarted, "/key/info?key=" + hash);
            Assert.True(status == 200, body);
            Assert.Equal(N * CostNanos / 1e9m, JsonDocument.Parse(body).RootElement.GetProperty("info").GetProperty("spend").GetDecimal());
            Assert.Contains(restarted.Output, l => l.Contains($"replayed {N} spend records", StringComparison.Ordinal));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(db + ".spend-journal", "0"), "*.journal"));
    }

    /// <summary>A process killed after the store had the rows but before the journal let go of them: replayed again, counted once.</summary>
    [Fact]
    public async Task Kill_JournalReplayedTwice_RowsAndSpendCountedOnce()
    {
        var (config, db) = WriteConfig("10s");
        var slot = Path.Combine(db + ".spend-journal", "0");
        string hash;
        List<string> acknowledged;
        Dictionary<string, byte[]> journal;
        await using (var child = await ChildGateway.StartAsync(config))
        {
            var key = await GenerateKeyAsync(child);
            hash = GatewayApi.Sha256Hex(key);
            acknowledged = [.. await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ChatAsync(child, key)))];
            child.Kill();
        }

        journal = Directory.GetFiles(slot, "*.journal").ToDictionary(f => f, File.ReadAllBytes);
        Assert.NotEmpty(journal);
        for (var i = 0; i < 2; i++)
        {
            await using (await ChildGateway.StartAsync(config))
            {
                AssertRows(db, hash, acknowledged);
            }

            foreach (var (path, bytes) in journal)
            {
                File.WriteAllBytes(path, bytes); // as if killed between the store's commit and the segment's deletion
            }
        }
    }

    [Fact]
    public async Task Kill_LastJournalWriteTorn_StartsSkippingItWithAWarning()
    {
        var (config, db) = WriteConfig("10s");
        var slot = Path.Combine(db + ".spend-journal", "0");
        string hash;
        List<string> acknowledged = [];
        await using (var child = await ChildGateway.StartAsync(config))
        {
            var key = await GenerateKeyAsync(child);
            hash = GatewayApi.Sha256Hex(key);
            for (var i = 0; i < 5; i++)
            {
                acknowledged.Add(await ChatAsync(child, key)); // one by one: one frame per write
            }

            child.Kill();
        }

        var segment = Directory.GetFiles(slot, "*.journal").Order(StringComparer.Ordinal).Last();
        using (var f = new FileStream(segment, FileMode.Open))
        {
            f.SetLength(f.Length - 3); // the last record's write, cut short
        }

        await using (var restarted = await ChildGateway.StartAsync(config))
        {
            AssertRows(db, hash, acknowledged[..4]);
            Assert.Contains(restarted.Output, l => l.Contains("bytes from offset", StringComparison.Ordinal) && l.Contains("incomplete frame", StringComparison.Ordinal));
        }
    }

    /// <summary>Two processes on one config share the SQLite file and the journal root, never a segment: each locks a slot.</summary>
    [Fact]
    public async Task TwoProcessesOnOneJournal_BothKilled_OneRestartStoresTheRowsOfBoth()
    {
        var (config, db) = WriteConfig("10s");
        string hash;
        var acknowledged = new List<string>();
        await using (var first = await ChildGateway.StartAsync(config))
        {
            var key = await GenerateKeyAsync(first);
            hash = GatewayApi.Sha256Hex(key);
            await using var second = await ChildGateway.StartAsync(config); // reads the key from the file at start
            for (var i = 0; i < 4; i++)
            {
                acknowledged.Add(await ChatAsync(first, key));
                acknowledged.Add(await ChatAsync(second, key));
            }

            first.Kill();
            second.Kill();
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(db + ".spend-journal", "0"), "*.journal"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(db + ".spend-journal", "1"), "*.journal"));
        await using (await ChildGateway.StartAsync(config))
        {
            AssertRows(db, hash, acknowledged);
        }
    }

    private static void AssertRows(string db, string hash, IReadOnlyCollection<string> acknowledged)
    {
        using var c = GatewayApi.OpenSqlite(db);
        var rows = new List<string>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = $"SELECT correlation_id FROM spend_logs WHERE token_hash = '{hash}' AND tenant_id = 'acme' AND status = 200 AND cost_nanos = {CostNanos}";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows.Add(r.GetString(0));
            }
        }

        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal)); // each exactly once
        Assert.Equal(acknowledged.Count * CostNanos, c.Scalar($"SELECT spend_nanos FROM keys WHERE token_hash = '{hash}'"));
        Assert.Equal(acknowledged.Count * CostNanos, c.Scalar("SELECT spend_nanos FROM tenants WHERE tenant_id = 'acme'"));
    }

    private static async Task<(int Status, string Body)> GetAsync(ChildGateway child, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayFixture.MasterKey);
        using var response = await child.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static (string Config, string Db) WriteConfig(string flushInterval = "200ms")
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
                flush_interval: {{flushInterval}}
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
            Assert.Equal(7, await store.SchemaVersionAsync(CancellationToken.None)); // every migration step, reserved slots included
        }

        using var c = GatewayApi.OpenSqlite(db, readOnly: false);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string?)cmd.ExecuteScalar());
        Assert.Equal(7, c.Scalar("SELECT COUNT(*) FROM schema_version")); // one row per migration
    }
}
