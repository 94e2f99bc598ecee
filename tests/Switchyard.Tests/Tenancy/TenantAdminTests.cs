using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// An admin token bound to tenant acme (a tenant admin) against every admin route: it manages acme's keys and reads
/// acme's spend and settings; it cannot reach globex's keys, keys without a tenant, other tenants, tenant settings or
/// the gateway's config. A key out of reach is answered exactly like one that does not exist.
/// </summary>
public sealed class TenantAdminTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/a
              mock_response: ok
        """;

    private const string Unknown = "sk-no-such-key-anywhere";

    private sealed record Call(string Route, HttpMethod Method, string Path, object? Body, int Status, string Code);

    [Fact]
    public async Task EveryAdminRoute_TenantAdminAgainstOtherTenantAndGlobalObjects_RefusedAndNothingChanges()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml);
        var s = await SetUpAsync(gw);
        var globexBefore = (await gw.GetAsync("/team/info?team_id=globex")).Json;
        var keysBefore = (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32();

        Call[] calls =
        [
            // keys of another tenant, and keys without a tenant, are not found
            new("/key/update", HttpMethod.Post, "/key/update", new { key = s.GlobexHash, rpm_limit = 1 }, 404, "not_found"),
            new("/key/update", HttpMethod.Post, "/key/update", new { key = s.GlobalHash, rpm_limit = 1 }, 404, "not_found"),
            new("/key/delete", HttpMethod.Post, "/key/delete", new { keys = new[] { s.GlobexHash } }, 404, "not_found"),
            new("/key/delete", HttpMethod.Post, "/key/delete", new { keys = new[] { s.GlobalHash } }, 404, "not_found"),
            new("/key/delete", HttpMethod.Post, "/key/delete", new { keys = new[] { s.AcmeHash, s.GlobexHash } }, 404, "not_found"),
            new("/key/delete", HttpMethod.Post, "/key/delete", new { key_aliases = new[] { "globex-agent" } }, 404, "not_found"),
            new("/key/delete", HttpMethod.Post, "/key/delete", new { key_aliases = new[] { "global-agent" } }, 404, "not_found"),
            new("/key/regenerate", HttpMethod.Post, "/key/regenerate", new { key = s.GlobexHash }, 404, "not_found"),
            new("/key/regenerate", HttpMethod.Post, "/key/regenerate", new { key = s.GlobalHash }, 404, "not_found"),
            new("/key/{key}/regenerate", HttpMethod.Post, $"/key/{s.GlobexHash}/regenerate", new { }, 404, "not_found"),
            new("/key/{key}/regenerate", HttpMethod.Post, $"/key/{s.GlobalHash}/regenerate", new { }, 404, "not_found"),
            new("/key/info", HttpMethod.Get, "/key/info?key=" + s.GlobexHash, null, 404, "not_found"),
            new("/key/info", HttpMethod.Get, "/key/info?key=" + s.GlobalHash, null, 404, "not_found"),
            new("/spend/logs", HttpMethod.Get, "/spend/logs?api_key=" + s.GlobexHash, null, 404, "not_found"),
            new("/spend/logs", HttpMethod.Get, "/spend/logs?api_key=" + s.GlobalHash, null, 404, "not_found"),

            // naming another tenant (or none) where a key would leave acme
            new("/key/generate", HttpMethod.Post, "/key/generate", new { team_id = "globex" }, 403, "outside_tenant"),
            new("/key/generate", HttpMethod.Post, "/key/generate", new { tenant_id = "globex", scopes = new[] { "admin" } }, 403, "outside_tenant"),
            new("/key/update", HttpMethod.Post, "/key/update", new { key = s.AcmeHash, team_id = "globex" }, 403, "outside_tenant"),
            new("/key/update", HttpMethod.Post, "/key/update", new { key = s.AdminHash, team_id = "globex" }, 403, "outside_tenant"), // itself
            new("/key/list", HttpMethod.Get, "/key/list?team_id=globex", null, 403, "outside_tenant"),
            new("/team/info", HttpMethod.Get, "/team/info?team_id=globex", null, 403, "outside_tenant"),
            new("/spend/logs", HttpMethod.Get, "/spend/logs?team_id=globex", null, 403, "outside_tenant"),

            // tenants and the gateway itself: global admins only, its own tenant included
            new("/team/new", HttpMethod.Post, "/team/new", new { team_id = "initech" }, 403, "global_admin_required"),
            new("/team/update", HttpMethod.Post, "/team/update", new { team_id = "globex", max_budget = 0.01 }, 403, "global_admin_required"),
            new("/team/update", HttpMethod.Post, "/team/update", new { team_id = "acme", max_budget = 1000 }, 403, "global_admin_required"),
            new("/team/delete", HttpMethod.Post, "/team/delete", new { team_ids = new[] { "globex" } }, 403, "global_admin_required"),
            new("/team/delete", HttpMethod.Post, "/team/delete", new { team_ids = new[] { "acme" } }, 403, "global_admin_required"),
            new("/config/reload", HttpMethod.Post, "/config/reload", "", 403, "global_admin_required"),
            new("/alias/promote", HttpMethod.Post, "/alias/promote", new { alias = "chat" }, 403, "global_admin_required"),

            // deployments: global admins only
            new("/model/new", HttpMethod.Post, "/model/new", new { model_name = "x", litellm_params = new { model = "mock/x" } }, 403, "global_admin_required"),
            new("/model/update", HttpMethod.Post, "/model/update", new { model_info = new { id = "x" } }, 403, "global_admin_required"),
            new("/model/delete", HttpMethod.Post, "/model/delete", new { id = "x" }, 403, "global_admin_required"),

            // users span tenants: creating, changing and deleting them is a global admin's; membership stays in acme
            new("/user/new", HttpMethod.Post, "/user/new", new { user_id = "u" }, 403, "global_admin_required"),
            new("/user/update", HttpMethod.Post, "/user/update", new { user_id = "u", max_budget = 1 }, 403, "global_admin_required"),
            new("/user/delete", HttpMethod.Post, "/user/delete", new { user_ids = new[] { "u" } }, 403, "global_admin_required"),
            new("/user/list", HttpMethod.Get, "/user/list?team_id=globex", null, 403, "outside_tenant"),
            new("/team/member_add", HttpMethod.Post, "/team/member_add", new { team_id = "globex", member = new { user_id = "u" } }, 403, "outside_tenant"),
            new("/team/member_delete", HttpMethod.Post, "/team/member_delete", new { team_id = "globex", user_id = "u" }, 403, "outside_tenant"),
        ];

        gw.WriteConfig(Yaml + "\n" + """
              - model_name: added-by-reload
                litellm_params:
                  model: mock/b
                  mock_response: ok
            """);
        var configBefore = await File.ReadAllTextAsync(gw.ConfigPath!);
        foreach (var call in calls)
        {
            var r = await SendAsync(gw, call.Method, call.Path, s.AcmeAdmin, call.Body);
            Assert.True(r.Status == call.Status && r.ErrorCode == call.Code, $"{call.Method} {call.Path}: expected {call.Status} {call.Code}, got {r}");
        }

        // every route the table names was exercised
        var mapped = new[] { "/key/generate", "/key/update", "/key/delete", "/key/regenerate", "/key/{key}/regenerate", "/key/info", "/key/list", "/team/new", "/team/update", "/team/delete", "/team/info", "/spend/logs", "/config/reload", "/alias/promote", "/model/new", "/model/update", "/model/delete", "/user/new", "/user/update", "/user/delete", "/user/list", "/team/member_add", "/team/member_delete" };
        Assert.Empty(mapped.Except(calls.Select(c => c.Route)));

        // nothing changed: globex and its keys, the global key, the key count, the config
        Assert.Equal(200, (await gw.ChatAsync(s.Globex, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(s.Global, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(s.Acme, "chat")).Status);
        Assert.Equal(globexBefore.GetProperty("team_info").GetProperty("max_budget").ToString(),
            (await gw.GetAsync("/team/info?team_id=globex")).Json.GetProperty("team_info").GetProperty("max_budget").ToString());
        Assert.Equal(2, (await gw.GetAsync("/team/list")).Json.GetArrayLength());
        Assert.Equal(keysBefore, (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32());
        Assert.Equal("acme", (await gw.GetAsync("/key/info?key=" + s.AdminHash)).Json.GetProperty("info").GetProperty("team_id").GetString());
        Assert.Equal(configBefore, await File.ReadAllTextAsync(gw.ConfigPath!)); // no promotion wrote it
        Assert.Equal(200, (await gw.GetAsync("/v1/models/chat")).Status);
        Assert.Equal(404, (await gw.GetAsync("/v1/models/added-by-reload")).Status); // the tenant admin's reload did not happen
        Assert.Equal(200, (await gw.PostAsync("/config/reload", (object)"")).Status);  // a global admin's does
        Assert.Equal(200, (await gw.GetAsync("/v1/models/added-by-reload")).Status);
    }

    [Fact]
    public async Task EveryKeyRoute_TenantAdminOnItsOwnTenant_Allowed()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var s = await SetUpAsync(gw);

        // a key created without a team lands in the admin's tenant, as does one naming it
        var created = await SendAsync(gw, HttpMethod.Post, "/key/generate", s.AcmeAdmin, new { key_alias = "acme-2", max_budget = 5 });
        Assert.Equal(200, created.Status);
        Assert.Equal("acme", created.Json.GetProperty("team_id").GetString());
        var named = await SendAsync(gw, HttpMethod.Post, "/key/generate", s.AcmeAdmin, new { team_id = "acme" });
        Assert.Equal("acme", named.Json.GetProperty("team_id").GetString());
        var newHash = created.Json.GetProperty("token").GetString();

        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Post, "/key/update", s.AcmeAdmin, new { key = newHash, rpm_limit = 5, team_id = "acme" })).Status);
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Get, "/key/info?key=" + newHash, s.AcmeAdmin)).Status);
        var listed = (await SendAsync(gw, HttpMethod.Get, "/key/list?return_full_object=true", s.AcmeAdmin)).Json;
        Assert.All(listed.GetProperty("keys").EnumerateArray(), k => Assert.Equal("acme", k.GetProperty("team_id").GetString()));
        Assert.Equal(5, listed.GetProperty("total_count").GetInt32()); // admin, usage, invoke, and the two new ones
        Assert.Equal(5, (await SendAsync(gw, HttpMethod.Get, "/key/list?team_id=acme", s.AcmeAdmin)).Json.GetProperty("total_count").GetInt32());

        var teams = (await SendAsync(gw, HttpMethod.Get, "/team/list", s.AcmeAdmin)).Json;
        Assert.Equal(["acme"], teams.EnumerateArray().Select(t => t.GetProperty("team_id").GetString()));
        var info = await SendAsync(gw, HttpMethod.Get, "/team/info", s.AcmeAdmin);
        Assert.Equal("acme", info.Json.GetProperty("team_id").GetString());
        Assert.All(info.Json.GetProperty("keys").EnumerateArray(), k => Assert.Equal("acme", k.GetProperty("team_id").GetString()));

        var logs = await SendAsync(gw, HttpMethod.Get, "/spend/logs", s.AcmeAdmin);
        Assert.Equal(200, logs.Status);
        Assert.Equal(["acme"], logs.Json.EnumerateArray().Select(r => r.GetProperty("team_id").GetString()).Distinct());
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Get, "/spend/logs?api_key=" + s.AcmeHash, s.AcmeAdmin)).Status);

        var rotated = await SendAsync(gw, HttpMethod.Post, "/key/regenerate", s.AcmeAdmin, new { key = newHash });
        Assert.Equal(("acme", 200), (rotated.Json.GetProperty("team_id").GetString(), rotated.Status));
        var rotatedHash = rotated.Json.GetProperty("token").GetString();
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Post, $"/key/{rotatedHash}/regenerate", s.AcmeAdmin, new { })).Status);
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Post, "/key/delete", s.AcmeAdmin, new { key_aliases = new[] { "acme-2" } })).Status);
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Post, "/key/delete", s.AcmeAdmin, new { keys = new[] { s.AcmeHash } })).Status);
        Assert.Equal(401, (await gw.ChatAsync(s.Acme, "chat")).Status);

        // the health view is read-only and not per tenant: any admin token may read it
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Get, "/health", s.AcmeAdmin)).Status);
    }

    [Fact]
    public async Task EveryAdminRoute_AdminTokenWithoutTenant_IsAGlobalAdmin()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var s = await SetUpAsync(gw);
        var (global, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "admin" } });

        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Post, "/key/update", global, new { key = s.GlobexHash, team_id = "acme" })).Status);
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Get, "/spend/logs?team_id=globex", global)).Status);
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Post, "/team/update", global, new { team_id = "globex", rpm_limit = 3 })).Status);
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Post, "/team/new", global, new { team_id = "initech" })).Status);
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Post, "/key/generate", global, new { })).Status);
        Assert.Equal(3, (await SendAsync(gw, HttpMethod.Get, "/team/list", global)).Json.GetArrayLength());
        Assert.Equal(200, (await SendAsync(gw, HttpMethod.Post, "/team/delete", global, new { team_ids = new[] { "globex" } })).Status);
    }

    [Fact]
    public async Task UnreachableKey_UsageReadOrTenantAdmin_AnsweredExactlyLikeAKeyThatDoesNotExist()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var s = await SetUpAsync(gw);
        var (loner, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "usage:read" } }); // a usage:read token without a tenant
        var zeros = new string('0', 64);

        foreach (var (caller, name) in new[] { (s.AcmeUsage, "usage:read of acme"), (loner, "usage:read without tenant"), (s.AcmeAdmin, "admin of acme") })
        {
            foreach (var (method, path, body) in new (HttpMethod, Func<string, string>, Func<string, object?>)[]
            {
                (HttpMethod.Get, k => "/key/info?key=" + k, _ => null),
                (HttpMethod.Get, k => "/spend/logs?api_key=" + k, _ => null),
            })
            {
                var unknown = await SendAsync(gw, method, path(Unknown), caller, body(Unknown));
                var unknownHash = await SendAsync(gw, method, path(zeros), caller, body(zeros));
                var foreign = await SendAsync(gw, method, path(s.GlobexHash), caller, body(s.GlobexHash));
                var foreignByToken = await SendAsync(gw, method, path(s.Globex), caller, body(s.Globex));
                var global = await SendAsync(gw, method, path(s.GlobalHash), caller, body(s.GlobalHash));
                Assert.Equal(404, unknown.Status);
                foreach (var r in new[] { unknownHash, foreign, foreignByToken, global })
                {
                    Assert.True(Shape(r) == Shape(unknown), $"{name} {method} {path("<key>")}: {r} differs from {unknown}");
                }
            }
        }

        // a usage:read token may not read another key of its own tenant's info either, and cannot tell it exists
        Assert.Equal(Shape(await gw.GetAsync("/key/info?key=" + Unknown, s.AcmeUsage)), Shape(await gw.GetAsync("/key/info?key=" + s.AcmeHash, s.AcmeUsage)));

        // the tenant admin's key management routes too
        foreach (var (path, body) in new (string, Func<string, object>)[]
        {
            ("/key/update", k => new { key = k, rpm_limit = 1 }),
            ("/key/delete", k => new { keys = new[] { k } }),
            ("/key/regenerate", k => new { key = k }),
        })
        {
            var unknown = await SendAsync(gw, HttpMethod.Post, path, s.AcmeAdmin, body(Unknown));
            var foreign = await SendAsync(gw, HttpMethod.Post, path, s.AcmeAdmin, body(s.GlobexHash));
            Assert.Equal(404, unknown.Status);
            Assert.True(Shape(foreign) == Shape(unknown), $"{path}: {foreign} differs from {unknown}");
        }

        // naming another tenant is refused the same way whether it exists or not
        Assert.Equal(Shape(await SendAsync(gw, HttpMethod.Post, "/key/generate", s.AcmeAdmin, new { team_id = "globex" })),
            Shape(await SendAsync(gw, HttpMethod.Post, "/key/generate", s.AcmeAdmin, new { team_id = "no-such-team" })));
        Assert.Equal(Shape(await gw.GetAsync("/team/info?team_id=globex", s.AcmeUsage)), Shape(await gw.GetAsync("/team/info?team_id=no-such-team", s.AcmeUsage)));
        Assert.Equal(Shape(await gw.GetAsync("/team/info?team_id=globex", s.AcmeAdmin)), Shape(await gw.GetAsync("/team/info?team_id=no-such-team", s.AcmeAdmin)));
        Assert.Equal(Shape(await gw.GetAsync("/spend/logs?team_id=globex", s.AcmeAdmin)), Shape(await gw.GetAsync("/spend/logs?team_id=no-such-team", s.AcmeAdmin)));
    }

    private sealed record Setup(string AcmeAdmin, string AdminHash, string AcmeUsage, string Acme, string AcmeHash, string Globex, string GlobexHash, string Global, string GlobalHash);

    /// <summary>Tenants acme and globex (made through the API, so a global admin may change them) with keys, and a key of no tenant; one request each.</summary>
    private static async Task<Setup> SetUpAsync(GatewayFixture gw)
    {
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "acme", max_budget = 10 })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "globex", max_budget = 20 })).Status);
        var (admin, adminHash) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "admin" } });
        var (usage, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "usage:read" } });
        var (acme, acmeHash) = await gw.GenerateKeyAsync(new { team_id = "acme", key_alias = "acme-agent" });
        var (globex, globexHash) = await gw.GenerateKeyAsync(new { team_id = "globex", key_alias = "globex-agent" });
        var (global, globalHash) = await gw.GenerateKeyAsync(new { key_alias = "global-agent" });
        foreach (var token in new[] { acme, globex, global })
        {
            Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status);
        }

        return new Setup(admin, adminHash, usage, acme, acmeHash, globex, globexHash, global, globalHash);
    }

    private static Task<ApiResponse> SendAsync(GatewayFixture gw, HttpMethod method, string path, string token, object? body = null)
        => gw.SendAsync(method, path, token, body is null ? null : body as string ?? JsonSerializer.Serialize(body));

    /// <summary>Status, headers that matter and the body, without the per-request correlation id.</summary>
    private static string Shape(ApiResponse r)
    {
        var node = JsonNode.Parse(r.Body)!;
        if (node["error"] is JsonObject error)
        {
            error.Remove("correlation_id");
        }

        return $"{r.Status} {r.Header("x-should-retry")} {r.Header("Retry-After")} {node.ToJsonString()}";
    }
}
