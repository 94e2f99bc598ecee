using System.Text;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>Clear tokens and the master key never reach the logs or the SQLite files; only token SHA-256 hashes are stored.</summary>
public sealed class SecretHandlingTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/priced
              mock_response: ok
              input_cost_per_token: 0.0001
        switchyard:
          tenants:
            - tenant_id: acme
        """;

    [Fact]
    public async Task ClearTokens_UsedEverywhere_NeverInLogsOrSqliteBytesOnlyTheirHashes()
    {
        string path, first, second, logs;
        byte[] whileRunning;
        await using (var gw = await GatewayFixture.StartAsync(Yaml))
        {
            path = gw.SqlitePath;
            (first, _) = await gw.GenerateKeyAsync(new { team_id = "acme", key_alias = "agent", scopes = new[] { "invoke", "usage:read" } });

            // the clear token in every place a caller may put it: headers, query strings and admin bodies
            Assert.Equal(200, (await gw.ChatAsync(first, "chat")).Status);
            Assert.Equal(200, (await gw.GetAsync("/key/info?key=" + first)).Status);
            Assert.Equal(200, (await gw.GetAsync("/key/info", first)).Status);
            Assert.Equal(200, (await gw.GetAsync("/spend/logs?api_key=" + first)).Status);
            Assert.Equal(200, (await gw.PostAsync("/key/update", new { key = first, rpm_limit = 100 })).Status);
            var rotated = await gw.PostAsync("/key/regenerate", new { key = first, grace_period = "1h" });
            second = rotated.Json.GetProperty("key").GetString()!;
            Assert.Equal(200, (await gw.ChatAsync(second, "chat")).Status);
            Assert.Equal(403, (await gw.GetAsync("/key/list", second)).Status);
            Assert.Equal(401, (await gw.ChatAsync(second + "x", "chat")).Status);
            Assert.Equal(200, (await gw.GetAsync("/spend/logs")).Status); // flushes spend

            whileRunning = ReadStoreFiles(path);
            logs = gw.Logs.All;
        }

        var afterStop = ReadStoreFiles(path);
        Assert.NotEmpty(logs);
        foreach (var token in new[] { first, second })
        {
            AssertNotLogged(logs, token[3..]); // not even without its sk- prefix
            Assert.False(Contains(whileRunning, token), "clear token in the SQLite files while running");
            Assert.False(Contains(afterStop, token), "clear token in the SQLite files after stop");
            Assert.False(Contains(afterStop, token[3..]), "token body in the SQLite files");
            Assert.True(Contains(afterStop, GatewayApi.Sha256Hex(token)), "the token's SHA-256 hex is what is stored");
        }
    }

    [Fact]
    public async Task MasterKey_UsedForAdminAndInference_NeverInLogsOrSqliteBytes()
    {
        string path, logs;
        await using (var gw = await GatewayFixture.StartAsync(Yaml))
        {
            path = gw.SqlitePath;
            Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
            Assert.Equal(200, (await gw.GetAsync("/key/list")).Status);
            Assert.Equal(200, (await gw.GetAsync("/health")).Status);
            Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "blue" })).Status);
            Assert.Equal(404, (await gw.GetAsync("/key/info?key=" + GatewayFixture.MasterKey)).Status);
            Assert.Equal(200, (await gw.GetAsync("/spend/logs")).Status);
            logs = gw.Logs.All;
        }

        Assert.NotEmpty(logs);
        AssertNotLogged(logs, GatewayFixture.MasterKey);
        Assert.False(Contains(ReadStoreFiles(path), GatewayFixture.MasterKey));
    }

    private static void AssertNotLogged(string logs, string secret)
    {
        var leaks = logs.Split('\n').Where(l => l.Contains(secret, StringComparison.Ordinal)).ToArray();
        Assert.True(leaks.Length == 0, "secret in log lines:\n" + string.Join("\n", leaks));
    }

    /// <summary>The database, its WAL and shared-memory files, read as they are on disk.</summary>
    private static byte[] ReadStoreFiles(string path)
    {
        using var all = new MemoryStream();
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            if (File.Exists(file))
            {
                using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                s.CopyTo(all);
            }
        }

        Assert.True(all.Length > 0, "no SQLite files at " + path);
        return all.ToArray();
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;
}
