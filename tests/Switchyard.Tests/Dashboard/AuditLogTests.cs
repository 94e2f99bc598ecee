using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchyard.Core.Audit;
using Switchyard.Core.Tenancy;
using Switchyard.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Dashboard;

/// <summary>
/// The audit log: every admin action and refusal recorded (who, what, target, outcome, from where, never a token),
/// read through GET /audit/log (global admin all, tenant admin its tenant, others 403), kept across a clean shutdown,
/// pruned by switchyard.store.audit_retention.
/// </summary>
public sealed class AuditLogTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params: { model: mock/chat, mock_response: ok }
        """;

    private static JsonElement[] Rows(ApiResponse r) => r.Json.GetProperty("data").EnumerateArray().ToArray();

    [Fact]
    public async Task EveryAdminAction_RecordedWithActorTargetOutcomeAndClient_NeverAToken()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "acme" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/update", new { team_id = "acme", rpm_limit = 5 })).Status);
        Assert.Equal(200, (await gw.PostAsync("/user/new", new { user_id = "ann" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/user/update", new { user_id = "ann", user_email = "ann@example.com" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/member_add", new { team_id = "acme", member = new { user_id = "ann", role = "user" } })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/member_delete", new { team_id = "acme", user_id = "ann" })).Status);
        var (key, hash) = await gw.GenerateKeyAsync(new { team_id = "acme", key_alias = "agent" });
        Assert.Equal(200, (await gw.PostAsync("/key/update", new { key, rpm_limit = 9 })).Status); // the clear key given: stored by its id
        var rotated = await gw.PostAsync("/key/regenerate", new { key = hash });
        Assert.Equal(200, rotated.Status);
        var newKey = rotated.Json.GetProperty("key").GetString()!;
        var newHash = rotated.Json.GetProperty("token").GetString()!;
        Assert.Equal(200, (await gw.PostAsync("/key/delete", new { keys = new[] { newHash } })).Status);
        Assert.Equal(200, (await gw.PostAsync("/model/new", new { model_name = "extra", litellm_params = new { model = "mock/extra" }, model_info = new { id = "m-extra" } })).Status);
        Assert.Equal(200, (await gw.PostAsync("/model/update", new { model_info = new { id = "m-extra" }, litellm_params = new { model = "mock/extra2" } })).Status);
        Assert.Equal(200, (await gw.PostAsync("/model/delete", new { id = "m-extra" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/config/reload", new { })).Status);
        await gw.PostAsync("/alias/promote", new { alias = "chat" }); // no canary: refused, and recorded as such
        await gw.PostAsync("/alias/rollback", new { alias = "chat" });
        await gw.PostAsync("/alias/finalize", new { alias = "chat" });
        Assert.Equal(200, (await gw.PostAsync("/user/delete", new { user_ids = new[] { "ann" } })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/delete", new { team_ids = new[] { "acme" } })).Status);

        var log = await gw.GetAsync("/audit/log?page_size=500");

        Assert.True(log.Status == 200, log.ToString());
        var rows = Rows(log);
        Assert.Equal(
            ["team.new", "team.update", "user.new", "user.update", "team.member_add", "team.member_delete", "key.generate", "key.update", "key.regenerate", "key.delete",
             "model.new", "model.update", "model.delete", "config.reload", "alias.promote", "alias.rollback", "alias.finalize", "user.delete", "team.delete"],
            rows.Reverse().Select(r => r.GetProperty("action").GetString()));
        Assert.Equal(rows.Length, log.Json.GetProperty("total").GetInt64());
        Assert.All(rows, r =>
        {
            Assert.Equal("master", r.GetProperty("actor").GetString());
            Assert.Equal("127.0.0.1", r.GetProperty("client_address").GetString());
            Assert.False(string.IsNullOrEmpty(r.GetProperty("correlation_id").GetString()));
        });
        var byAction = rows.ToDictionary(r => r.GetProperty("action").GetString()!);
        Assert.Equal((hash, "acme", "ok", 200), Row(byAction["key.generate"]));
        Assert.Equal((hash, "acme", "ok", 200), Row(byAction["key.update"]));
        Assert.Equal(hash, byAction["key.regenerate"].GetProperty("target").GetString());
        Assert.Contains(newHash, byAction["key.regenerate"].GetProperty("detail").GetString());
        Assert.Equal(newHash, byAction["key.delete"].GetProperty("target").GetString());
        Assert.Equal(("acme", "acme"), (byAction["team.new"].GetProperty("target").GetString(), byAction["team.new"].GetProperty("target_tenant_id").GetString()));
        Assert.Equal("m-extra", byAction["model.new"].GetProperty("target").GetString());
        Assert.Equal("chat", byAction["alias.promote"].GetProperty("target").GetString());
        Assert.NotEqual("ok", byAction["alias.promote"].GetProperty("outcome").GetString());
        Assert.Contains("rpm_limit", byAction["key.update"].GetProperty("detail").GetString());
        Assert.DoesNotContain(key, log.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(newKey, log.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFixture.MasterKey, log.Body, StringComparison.Ordinal);

        // reading the log is not an admin action: nothing new was recorded
        Assert.Equal(rows.Length, (await gw.GetAsync("/audit/log")).Json.GetProperty("total").GetInt64());
    }

    private static (string?, string?, string?, int) Row(JsonElement r)
        => (r.GetProperty("target").GetString(), r.GetProperty("target_tenant_id").GetString(), r.GetProperty("outcome").GetString(), r.GetProperty("status").GetInt32());

    [Fact]
    public async Task Refusals_RecordedAsDenied_WithWhoTriedAndTheCode_AndTheUserAgent()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "acme" })).Status);
        var (invoker, invokerHash) = await gw.GenerateKeyAsync(new { team_id = "acme", key_alias = "bot" });
        var (tenantAdmin, tenantAdminHash) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "admin" } });

        Assert.Equal(403, (await gw.PostAsync("/key/generate", new { team_id = "acme" }, invoker)).Status);
        Assert.Equal(403, (await gw.PostAsync("/key/generate", new { team_id = "globex" }, tenantAdmin)).Status);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/team/delete") { Content = new StringContent("{\"team_ids\":[\"acme\"]}", Encoding.UTF8, "application/json") })
        {
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("probe", "1.0"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-not-a-key");
            Assert.Equal(401, (int)(await gw.Bare.SendAsync(request)).StatusCode);
        }

        var rows = Rows(await gw.GetAsync("/audit/log?page_size=10")).Where(r => r.GetProperty("outcome").GetString() != "ok").ToArray();

        Assert.Equal(3, rows.Length);
        Assert.Equal(("team.delete", null, 401, "invalid_token", "probe/1.0"),
            (rows[0].GetProperty("action").GetString(), rows[0].GetProperty("actor").GetString(), rows[0].GetProperty("status").GetInt32(), rows[0].GetProperty("error_code").GetString(), rows[0].GetProperty("user_agent").GetString()));
        Assert.Equal((tenantAdminHash, "acme", "denied", "outside_tenant"),
            (rows[1].GetProperty("actor").GetString(), rows[1].GetProperty("tenant_id").GetString(), rows[1].GetProperty("outcome").GetString(), rows[1].GetProperty("error_code").GetString()));
        Assert.Equal((invokerHash, "bot", "denied", "missing_scope"),
            (rows[2].GetProperty("actor").GetString(), rows[2].GetProperty("actor_alias").GetString(), rows[2].GetProperty("outcome").GetString(), rows[2].GetProperty("error_code").GetString()));
    }

    [Fact]
    public async Task Read_GlobalAdminAll_TenantAdminItsTenant_OthersRefused_FiltersAndPages()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "acme" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "globex" })).Status);
        var (acmeAdmin, acmeAdminHash) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "admin" }, key_alias = "acme-ops" });
        var (globexAdmin, _) = await gw.GenerateKeyAsync(new { team_id = "globex", scopes = new[] { "admin" } });
        var (reader, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "usage:read" } });
        var (byAcme, byAcmeHash) = (await gw.PostAsync("/key/generate", new { key_alias = "made-by-acme" }, acmeAdmin)).Json is var j ? (j.GetProperty("key").GetString(), j.GetProperty("token").GetString()) : default;
        Assert.NotNull(byAcme);
        Assert.Equal(200, (await gw.PostAsync("/key/generate", new { key_alias = "made-by-globex" }, globexAdmin)).Status);

        var all = await gw.GetAsync("/audit/log");
        var acme = await gw.GetAsync("/audit/log", acmeAdmin);

        Assert.Equal(7, all.Json.GetProperty("total").GetInt64()); // 2 teams, 5 keys
        Assert.Equal((1, 50), (all.Json.GetProperty("page").GetInt32(), all.Json.GetProperty("page_size").GetInt32()));
        // acme's admin: the rows about acme's keys and team (made by the master key) and its own action; none of globex's
        var acmeTargets = Rows(acme).Select(r => r.GetProperty("target").GetString()).ToArray();
        Assert.Equal(4, acmeTargets.Length); // team acme, its admin key and reader key (by the master key), the key its admin made
        Assert.Contains(byAcmeHash, acmeTargets);
        Assert.DoesNotContain("globex", acmeTargets);
        Assert.All(Rows(acme), r => Assert.True(r.GetProperty("tenant_id").GetString() == "acme" || r.GetProperty("target_tenant_id").GetString() == "acme"));
        Assert.Equal(403, (await gw.GetAsync("/audit/log", reader)).Status);

        Assert.Equal([byAcmeHash], Rows(await gw.GetAsync("/audit/log?actor=acme-ops")).Select(r => r.GetProperty("target").GetString()));
        Assert.Equal([byAcmeHash], Rows(await gw.GetAsync($"/audit/log?actor={acmeAdminHash}")).Select(r => r.GetProperty("target").GetString()));
        Assert.Equal(2, (await gw.GetAsync("/audit/log?action=team.")).Json.GetProperty("total").GetInt64());
        Assert.Equal(["globex", "acme"], Rows(await gw.GetAsync("/audit/log?action=team.new")).Select(r => r.GetProperty("target").GetString()));
        Assert.Single(Rows(await gw.GetAsync($"/audit/log?target={byAcmeHash}")));
        Assert.Equal(0, (await gw.GetAsync("/audit/log?until=2000-01-01")).Json.GetProperty("total").GetInt64());
        Assert.Equal(7, (await gw.GetAsync("/audit/log?since=2000-01-01")).Json.GetProperty("total").GetInt64());
        var page = await gw.GetAsync("/audit/log?page=2&page_size=5");
        Assert.Equal((7L, 2), (page.Json.GetProperty("total").GetInt64(), Rows(page).Length));
        Assert.Equal("team.new", Rows(page)[^1].GetProperty("action").GetString()); // newest first: the oldest last

        foreach (var (bad, param) in new[] { ("page=0", "page"), ("page_size=501", "page_size"), ("since=yesterday", "since"), ("since=2030-01-02&until=2030-01-01", "until") })
        {
            var r = await gw.GetAsync("/audit/log?" + bad);
            Assert.True(r.Status == 400 && r.ErrorParam == param, bad + ": " + r);
        }
    }

    [Fact]
    public async Task SignInAndSignOut_RecordedWithWhoSignedIn_ABadTokenAsADeniedRowWithoutAnActor()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var bad = await gw.PostAsync("/ui/session", new { token = "sk-not-a-key" }, token: null);
        var s = await ui.SignInAsync(GatewayFixture.MasterKey);
        var signedOut = await ui.SendAsync(HttpMethod.Delete, "/ui/session", s.Cookie, csrf: s.Csrf);

        var log = await gw.GetAsync("/audit/log");
        var rows = Rows(log);

        Assert.Equal((401, 204), (bad.Status, signedOut.Status));
        Assert.Equal(["session.sign_out", "session.sign_in", "session.sign_in"], rows.Select(r => r.GetProperty("action").GetString()));
        Assert.Equal([("ok", "master"), ("ok", "master"), ("denied", null)], rows.Select(r => (r.GetProperty("outcome").GetString(), r.GetProperty("actor").GetString())));
        Assert.DoesNotContain("sk-not-a-key", log.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFixture.MasterKey, log.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CleanShutdown_WritesRowsStillQueued()
    {
        var path = GatewayFixture.NewSqlitePath();
        await using (var gw = await GatewayFixture.StartAsync(Yaml + "\nswitchyard:\n  spend:\n    flush_interval: 1h\n", sqlitePath: path))
        {
            Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "acme" })).Status);
            Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "globex" })).Status);
            using var before = GatewayApi.OpenSqlite(path);
            Assert.Equal(0, before.Scalar("SELECT COUNT(*) FROM audit_log")); // queued: the flush is an hour away
        }

        using var after = GatewayApi.OpenSqlite(path);
        Assert.Equal(2, after.Scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'team.new'"));
    }

    [Fact]
    public async Task Retention_DeletesRowsOlderThanAuditRetention()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml + "\nswitchyard:\n  store:\n    audit_retention: 30d\n");
        var store = gw.Service<IGatewayStore>();
        var now = DateTimeOffset.UtcNow;
        await store.AppendAuditAsync(
        [
            new AuditRecord { Id = "old", Time = now.AddDays(-31), Action = "key.generate", Status = 200, Outcome = "ok" },
            new AuditRecord { Id = "recent", Time = now.AddDays(-29), Action = "key.generate", Status = 200, Outcome = "ok" },
        ], CancellationToken.None);

        await gw.Service<SpendRetention>().PruneOnceAsync(CancellationToken.None);

        Assert.Equal(["recent"], (await store.QueryAuditAsync(new AuditQuery(), CancellationToken.None)).Rows.Select(r => r.Id));
        Assert.Equal(TimeSpan.FromDays(30), gw.Config.Store.AuditRetention);
    }
}
