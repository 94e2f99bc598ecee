using Switchyard.Core.Config;

namespace Switchyard.Tests.Core;

/// <summary>
/// Shared state in the config: LiteLLM's Redis keys (router_settings.redis_*), general_settings.database_url and
/// DATABASE_URL, switchyard.shared, switchyard.spend.journal, and the live config's hash.
/// </summary>
public sealed class SharedStateConfigTests : IDisposable
{
    private const string Models = """
        model_list:
          - model_name: a
            litellm_params:
              model: mock/a
        general_settings:
          master_key: sk-shared-test-key

        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("switchyard-shared-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GatewayConfig Load(string yaml, IDictionary<string, string>? env = null)
        => ConfigLoader.Load(yaml, _dir, n => env?.TryGetValue(n, out var v) == true ? v : null);

    private IReadOnlyList<ConfigDiagnostic> Errors(string yaml, IDictionary<string, string>? env = null)
        => Assert.Throws<ConfigException>(() => Load(yaml, env)).Errors;

    [Fact]
    public void RouterSettings_RedisHostPortPassword_FromEnvironReferences_BuildOneRedisUrl()
    {
        var config = Load(Models + """
            router_settings:
              redis_host: os.environ/REDIS_HOST
              redis_port: os.environ/REDIS_PORT
              redis_password: os.environ/REDIS_PASSWORD
            """, new Dictionary<string, string> { ["REDIS_HOST"] = "cache.internal", ["REDIS_PORT"] = "6380", ["REDIS_PASSWORD"] = "p@ss:w/rd" });

        Assert.Equal("redis://:p%40ss%3Aw%2Frd@cache.internal:6380", config.Shared.RedisUrl);
        Assert.True(config.Shared.UsesRedis);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void RouterSettings_RedisHostAlone_PortAndPasswordFromTheEnvironmentLikeLiteLlm()
    {
        var yaml = Models + "router_settings:\n  redis_host: 10.0.0.5\n";

        Assert.Equal("redis://10.0.0.5:6379", Load(yaml).Shared.RedisUrl);
        Assert.Equal("redis://:secret@10.0.0.5:7000", Load(yaml, new Dictionary<string, string> { ["REDIS_PORT"] = "7000", ["REDIS_PASSWORD"] = "secret" }).Shared.RedisUrl);
    }

    [Fact]
    public void RouterSettings_RedisUrl_UsedAsWrittenAndHostKeysBesideItWarned()
    {
        var config = Load(Models + """
            router_settings:
              redis_url: os.environ/REDIS_URL
              redis_host: ignored.example
            """, new Dictionary<string, string> { ["REDIS_URL"] = "rediss://:pw@redis.example:6380/2" });

        Assert.Equal("rediss://:pw@redis.example:6380/2", config.Shared.RedisUrl);
        var w = Assert.Single(config.Warnings);
        Assert.Equal(("router_settings.redis_host", 9), (w.Path, w.Line));
    }

    [Fact]
    public void NoRedisInTheConfig_EnvironmentAloneTurnsNothingOnAndSaysSo()
    {
        var config = Load(Models, new Dictionary<string, string> { ["REDIS_HOST"] = "cache.internal" });

        Assert.Null(config.Shared.RedisUrl);
        Assert.False(config.Shared.UsesRedis);
        var w = Assert.Single(config.Warnings);
        Assert.Equal("router_settings.redis_host", w.Path);
        Assert.Contains("REDIS_HOST", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingConfigured_EmbeddedDefaults()
    {
        var config = Load(Models);

        Assert.Equal(new SharedStateSettings(), config.Shared);
        Assert.Null(config.Store.DatabaseUrl);
        Assert.Null(config.Store.SpendJournalPath);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void SwitchyardShared_EveryKeyRead()
    {
        var config = Load(Models + """
            switchyard:
              shared:
                redis_url: redis://127.0.0.1:6390/1
                key_prefix: "team-a:"
                on_redis_failure: fail_open
                replicas: 3
                state: [limits, breakers]
                timeout: 100ms
                replica_ttl: 20s
                key_refresh: 2s
            """, new Dictionary<string, string> { ["DATABASE_URL"] = "postgresql://sy:pw@db:5432/sy" });

        Assert.Equal(new SharedStateSettings
        {
            RedisUrl = "redis://127.0.0.1:6390/1",
            KeyPrefix = "team-a:",
            OnRedisFailure = RedisFailurePolicy.FailOpen,
            Replicas = 3,
            Limits = true,
            Budgets = false,
            Breakers = true,
            RedisTimeout = TimeSpan.FromMilliseconds(100),
            ReplicaTtl = TimeSpan.FromSeconds(20),
            KeyRefresh = TimeSpan.FromSeconds(2),
        }, config.Shared);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void SwitchyardShared_StateAsOneName_SharesOnlyThat()
    {
        var config = Load(Models + "switchyard:\n  shared:\n    redis_url: redis://r:6379\n    state: budgets\n");

        Assert.Equal((false, true, false), (config.Shared.Limits, config.Shared.Budgets, config.Shared.Breakers));
    }

    [Fact]
    public void SwitchyardShared_BadValues_EveryErrorWithPathAndLine()
    {
        var errors = Errors(Models + """
            switchyard:
              shared:
                redis_url: http://user:hunter2@cache:6379
                key_prefix: "has space"
                on_redis_failure: fail_sometimes
                replicas: 0
                state: [limits, caches]
                timeout: 0s
                replica_ttl: soon
                key_refresh: -5s
            """);

        var byPath = errors.ToDictionary(e => e.Path, e => (e.Line, e.Message));
        Assert.Equal(
            new (string, int?)[]
            {
                ("switchyard.shared.key_prefix", 10), ("switchyard.shared.key_refresh", 16), ("switchyard.shared.on_redis_failure", 11),
                ("switchyard.shared.redis_url", 9), ("switchyard.shared.replica_ttl", 15), ("switchyard.shared.replicas", 12),
                ("switchyard.shared.state[1]", 13), ("switchyard.shared.timeout", 14),
            },
            byPath.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value.Line)).ToArray());
        Assert.Contains("fail_closed or fail_open", byPath["switchyard.shared.on_redis_failure"].Message, StringComparison.Ordinal);
        Assert.Contains("between 1 and", byPath["switchyard.shared.replicas"].Message, StringComparison.Ordinal);
        Assert.Contains("'caches' is not one of limits, budgets, breakers", byPath["switchyard.shared.state[1]"].Message, StringComparison.Ordinal);
        Assert.Contains("redis://", byPath["switchyard.shared.redis_url"].Message, StringComparison.Ordinal);
        Assert.All(errors, e => Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void RouterSettings_BadRedisValues_ErrorsWithPathAndLine()
    {
        var errors = Errors(Models + """
            router_settings:
              redis_host: redis://cache
              redis_port: 70000
              redis_password: os.environ/MISSING_REDIS_PASSWORD
            """);

        var byPath = errors.ToDictionary(e => e.Path, e => (e.Line, e.Message));
        Assert.Equal((8, "must be a host name or address (a URL goes in redis_url)"), byPath["router_settings.redis_host"]);
        Assert.Equal(9, byPath["router_settings.redis_port"].Line);
        Assert.Contains("between 1 and 65535", byPath["router_settings.redis_port"].Message, StringComparison.Ordinal);
        Assert.Equal((10, "environment variable MISSING_REDIS_PASSWORD is not set"), byPath["router_settings.redis_password"]);
    }

    [Fact]
    public void RouterSettings_RedisPortFromABadEnvironmentValue_ErrorNamesTheVariable()
    {
        var e = Assert.Single(Errors(Models + "router_settings:\n  redis_host: cache\n", new Dictionary<string, string> { ["REDIS_PORT"] = "sixty" }));

        Assert.Equal("REDIS_PORT", e.Path);
        Assert.Contains("from the environment", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RedisNamedTwice_Error()
    {
        var e = Assert.Single(Errors(Models + """
            router_settings:
              redis_host: cache-a
            switchyard:
              shared:
                redis_url: redis://cache-b:6379
            """));

        Assert.Equal(("switchyard.shared.redis_url", 11), (e.Path, e.Line));
        Assert.Contains("router_settings.redis_host (line 8)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailOpenWithOneReplica_WhileRedisIsConfigured_Warned()
    {
        var yaml = Models + "router_settings:\n  redis_host: cache\nswitchyard:\n  shared:\n    on_redis_failure: fail_open\n";

        var w = Assert.Single(Load(yaml).Warnings);
        Assert.Equal(("switchyard.shared.on_redis_failure", 11), (w.Path, w.Line));
        Assert.Contains("replicas", w.Message, StringComparison.Ordinal);
        Assert.Empty(Load(yaml + "    replicas: 3\n").Warnings);
    }

    [Fact]
    public void SharedSectionWithoutRedis_Warned()
    {
        var config = Load(Models + "switchyard:\n  shared:\n    on_redis_failure: fail_open\n    replicas: 2\n");

        var w = Assert.Single(config.Warnings);
        Assert.Equal(("switchyard.shared", 9), (w.Path, w.Line));
        Assert.Contains("no Redis is configured", w.Message, StringComparison.Ordinal);
        Assert.Null(config.Shared.RedisUrl);
    }

    [Fact]
    public void KeyRefreshWithoutASharedStore_Warned()
    {
        var w = Assert.Single(Load(Models + "switchyard:\n  shared:\n    key_refresh: 1s\n").Warnings);

        Assert.Equal(("switchyard.shared.key_refresh", 9), (w.Path, w.Line));
    }

    [Fact]
    public void DatabaseUrl_FromGeneralSettingsWithEnvironReference_WinsOverDatabaseUrlVariable()
    {
        var config = Load(Models.Replace("  master_key: sk-shared-test-key\n", "  master_key: sk-shared-test-key\n  database_url: os.environ/PG_URL\n", StringComparison.Ordinal),
            new Dictionary<string, string> { ["PG_URL"] = "postgresql://sy:pw@db-a:5432/sy", ["DATABASE_URL"] = "postgres://other@db-b/x" });

        Assert.Equal("postgresql://sy:pw@db-a:5432/sy", config.Store.DatabaseUrl);
        Assert.Empty(config.Warnings);
    }

    [Theory]
    [InlineData("postgres://sy@db.internal/switchyard")]
    [InlineData("postgresql://sy:p%40ss@[::1]:5433/sy?sslmode=require")]
    [InlineData("Host=db.internal;Port=5432;Username=sy;Password=pw;Database=switchyard")]
    [InlineData("server = db ; database = sy")]
    [InlineData("Host=db;Password='a;b=c';Database=sy")]
    [InlineData("postgresql://sy:pw@db1:5432,db2:5433/sy?target_session_attrs=read-write")]
    [InlineData("postgresql:///sy?host=/var/run/postgresql")]
    public void DatabaseUrl_FromTheEnvironment_AcceptedShapes(string url)
    {
        Assert.Equal(url.Trim(), Load(Models, new Dictionary<string, string> { ["DATABASE_URL"] = url }).Store.DatabaseUrl);
    }

    [Fact]
    public void DatabaseUrl_BuiltFromDatabaseHostUserPasswordNameLikeLiteLlm()
    {
        var env = new Dictionary<string, string> { ["DATABASE_HOST"] = "db:5432", ["DATABASE_USERNAME"] = "sy", ["DATABASE_PASSWORD"] = "p@ss", ["DATABASE_NAME"] = "switchyard" };

        Assert.Equal("postgresql://sy:p%40ss@db:5432/switchyard", Load(Models, env).Store.DatabaseUrl);
        env.Remove("DATABASE_NAME");
        Assert.Null(Load(Models, env).Store.DatabaseUrl);
    }

    [Theory]
    [InlineData("mysql://root:hunter2@db/x", "is a mysql:// URL, not PostgreSQL")]
    [InlineData("Database=x;Username=u;Password=hunter2", "without Host=")]
    [InlineData("hunter2", "neither a URL nor a key=value connection string")]
    [InlineData("postgresql://u:hunter2#x@db/sy", "has a URL fragment")]
    [InlineData("postgresql://", "has nothing after the scheme")]
    public void DatabaseUrl_BadShapeInTheFile_ErrorWithPathAndLineThatNeverRepeatsTheValue(string url, string expected)
    {
        var e = Assert.Single(Errors(Models.Replace("  master_key: sk-shared-test-key\n", $"  master_key: sk-shared-test-key\n  database_url: \"{url}\"\n", StringComparison.Ordinal)));

        Assert.Equal(("general_settings.database_url", 7), (e.Path, e.Line));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("postgresql://user:password@host:port/database", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatabaseUrl_BadShapeInTheEnvironment_ErrorNamesTheVariable()
    {
        var e = Assert.Single(Errors(Models, new Dictionary<string, string> { ["DATABASE_URL"] = "sqlite:///tmp/x.db" }));

        Assert.Equal("DATABASE_URL", e.Path);
        Assert.Null(e.Line);
        Assert.Contains("from the environment", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DatabaseUrl_MissingEnvironReference_Error()
    {
        var e = Assert.Single(Errors(Models.Replace("  master_key: sk-shared-test-key\n", "  master_key: sk-shared-test-key\n  database_url: os.environ/NO_SUCH_DB\n", StringComparison.Ordinal)));

        Assert.Equal(("general_settings.database_url", 7, "environment variable NO_SUCH_DB is not set"), (e.Path, e.Line, e.Message));
    }

    [Fact]
    public void SqlitePathBesideADatabaseUrl_WarnedAsUnused()
    {
        var w = Assert.Single(Load(Models + "switchyard:\n  store:\n    sqlite_path: ./x.db\n", new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://db/sy" }).Warnings);

        Assert.Equal(("switchyard.store.sqlite_path", 9), (w.Path, w.Line));
    }

    [Fact]
    public void SpendJournal_ResolvedFromTheConfigFolderLikeTheSqlitePath()
    {
        var config = Load(Models + "switchyard:\n  spend:\n    journal: ./state/spend.journal\n");

        Assert.Equal(Path.Combine(_dir, "state", "spend.journal"), config.Store.SpendJournalPath);
    }

    [Fact]
    public void SpendJournalFsync_Read()
    {
        Assert.False(Load(Models).Store.SpendJournalFsync);
        Assert.True(Load(Models + "switchyard:\n  spend:\n    journal_fsync: true\n").Store.SpendJournalFsync);
    }

    [Fact]
    public void SpendJournal_NotAFilePath_Error()
    {
        var e = Assert.Single(Errors(Models + "switchyard:\n  spend:\n    journal: \"./state/\"\n"));

        Assert.Equal(("switchyard.spend.journal", 9), (e.Path, e.Line));
    }

    /// <summary>docs/scaling.md's multi-replica example loads as written, with the environment it lists, and means what it says.</summary>
    [Fact]
    public void ScalingDocExample_LoadsCleanlyWithItsEnvironment()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var doc = File.ReadAllText(Path.Combine(repo, "docs", "scaling.md"));
        var section = doc[doc.IndexOf("## Configuration", StringComparison.Ordinal)..];
        static string Block(string text, string fence)
        {
            var start = text.IndexOf(fence, StringComparison.Ordinal) + fence.Length;
            return text[start..text.IndexOf("```", start, StringComparison.Ordinal)];
        }

        var env = Block(section, "```sh\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#') && l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);

        var config = Load(Block(section, "```yaml\n"), env);

        Assert.Empty(config.Warnings);
        Assert.Equal("redis://:...@redis.internal:6379", config.Shared.RedisUrl);
        Assert.Equal(env["DATABASE_URL"], config.Store.DatabaseUrl);
        Assert.Equal((3, RedisFailurePolicy.FailClosed, true, true, true), (config.Shared.Replicas, config.Shared.OnRedisFailure, config.Shared.Limits, config.Shared.Budgets, config.Shared.Breakers));
        Assert.Equal("switchyard:prod:", config.Shared.KeyPrefix);
        Assert.Equal("/var/lib/switchyard/spend.journal", config.Store.SpendJournalPath);
    }
}
