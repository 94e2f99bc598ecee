using System.Text;
using System.Text.Json;
using Switchyard.Cli.Doctor;
using Switchyard.Core.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// Deployments through the admin API (/model/new, /model/update, /model/delete, /model/info): routed at once through a
/// real fake provider, credentials encrypted in the real SQLite file and never returned, the file's deployments
/// read-only, bad input refused with nothing stored, and what a missing or wrong encryption key does.
/// </summary>
public sealed class ModelAdminTests
{
    private const string KeyA = "test-encryption-key-aaaaaaaaaaaa";
    private const string KeyB = "test-encryption-key-bbbbbbbbbbbb";
    private const string UpstreamKey = "sk-upstream-credential-0001";

    private static string Yaml(string? encryptionKey) => """
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/chat
              mock_response: ok
            model_info:
              id: file-chat
        router_settings:
          num_retries: 0
        """ + (encryptionKey is null ? "" : $"\nswitchyard:\n  store:\n    encryption_key: {encryptionKey}\n");

    private static object NewModel(string baseUrl, string apiKey = UpstreamKey, string name = "byo", string? id = null) => new
    {
        model_name = name,
        litellm_params = new { model = "openai/gpt-4o-mini", api_base = baseUrl + "/v1", api_key = apiKey, rpm = 100 },
        model_info = id is null ? (object)new { mode = "chat" } : new { id, mode = "chat" },
    };

    [Fact]
    public async Task NewModel_RoutesAtOnceThroughTheProvider_UpdateChangesItsKey_DeleteMakesItA404()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(KeyA));
        Assert.Equal(404, (await gw.ChatAsync(GatewayFixture.MasterKey, "byo")).Status);

        var created = await gw.PostAsync("/model/new", NewModel(upstream.BaseUrl));
        Assert.True(created.Status == 200, created.ToString());
        var id = created.Json.GetProperty("model_id").GetString();
        Assert.Equal("byo", created.Json.GetProperty("model_name").GetString());
        Assert.True(created.Json.GetProperty("model_info").GetProperty("db_model").GetBoolean());

        var first = await gw.ChatAsync(GatewayFixture.MasterKey, "byo");
        Assert.True(first.Status == 200, first.ToString());
        Assert.Equal("Bearer " + UpstreamKey, upstream.Requests.Single().Headers["authorization"]);

        var updated = await gw.PostAsync("/model/update", new { model_info = new { id }, litellm_params = new { api_key = "sk-upstream-credential-0002" } });
        Assert.True(updated.Status == 200, updated.ToString());
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "byo")).Status);
        Assert.Equal("Bearer sk-upstream-credential-0002", upstream.Requests.Last().Headers["authorization"]);
        Assert.Contains("gpt-4o-mini", upstream.Requests.Last().Body, StringComparison.Ordinal); // the rest of litellm_params kept

        var deleted = await gw.PostAsync("/model/delete", new { id });
        Assert.True(deleted.Status == 200, deleted.ToString());
        Assert.Equal($"Model: {id} deleted successfully", deleted.Json.GetProperty("message").GetString());
        var gone = await gw.ChatAsync(GatewayFixture.MasterKey, "byo");
        Assert.Equal((404, "model_not_found"), (gone.Status, gone.ErrorCode));
        Assert.Equal(404, (await gw.PostAsync("/model/delete", new { id })).Status);
    }

    [Fact]
    public async Task Credentials_AreCiphertextInTheSqliteFile_AndNoRouteOrLogReturnsThem()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(KeyA));
        var created = await gw.PostAsync("/model/new", NewModel(upstream.BaseUrl, id: "byo-1"));
        Assert.True(created.Status == 200, created.ToString());
        var info = await gw.GetAsync("/model/info");
        var v1Info = await gw.GetAsync("/v1/model/info?litellm_model_id=byo-1");
        var config = await gw.GetAsync("/config");

        foreach (var r in new[] { created, info, v1Info, config })
        {
            Assert.DoesNotContain(UpstreamKey, r.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("sy-enc:", r.Body, StringComparison.Ordinal);
        }

        var data = info.Json.GetProperty("data").EnumerateArray().ToArray();
        var stored = data.Single(d => d.GetProperty("model_info").GetProperty("id").GetString() == "byo-1");
        Assert.Equal("openai/gpt-4o-mini", stored.GetProperty("litellm_params").GetProperty("model").GetString());
        Assert.Equal(upstream.BaseUrl + "/v1", stored.GetProperty("litellm_params").GetProperty("api_base").GetString());
        Assert.False(stored.GetProperty("litellm_params").TryGetProperty("api_key", out _));
        Assert.True(stored.GetProperty("model_info").GetProperty("db_model").GetBoolean());
        var file = data.Single(d => d.GetProperty("model_info").GetProperty("id").GetString() == "file-chat");
        Assert.False(file.GetProperty("model_info").GetProperty("db_model").GetBoolean());
        Assert.Equal("byo-1", v1Info.Json.GetProperty("data").EnumerateArray().Single().GetProperty("model_info").GetProperty("id").GetString());

        string column;
        using (var c = GatewayApi.OpenSqlite(gw.SqlitePath))
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT litellm_params FROM deployments WHERE model_id = 'byo-1'";
            column = (string)cmd.ExecuteScalar()!;
        }

        var apiKey = JsonDocument.Parse(column).RootElement.GetProperty("api_key").GetString()!;
        Assert.StartsWith("sy-enc:v1:", apiKey, StringComparison.Ordinal);
        Assert.Equal(12 + UpstreamKey.Length + 16, Convert.FromBase64String(apiKey["sy-enc:v1:".Length..]).Length); // nonce | ciphertext | tag
        foreach (var path in new[] { gw.SqlitePath, gw.SqlitePath + "-wal" }.Where(File.Exists))
        {
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.DoesNotContain(UpstreamKey, Encoding.Latin1.GetString(bytes), StringComparison.Ordinal);
        }

        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "byo")).Status);
        Assert.DoesNotContain(UpstreamKey, gw.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewModel_WithACredentialAndNoEncryptionKey_IsRefusedSayingWhatToSet_AndStoresNothing()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(null));

        var refused = await gw.PostAsync("/model/new", NewModel(upstream.BaseUrl, id: "byo-1"));

        Assert.Equal((400, "encryption_key_missing", "litellm_params.api_key"), (refused.Status, refused.ErrorCode, refused.ErrorParam));
        Assert.Contains("switchyard.store.encryption_key", refused.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("SWITCHYARD_ENCRYPTION_KEY", refused.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("byo-1", (await gw.GetAsync("/model/info")).Body, StringComparison.Ordinal);
        Assert.Equal(404, (await gw.ChatAsync(GatewayFixture.MasterKey, "byo")).Status);

        // a reference names a secret without being one: it needs no encryption key
        var byReference = await gw.PostAsync("/model/new", NewModel(upstream.BaseUrl, apiKey: "os.environ/SY_TEST_UNSET_PROVIDER_KEY", id: "byo-2"));
        Assert.True(byReference.Status == 200, byReference.ToString());
    }

    [Fact]
    public async Task EncryptionKey_FromTheEnvironment_SwitchyardNameFirstThenLiteLLMs()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var env = new Dictionary<string, string> { ["LITELLM_SALT_KEY"] = KeyB };
        await using var gw = await GatewayFixture.StartAsync(Yaml(null), env: env);
        Assert.Equal("LITELLM_SALT_KEY", gw.Config.Store.EncryptionKeySource);
        var created = await gw.PostAsync("/model/new", NewModel(upstream.BaseUrl));
        Assert.True(created.Status == 200, created.ToString());
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "byo")).Status);

        env["SWITCHYARD_ENCRYPTION_KEY"] = KeyA;
        await using var both = await GatewayFixture.StartAsync(Yaml(null), env: env);
        Assert.Equal(("SWITCHYARD_ENCRYPTION_KEY", KeyA), (both.Config.Store.EncryptionKeySource, both.Config.Store.EncryptionKey));
    }

    [Fact]
    public async Task Restart_WithAnotherOrNoKey_LeavesTheStoredDeploymentDisabledSayingWhy_AndDoctorFindsIt()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var sqlite = GatewayFixture.NewSqlitePath();
        await using (var first = await GatewayFixture.StartAsync(Yaml(KeyA), sqlitePath: sqlite))
        {
            Assert.Equal(200, (await first.PostAsync("/model/new", NewModel(upstream.BaseUrl, id: "byo-1"))).Status);
        }

        await using (var wrong = await GatewayFixture.StartAsync(Yaml(KeyB), sqlitePath: sqlite))
        {
            var chat = await wrong.ChatAsync(GatewayFixture.MasterKey, "byo");
            Assert.NotEqual(200, chat.Status);
            Assert.Empty(upstream.Requests);
            var entry = (await wrong.GetAsync("/model/info?litellm_model_id=byo-1")).Json.GetProperty("data").EnumerateArray().Single().GetProperty("model_info");
            Assert.False(entry.GetProperty("enabled").GetBoolean());
            Assert.Contains("cannot be decrypted", entry.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
            var stored = await ListStoredAsync(sqlite);
            Assert.Equal("SY147", Assert.Single(StoredModelsCheck.Evaluate(wrong.Config, stored)).Id);
        }

        await using (var none = await GatewayFixture.StartAsync(Yaml(null), sqlitePath: sqlite))
        {
            var entry = (await none.GetAsync("/model/info?litellm_model_id=byo-1")).Json.GetProperty("data").EnumerateArray().Single().GetProperty("model_info");
            Assert.Contains("no encryption key is set", entry.GetProperty("disabled_reason").GetString(), StringComparison.Ordinal);
            var finding = Assert.Single(StoredModelsCheck.Evaluate(none.Config, await ListStoredAsync(sqlite)));
            Assert.Equal(("SY146", Finding.Error), (finding.Id, finding.Severity));
        }

        await using var right = await GatewayFixture.StartAsync(Yaml(KeyA), sqlitePath: sqlite);
        Assert.Equal(200, (await right.ChatAsync(GatewayFixture.MasterKey, "byo")).Status);
        Assert.Equal("SY148", Assert.Single(StoredModelsCheck.Evaluate(right.Config, await ListStoredAsync(sqlite))).Id);
    }

    [Fact]
    public async Task FileDeployments_CannotBeUpdatedDeletedOrShadowedThroughTheApi()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(KeyA));

        var update = await gw.PostAsync("/model/update", new { model_info = new { id = "file-chat" }, litellm_params = new { rpm = 5 } });
        var delete = await gw.PostAsync("/model/delete", new { id = "file-chat" });
        var shadow = await gw.PostAsync("/model/new", NewModel(upstream.BaseUrl, name: "chat", id: "file-chat"));

        foreach (var r in new[] { update, delete, shadow })
        {
            Assert.Equal((409, "declared_in_config"), (r.Status, r.ErrorCode));
            Assert.Contains("comes from the config file", r.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(404, (await gw.PostAsync("/model/update", new { model_info = new { id = "no-such" } })).Status);
        var chat = await gw.ChatAsync(GatewayFixture.MasterKey, "chat");
        Assert.Equal(200, chat.Status);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("nosuch/gpt-4o", null, "litellm_params.model", "provider 'nosuch' is not supported")]
    [InlineData("openai/gpt-4o", "not a url", "litellm_params.api_base", "is not an absolute http(s) URL")]
    [InlineData("hosted_vllm/llama", "", "litellm_params.api_base", "has no default endpoint")]
    public async Task NewModel_InvalidDeployment_Is400NamingThePath_AndStoresNothing(string model, string? apiBase, string param, string says)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml(KeyA));
        var parameters = new Dictionary<string, object> { ["model"] = model, ["api_key"] = UpstreamKey };
        if (apiBase is { Length: > 0 })
        {
            parameters["api_base"] = apiBase;
        }

        var r = await gw.PostAsync("/model/new", new { model_name = "bad", litellm_params = parameters, model_info = new { id = "bad-1" } });

        Assert.Equal((400, "invalid_deployment", param), (r.Status, r.ErrorCode, r.ErrorParam));
        Assert.Contains(says, r.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(await ListStoredAsync(gw.SqlitePath));
        Assert.Equal(400, (await gw.PostAsync("/model/new", new { model_name = "bad" })).Status); // litellm_params missing
    }

    [Fact]
    public async Task ModelRoutes_NeedAGlobalAdmin_InfoShowsAKeyOnlyItsModels()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(KeyA));
        Assert.Equal(200, (await gw.PostAsync("/model/new", NewModel(upstream.BaseUrl, id: "byo-1"))).Status);
        var (agent, _) = await gw.GenerateKeyAsync(new { models = new[] { "byo" } });

        var refused = await gw.PostAsync("/model/new", NewModel(upstream.BaseUrl, id: "byo-2"), token: agent);
        Assert.Equal(403, refused.Status);
        var info = await gw.GetAsync("/model/info", token: agent);
        Assert.Equal(["byo-1"], info.Json.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("model_info").GetProperty("id").GetString()!).ToArray());
        Assert.Equal(401, (await gw.GetAsync("/model/info", token: null)).Status);
    }

    [Fact]
    public async Task StoredModels_SurviveAConfigReload_AndTheFileWinsWhenItLaterDeclaresTheSameId()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml(KeyA));
        Assert.Equal(200, (await gw.PostAsync("/model/new", NewModel(upstream.BaseUrl, id: "byo-1"))).Status);

        var reload = await gw.PostAsync("/config/reload", new { });
        Assert.True(reload.Status == 200, reload.ToString());
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "byo")).Status);
        Assert.Single(upstream.Requests);

        gw.WriteConfig(Yaml(KeyA).Replace("router_settings:", """
              - model_name: byo
                litellm_params:
                  model: mock/byo
                  mock_response: from the file
                model_info:
                  id: byo-1
            router_settings:
            """, StringComparison.Ordinal));
        Assert.Equal(200, (await gw.PostAsync("/config/reload", new { })).Status);

        var chat = await gw.ChatAsync(GatewayFixture.MasterKey, "byo");
        Assert.Equal(200, chat.Status);
        Assert.Contains("from the file", chat.Body, StringComparison.Ordinal);
        Assert.Single(upstream.Requests);
        Assert.Equal(409, (await gw.PostAsync("/model/delete", new { id = "byo-1" })).Status);
    }

    private static async Task<IReadOnlyList<StoredDeployment>> ListStoredAsync(string sqlitePath)
    {
        await using var store = new Switchyard.Storage.Sqlite.SqliteGatewayStore(sqlitePath);
        return await store.ListDeploymentsAsync(CancellationToken.None);
    }
}
