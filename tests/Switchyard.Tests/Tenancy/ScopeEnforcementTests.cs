using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>Scopes on every route family, admin-token and master-key rules on inference, and token lifecycle (expiry, revocation, rotation).</summary>
public sealed class ScopeEnforcementTests
{
    private const string Models = """
        model_list:
          - model_name: chat-a
            litellm_params:
              model: mock/a
              mock_response: ok
          - model_name: chat-b
            litellm_params:
              model: mock/b
              mock_response: ok
          - model_name: chat-c
            litellm_params:
              model: mock/c
              mock_response: ok
          - model_name: embed
            litellm_params:
              model: mock/embed
        """;

    private const string Tenants = """

        switchyard:
          tenants:
            - tenant_id: acme
              models: [chat-a, chat-b, embed]
            - tenant_id: globex
        """;

    private static readonly DateTimeOffset Start = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Inference_TokenScopes_OnlyInvokeMayCallChatAndEmbeddings()
    {
        await using var gw = await GatewayFixture.StartAsync(Models + Tenants);
        var (invoke, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "invoke" } });
        var (usage, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "usage:read" } });
        var (health, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "health:read" } });

        Assert.Equal(200, (await gw.ChatAsync(invoke, "chat-a")).Status);
        Assert.Equal(200, (await gw.EmbedAsync(invoke, "embed")).Status);
        foreach (var token in new[] { usage, health })
        {
            var chat = await gw.ChatAsync(token, "chat-a");
            var embed = await gw.EmbedAsync(token, "embed");
            Assert.Equal((403, "missing_scope"), (chat.Status, chat.ErrorCode));
            Assert.Equal((403, "missing_scope"), (embed.Status, embed.ErrorCode));
        }

        var none = await gw.ChatAsync(null, "chat-a");
        Assert.Equal((401, "missing_token"), (none.Status, none.ErrorCode));
        var wrong = await gw.ChatAsync("sk-not-a-real-token", "chat-a");
        Assert.Equal((401, "invalid_token"), (wrong.Status, wrong.ErrorCode));
    }

    [Fact]
    public async Task Models_TokenAndTenantAllowLists_ListsOnlyTheirIntersection()
    {
        await using var gw = await GatewayFixture.StartAsync(Models + Tenants);
        var (narrow, _) = await gw.GenerateKeyAsync(new { team_id = "acme", models = new[] { "chat-a", "chat-c" } });
        var (tenantWide, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var (unrestricted, _) = await gw.GenerateKeyAsync(new { team_id = "globex" });
        var (usage, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "usage:read" } });

        Assert.Equal(["chat-a"], await ListedAsync(gw, narrow));
        Assert.Equal(["chat-a", "chat-b", "embed"], await ListedAsync(gw, tenantWide));
        Assert.Equal(["chat-a", "chat-b", "chat-c", "embed"], await ListedAsync(gw, unrestricted));
        Assert.Equal(["chat-a", "chat-b", "chat-c", "embed"], await ListedAsync(gw, GatewayFixture.MasterKey));
        var denied = await gw.GetAsync("/v1/models", usage);
        Assert.Equal((403, "missing_scope"), (denied.Status, denied.ErrorCode));

        // the same lists gate inference
        Assert.Equal(200, (await gw.ChatAsync(narrow, "chat-a")).Status);
        var tokenOnly = await gw.ChatAsync(narrow, "chat-c"); // the token allows it, the tenant does not
        var tenantOnly = await gw.ChatAsync(narrow, "chat-b"); // the tenant allows it, the token does not
        Assert.Equal((403, "model_not_allowed"), (tokenOnly.Status, tokenOnly.ErrorCode));
        Assert.Equal((403, "model_not_allowed"), (tenantOnly.Status, tenantOnly.ErrorCode));
    }

    [Fact]
    public async Task Health_Scopes_OnlyHealthReadAdminOrMasterMayRead()
    {
        await using var gw = await GatewayFixture.StartAsync(Models + Tenants);
        var (health, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "health:read" } });
        var (admin, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "admin" } });
        var (invoke, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "invoke" } });
        var (usage, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "usage:read" } });

        Assert.Equal(200, (await gw.GetAsync("/health", health)).Status);
        Assert.Equal(200, (await gw.GetAsync("/health", admin)).Status);
        Assert.Equal(200, (await gw.GetAsync("/health", GatewayFixture.MasterKey)).Status);
        foreach (var token in new[] { invoke, usage })
        {
            var r = await gw.GetAsync("/health", token);
            Assert.Equal((403, "missing_scope"), (r.Status, r.ErrorCode));
        }

        var anonymous = await gw.GetAsync("/health", null);
        Assert.Equal((401, "missing_token"), (anonymous.Status, anonymous.ErrorCode));
        Assert.Equal(200, (await gw.GetAsync("/health/liveliness", null)).Status); // probes need no token
    }

    [Fact]
    public async Task AdminRoutes_InvokeOrUsageReadToken_Get403MissingScope()
    {
        await using var gw = await GatewayFixture.StartAsync(Models + Tenants);
        var (invoke, invokeHash) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var (usage, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "usage:read" } });
        var (admin, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "admin" } });
        (HttpMethod Method, string Path, string? Body)[] adminOnly =
        [
            (HttpMethod.Post, "/key/generate", "{}"),
            (HttpMethod.Post, "/key/update", $$"""{"key":"{{invokeHash}}","rpm_limit":1}"""),
            (HttpMethod.Post, "/key/delete", $$"""{"keys":["{{invokeHash}}"]}"""),
            (HttpMethod.Post, "/key/regenerate", $$"""{"key":"{{invokeHash}}"}"""),
            (HttpMethod.Post, $"/key/{invokeHash}/regenerate", "{}"),
            (HttpMethod.Get, "/key/list", null),
            (HttpMethod.Post, "/team/new", """{"team_id":"evil"}"""),
            (HttpMethod.Post, "/team/update", """{"team_id":"globex","rpm_limit":1}"""),
            (HttpMethod.Post, "/team/delete", """{"team_ids":["globex"]}"""),
            (HttpMethod.Get, "/team/list", null),
        ];

        foreach (var token in new[] { invoke, usage })
        {
            foreach (var (method, path, body) in adminOnly)
            {
                var r = await gw.SendAsync(method, path, token, body);
                Assert.True(r.Status == 403 && r.ErrorCode == "missing_scope", $"{method} {path}: {r}");
            }
        }

        // a key with neither usage:read nor admin reads only itself and its own team (KeyReadsItself_... below)
        foreach (var path in new[] { "/team/info?team_id=globex", "/spend/logs?team_id=globex" })
        {
            var r = await gw.GetAsync(path, invoke);
            Assert.True(r.Status == 403 && r.ErrorCode == "missing_scope", $"{path}: {r}");
        }

        // nothing changed, and an admin-scoped token may do it all
        Assert.Equal(200, (await gw.ChatAsync(invoke, "chat-a")).Status);
        Assert.Equal(200, (await gw.GetAsync("/key/list", admin)).Status);
        Assert.Equal(200, (await gw.GetAsync("/team/list", admin)).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "initech" }, admin)).Status);
    }

    [Fact]
    public async Task KeyReadsItself_OwnKeyInfoTeamInfoAndSpend_WithoutExtraScope_OthersStillNeedAdmin()
    {
        await using var gw = await GatewayFixture.StartAsync(Models + Tenants);
        var (mine, mineHash) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var (_, siblingHash) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var (globex, globexHash) = await gw.GenerateKeyAsync(new { team_id = "globex" });
        Assert.Equal(200, (await gw.ChatAsync(mine, "chat-a")).Status);
        Assert.Equal(200, (await gw.ChatAsync(globex, "chat-a")).Status);

        // itself: by default, by clear token and by hash
        foreach (var path in new[] { "/key/info", "/key/info?key=" + mine, "/key/info?key=" + mineHash })
        {
            var r = await gw.GetAsync(path, mine);
            Assert.True(r.Status == 200, $"{path}: {r}");
            Assert.Equal(mineHash, r.Json.GetProperty("info").GetProperty("token").GetString());
        }

        var team = await gw.GetAsync("/team/info?team_id=acme", mine);
        Assert.Equal(200, team.Status);
        Assert.Equal("acme", team.Json.GetProperty("team_id").GetString());
        Assert.Equal(200, (await gw.GetAsync("/team/info", mine)).Status);

        var spend = await gw.GetAsync("/spend/logs", mine);
        Assert.Equal(200, spend.Status);
        var rows = spend.Json.EnumerateArray().ToArray();
        Assert.Single(rows);
        Assert.Equal(mineHash, rows[0].GetProperty("api_key").GetString());

        // others: refused with the admin scope named, or (a sibling's spend) answered as if it did not exist
        foreach (var path in new[] { "/key/info?key=" + siblingHash, "/key/info?key=" + globexHash, "/team/info?team_id=globex" })
        {
            var r = await gw.GetAsync(path, mine);
            Assert.True(r.Status == 403 && r.ErrorCode == "missing_scope", $"{path}: {r}");
        }

        Assert.Equal((404, "not_found"), await StatusAndCode(gw.GetAsync("/spend/logs?api_key=" + siblingHash, mine)));
        Assert.Equal((403, "missing_scope"), await StatusAndCode(gw.GetAsync("/spend/logs?team_id=globex", mine)));

        // the master key still reads everyone
        Assert.Equal(200, (await gw.GetAsync("/key/info?key=" + siblingHash)).Status);
        Assert.Equal(200, (await gw.GetAsync("/team/info?team_id=globex")).Status);
        Assert.Equal(2, (await gw.GetAsync("/spend/logs")).Json.GetArrayLength());
    }

    private static async Task<(int, string?)> StatusAndCode(Task<ApiResponse> response)
    {
        var r = await response;
        return (r.Status, r.ErrorCode);
    }

    [Fact]
    public async Task UsageRead_KeyInfoTeamInfoAndSpendLogs_LimitedToOwnKeyAndTenant()
    {
        await using var gw = await GatewayFixture.StartAsync(Models + Tenants);
        var (usage, usageHash) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "usage:read" } });
        var (acmeInvoke, acmeHash) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var (globexInvoke, globexHash) = await gw.GenerateKeyAsync(new { team_id = "globex" });
        Assert.Equal(200, (await gw.ChatAsync(acmeInvoke, "chat-a")).Status);
        Assert.Equal(200, (await gw.ChatAsync(acmeInvoke, "chat-b")).Status);
        Assert.Equal(200, (await gw.ChatAsync(globexInvoke, "chat-c")).Status);

        var own = await gw.GetAsync("/key/info", usage);
        Assert.Equal(200, own.Status);
        Assert.Equal(usageHash, own.Json.GetProperty("key").GetString());
        var ownByToken = await gw.GetAsync("/key/info?key=" + usageHash, usage);
        Assert.Equal(200, ownByToken.Status);
        foreach (var other in new[] { acmeHash, globexHash })
        {
            var r = await gw.GetAsync("/key/info?key=" + other, usage); // as if it did not exist (see TenantAdminTests)
            Assert.Equal((404, "not_found"), (r.Status, r.ErrorCode));
        }

        Assert.Equal(200, (await gw.GetAsync("/team/info", usage)).Status);
        var otherTeam = await gw.GetAsync("/team/info?team_id=globex", usage);
        Assert.Equal((403, "missing_scope"), (otherTeam.Status, otherTeam.ErrorCode));

        var logs = await gw.GetAsync("/spend/logs", usage);
        Assert.Equal(200, logs.Status);
        var rows = logs.Json.EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        Assert.All(rows, r => Assert.Equal("acme", r.GetProperty("team_id").GetString()));
        Assert.All(rows, r => Assert.Equal(acmeHash, r.GetProperty("api_key").GetString()));
        var foreign = await gw.GetAsync("/spend/logs?team_id=globex", usage);
        Assert.Equal((403, "missing_scope"), (foreign.Status, foreign.ErrorCode));
        var foreignKey = await gw.GetAsync("/spend/logs?api_key=" + globexHash, usage);
        Assert.Equal((404, "not_found"), (foreignKey.Status, foreignKey.ErrorCode)); // as if it did not exist
        var tenantKey = await gw.GetAsync("/spend/logs?api_key=" + acmeHash, usage);
        Assert.Equal(2, tenantKey.Json.GetArrayLength());

        var all = await gw.GetAsync("/spend/logs", GatewayFixture.MasterKey);
        Assert.Equal(3, all.Json.GetArrayLength());
    }

    [Fact]
    public async Task Inference_AdminScopedToken_RefusedUnlessAllowAdminInvoke()
    {
        await using (var strict = await GatewayFixture.StartAsync(Models))
        {
            var (admin, _) = await strict.GenerateKeyAsync(new { scopes = new[] { "admin" } });
            var (both, _) = await strict.GenerateKeyAsync(new { scopes = new[] { "admin", "invoke" } });
            foreach (var token in new[] { admin, both })
            {
                var chat = await strict.ChatAsync(token, "chat-a");
                var embed = await strict.EmbedAsync(token, "embed");
                Assert.Equal((403, "admin_token_on_inference"), (chat.Status, chat.ErrorCode));
                Assert.Equal((403, "admin_token_on_inference"), (embed.Status, embed.ErrorCode));
            }
        }

        await using var lenient = await GatewayFixture.StartAsync(Models + """

            switchyard:
              auth:
                allow_admin_invoke: true
            """);
        var (adminOnly, _) = await lenient.GenerateKeyAsync(new { scopes = new[] { "admin" } });
        Assert.Equal(200, (await lenient.ChatAsync(adminOnly, "chat-a")).Status);
        Assert.Equal(200, (await lenient.EmbedAsync(adminOnly, "embed")).Status);
    }

    [Fact]
    public async Task Inference_MasterKey_AllowedUnlessMasterKeyInvokeFalse()
    {
        await using (var lenient = await GatewayFixture.StartAsync(Models))
        {
            Assert.Equal(200, (await lenient.ChatAsync(GatewayFixture.MasterKey, "chat-a")).Status);
        }

        await using var strict = await GatewayFixture.StartAsync(Models + """

            switchyard:
              auth:
                master_key_invoke: false
            """);
        var chat = await strict.ChatAsync(GatewayFixture.MasterKey, "chat-a");
        var embed = await strict.EmbedAsync(GatewayFixture.MasterKey, "embed");
        Assert.Equal((403, "admin_token_on_inference"), (chat.Status, chat.ErrorCode));
        Assert.Equal((403, "admin_token_on_inference"), (embed.Status, embed.ErrorCode));
        Assert.Equal(200, (await strict.GetAsync("/key/list")).Status); // still an admin key
    }

    [Fact]
    public async Task Token_DurationElapsed_Gets401TokenExpired()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Models, time);
        var (token, _) = await gw.GenerateKeyAsync(new { duration = "30s" });

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(200, (await gw.ChatAsync(token, "chat-a")).Status);
        time.Advance(TimeSpan.FromSeconds(1));
        var chat = await gw.ChatAsync(token, "chat-a");
        var models = await gw.GetAsync("/v1/models", token);
        Assert.Equal((401, "token_expired"), (chat.Status, chat.ErrorCode));
        Assert.Equal((401, "token_expired"), (models.Status, models.ErrorCode));
    }

    [Fact]
    public async Task Token_BlockedByUpdateOrDeleted_Gets401InvalidToken()
    {
        await using var gw = await GatewayFixture.StartAsync(Models);
        var (blocked, blockedHash) = await gw.GenerateKeyAsync(new { scopes = new[] { "invoke", "usage:read" } });
        var (deleted, deletedHash) = await gw.GenerateKeyAsync(new { });
        Assert.Equal(200, (await gw.ChatAsync(blocked, "chat-a")).Status);
        Assert.Equal(200, (await gw.ChatAsync(deleted, "chat-a")).Status);

        Assert.Equal(200, (await gw.PostAsync("/key/update", new { key = blockedHash, blocked = true })).Status);
        Assert.Equal(200, (await gw.PostAsync("/key/delete", new { keys = new[] { deletedHash } })).Status);

        foreach (var token in new[] { blocked, deleted })
        {
            var chat = await gw.ChatAsync(token, "chat-a");
            var info = await gw.GetAsync("/key/info", token);
            Assert.Equal((401, "invalid_token"), (chat.Status, chat.ErrorCode));
            Assert.Equal((401, "invalid_token"), (info.Status, info.ErrorCode));
        }

        Assert.Equal(200, (await gw.PostAsync("/key/update", new { key = blockedHash, blocked = false })).Status);
        Assert.Equal(200, (await gw.ChatAsync(blocked, "chat-a")).Status);
    }

    [Fact]
    public async Task Token_RegeneratedWithGracePeriod_BothWorkDuringGraceOnlyNewAfter()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Models, time);
        var (old, oldHash) = await gw.GenerateKeyAsync(new { key_alias = "agent" });

        var rotated = await gw.PostAsync("/key/regenerate", new { key = old, grace_period = "60s" });
        Assert.Equal(200, rotated.Status);
        var fresh = rotated.Json.GetProperty("key").GetString()!;
        Assert.NotEqual(old, fresh);
        Assert.Equal(oldHash, rotated.Json.GetProperty("rotated_from").GetString());
        Assert.Equal("agent", rotated.Json.GetProperty("key_alias").GetString());

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(200, (await gw.ChatAsync(old, "chat-a")).Status);
        Assert.Equal(200, (await gw.ChatAsync(fresh, "chat-a")).Status);

        time.Advance(TimeSpan.FromSeconds(1));
        var after = await gw.ChatAsync(old, "chat-a");
        Assert.Equal((401, "token_rotated"), (after.Status, after.ErrorCode));
        Assert.Equal(200, (await gw.ChatAsync(fresh, "chat-a")).Status);

        // without a grace period the old token stops at once
        var again = await gw.PostAsync($"/key/{Uri.EscapeDataString(fresh)}/regenerate", new { });
        Assert.Equal(200, again.Status);
        var immediate = await gw.ChatAsync(fresh, "chat-a");
        Assert.Equal((401, "invalid_token"), (immediate.Status, immediate.ErrorCode));
        Assert.Equal(200, (await gw.ChatAsync(again.Json.GetProperty("key").GetString(), "chat-a")).Status);
    }

    private static async Task<string[]> ListedAsync(GatewayFixture gw, string token)
    {
        var r = await gw.GetAsync("/v1/models", token);
        Assert.True(r.Status == 200, r.ToString());
        return r.Json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToArray();
    }
}
