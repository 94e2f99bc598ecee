using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Dashboard;

/// <summary>The dashboard's data endpoints over real HTTP, with fake OpenAI upstreams (docs/dashboard.md, "Data endpoints").</summary>
public sealed class DashboardDataTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2030, 1, 15, 10, 0, 5, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private FakeUpstream _flaky = null!;
    private FakeUpstream _good = null!;

    public async Task InitializeAsync()
    {
        _flaky = await FakeUpstream.StartAsync();
        _good = await FakeUpstream.StartAsync();
        _good.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "from backup", prompt: 11, completion: 3);
    }

    public async Task DisposeAsync()
    {
        await _flaky.DisposeAsync();
        await _good.DisposeAsync();
    }

    /// <summary>chat (deployment flaky) falls back to backup (deployment steady); a breaker opens after 3 consecutive failures for 30s.</summary>
    private string Yaml(string fallbacks = "  fallbacks:\n    - chat: [backup]\n") => $$"""
        model_list:
          - model_name: chat
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{_flaky.BaseUrl}}/v1
            model_info:
              id: flaky
          - model_name: backup
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{_good.BaseUrl}}/v1
            model_info:
              id: steady
        router_settings:
          num_retries: 0
        {{fallbacks}}
        switchyard:
          retry:
            base_delay: 0
          breaker:
            consecutive_failures: 3
            failure_ratio: 0
            open_duration: 30s
          tenants:
            - tenant_id: acme
            - tenant_id: globex
        """;

    private static Task Fail500(Microsoft.AspNetCore.Http.HttpContext c) => OpenAIWire.WriteErrorAsync(c, 500, "boom");

    private static JsonElement Current(JsonElement overview) => overview.GetProperty("series").EnumerateArray().Last();

    /// <summary>
    /// Waits (bounded) until the dashboard has counted <paramref name="requests"/> in the current minute: a call is
    /// recorded as its pipeline unwinds, which can be just after the client has its answer.
    /// </summary>
    private static async Task WaitForRequestsAsync(GatewayFixture gw, long requests)
    {
        for (var tries = 0; tries < 300 && Current((await gw.GetAsync("/ui/api/overview")).Json).GetProperty("requests").GetInt64() < requests; tries++)
        {
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Overview_CountsRequestsAndErrorsPerCode_InMinuteAndQuarterBuckets()
    {
        _flaky.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "ok", prompt: 11, completion: 3);
        await using var gw = await GatewayFixture.StartAsync(Yaml(fallbacks: ""), _time);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        }

        _flaky.Handler = (c, _) => Fail500(c);
        Assert.Equal(502, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        Assert.Equal(502, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        Assert.Equal((404, "model_not_found"), ((await gw.ChatAsync(GatewayFixture.MasterKey, "chta")).Status, (await gw.ChatAsync(GatewayFixture.MasterKey, "chta")).ErrorCode));
        Assert.Equal(401, (await gw.ChatAsync("sk-nobody", "chat")).Status);
        Assert.Equal(200, (await gw.GetAsync("/v1/models")).Status); // not inference: not counted
        await WaitForRequestsAsync(gw, 8);

        var overview = await gw.GetAsync("/ui/api/overview");
        Assert.Equal(200, overview.Status);
        var o = overview.Json;
        Assert.Equal("1h", o.GetProperty("window").GetString());
        Assert.Equal(60, o.GetProperty("bucket_seconds").GetInt32());
        Assert.Equal(60, o.GetProperty("series").GetArrayLength());
        var now = Current(o);
        Assert.Equal("2030-01-15T10:00:00.000Z", now.GetProperty("t").GetString());
        Assert.Equal(8, now.GetProperty("requests").GetInt64());
        Assert.Equal(5, now.GetProperty("errors").GetInt64());
        var codes = now.GetProperty("errors_by_code");
        Assert.Equal(2, codes.GetProperty("upstream_server_error").GetInt64());
        Assert.Equal(2, codes.GetProperty("model_not_found").GetInt64());
        Assert.Equal(1, codes.GetProperty("invalid_token").GetInt64());
        Assert.Equal(3, codes.EnumerateObject().Count());
        Assert.Equal(3 * 14, now.GetProperty("tokens").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, now.GetProperty("added_latency_p50_ms").ValueKind);
        Assert.Equal(8, o.GetProperty("today").GetProperty("requests").GetInt64());
        Assert.Equal(5.0 / 8, o.GetProperty("now").GetProperty("error_rate").GetDouble(), 3);

        _time.Advance(TimeSpan.FromMinutes(2));
        _flaky.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "ok");
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        o = (await gw.GetAsync("/ui/api/overview?window=1h")).Json;
        var series = o.GetProperty("series").EnumerateArray().ToArray();
        Assert.Equal(1, series[^1].GetProperty("requests").GetInt64());
        Assert.Equal(0, series[^2].GetProperty("requests").GetInt64());
        Assert.Equal(8, series[^3].GetProperty("requests").GetInt64());
        Assert.Equal(9, o.GetProperty("today").GetProperty("requests").GetInt64());

        var day = (await gw.GetAsync("/ui/api/overview?window=24h")).Json;
        Assert.Equal(900, day.GetProperty("bucket_seconds").GetInt32());
        Assert.Equal(96, day.GetProperty("series").GetArrayLength());
        Assert.Equal(9, Current(day).GetProperty("requests").GetInt64());
        Assert.Equal(5, Current(day).GetProperty("errors").GetInt64());

        var bad = await gw.GetAsync("/ui/api/overview?window=7d");
        Assert.Equal((400, "invalid_value", "window"), (bad.Status, bad.ErrorCode, bad.ErrorParam));
    }

    [Fact]
    public async Task Scoping_TenantTokensSeeTheirOwnTenant_AndAreRefusedAnother()
    {
        _flaky.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "ok");
        await using var gw = await GatewayFixture.StartAsync(Yaml(fallbacks: ""), _time);
        var (acme, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "invoke" } });
        var (globex, _) = await gw.GenerateKeyAsync(new { team_id = "globex", scopes = new[] { "invoke" } });
        var (acmeUsage, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "usage:read" } });
        var (acmeAdmin, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "admin" } });
        Assert.Equal(200, (await gw.ChatAsync(acme, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(acme, "chat")).Status);
        Assert.Equal(404, (await gw.ChatAsync(acme, "nope")).Status);
        Assert.Equal(404, (await gw.ChatAsync(globex, "nope")).Status);

        await WaitForRequestsAsync(gw, 4);

        var mine = await gw.GetAsync("/ui/api/overview", acmeUsage);
        Assert.Equal(200, mine.Status);
        Assert.Equal("acme", mine.Json.GetProperty("tenant").GetString());
        Assert.Equal(3, Current(mine.Json).GetProperty("requests").GetInt64());
        Assert.Equal(3, (await gw.GetAsync("/ui/api/overview?tenant=acme", acmeAdmin)).Json.GetProperty("today").GetProperty("requests").GetInt64());
        Assert.Equal(4, Current((await gw.GetAsync("/ui/api/overview")).Json).GetProperty("requests").GetInt64());
        Assert.Equal(1, Current((await gw.GetAsync("/ui/api/overview?tenant=globex")).Json).GetProperty("requests").GetInt64());

        foreach (var path in new[] { "/ui/api/overview?tenant=globex", "/ui/api/failures?tenant=globex" })
        {
            var other = await gw.GetAsync(path, acmeUsage);
            Assert.Equal((403, "outside_tenant", "tenant"), (other.Status, other.ErrorCode, other.ErrorParam));
        }

        var failures = (await gw.GetAsync("/ui/api/failures", acmeUsage)).Json;
        Assert.Equal(1, failures.GetProperty("total").GetInt32());
        Assert.Equal("acme", failures.GetProperty("data")[0].GetProperty("tenant").GetString());
        Assert.Equal(2, (await gw.GetAsync("/ui/api/failures")).Json.GetProperty("total").GetInt32());

        var invokeOnly = await gw.GetAsync("/ui/api/overview", acme);
        Assert.Equal((403, "missing_scope"), (invokeOnly.Status, invokeOnly.ErrorCode));
        Assert.Equal(401, (await gw.GetAsync("/ui/api/overview", null)).Status);
        foreach (var path in new[] { "/ui/api/routes", "/ui/api/reloads" })
        {
            var tenantAdmin = await gw.GetAsync(path, acmeAdmin);
            Assert.Equal((403, "global_admin_required"), (tenantAdmin.Status, tenantAdmin.ErrorCode));
            Assert.Equal(403, (await gw.GetAsync(path, acmeUsage)).Status);
        }

        // another tenant's call is not found, as if unknown
        var acmeFailure = failures.GetProperty("data")[0].GetProperty("correlation_id").GetString();
        var globexFailure = (await gw.GetAsync("/ui/api/failures?tenant=globex")).Json.GetProperty("data")[0].GetProperty("correlation_id").GetString();
        Assert.Equal(200, (await gw.GetAsync("/ui/api/calls/" + acmeFailure, acmeUsage)).Status);
        var hidden = await gw.GetAsync("/ui/api/calls/" + globexFailure, acmeUsage);
        Assert.Equal((404, "call_not_found"), (hidden.Status, hidden.ErrorCode));
    }

    [Fact]
    public async Task Routes_BreakerOpensAfterFailures_ShowsHalfOpenIn_AndFallbacksServedRecentCalls()
    {
        _flaky.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Yaml(), _time);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var r = await gw.ChatAsync(GatewayFixture.MasterKey, "chat");
            Assert.Equal(200, r.Status);
            Assert.Equal("backup", r.Header("x-switchyard-fallback"));
            ids.Add(r.Header("x-correlation-id")!);
        }

        _time.Advance(TimeSpan.FromSeconds(10));
        var routes = await gw.GetAsync("/ui/api/routes");
        Assert.Equal(200, routes.Status);
        var chat = routes.Json.GetProperty("aliases").EnumerateArray().Single(a => a.GetProperty("alias").GetString() == "chat");
        var groups = chat.GetProperty("groups").EnumerateArray().ToArray();
        Assert.Equal(["chat/primary", "backup/fallback"], groups.Select(g => g.GetProperty("name").GetString() + "/" + g.GetProperty("role").GetString()));
        var flaky = groups[0].GetProperty("deployments")[0];
        Assert.Equal("flaky", flaky.GetProperty("id").GetString());
        Assert.Equal("openai", flaky.GetProperty("provider_family").GetString());
        Assert.Equal(1, flaky.GetProperty("weight").GetDouble());
        Assert.Equal("open", flaky.GetProperty("breaker").GetProperty("state").GetString());
        Assert.Equal(20_000, flaky.GetProperty("breaker").GetProperty("half_open_in_ms").GetInt64());
        Assert.Equal(3, flaky.GetProperty("recent").GetProperty("requests").GetInt64());
        Assert.Equal(1.0, flaky.GetProperty("recent").GetProperty("error_rate").GetDouble());
        var steady = groups[1].GetProperty("deployments")[0];
        Assert.Equal("closed", steady.GetProperty("breaker").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, steady.GetProperty("breaker").GetProperty("half_open_in_ms").ValueKind);
        Assert.Equal((3, 0), (steady.GetProperty("recent").GetProperty("requests").GetInt64(), steady.GetProperty("recent").GetProperty("errors").GetInt64()));
        Assert.NotEqual(JsonValueKind.Null, steady.GetProperty("recent").GetProperty("latency_p99_ms").ValueKind);

        var fallbacks = chat.GetProperty("recent_fallbacks").EnumerateArray().ToArray();
        Assert.Equal(ids.AsEnumerable().Reverse(), fallbacks.Select(f => f.GetProperty("correlation_id").GetString()));
        Assert.All(fallbacks, f => Assert.Equal(("backup", "chat", "steady"), (f.GetProperty("served_by").GetString(), f.GetProperty("primary").GetString(), f.GetProperty("deployment").GetString())));
        var backup = routes.Json.GetProperty("aliases").EnumerateArray().Single(a => a.GetProperty("alias").GetString() == "backup");
        Assert.Equal(0, backup.GetProperty("recent_fallbacks").GetArrayLength());

        _time.Advance(TimeSpan.FromSeconds(20));
        var later = (await gw.GetAsync("/ui/api/routes")).Json.GetProperty("aliases").EnumerateArray().Single(a => a.GetProperty("alias").GetString() == "chat");
        Assert.Equal("half_open", later.GetProperty("groups")[0].GetProperty("deployments")[0].GetProperty("breaker").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Failures_FilterByCodeRouteFamilyDeployment_NewestFirst_Paged()
    {
        _flaky.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Yaml(fallbacks: ""), _time);
        Assert.Equal(502, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        Assert.Equal(404, (await gw.ChatAsync(GatewayFixture.MasterKey, "chta")).Status);
        Assert.Equal(502, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "backup")).Status);

        var all = (await gw.GetAsync("/ui/api/failures")).Json;
        Assert.Equal(3, all.GetProperty("total").GetInt32());
        Assert.Equal((1, 50), (all.GetProperty("page").GetInt32(), all.GetProperty("page_size").GetInt32()));
        Assert.Equal(["upstream_server_error", "model_not_found", "upstream_server_error"], all.GetProperty("data").EnumerateArray().Select(f => f.GetProperty("code").GetString()));
        var newest = all.GetProperty("data")[0];
        Assert.Equal((502, "chat", "openai", "flaky"), (newest.GetProperty("status").GetInt32(), newest.GetProperty("route").GetString(), newest.GetProperty("provider_family").GetString(), newest.GetProperty("deployment").GetString()));
        Assert.False(string.IsNullOrEmpty(newest.GetProperty("message").GetString()));

        Assert.Equal(1, (await gw.GetAsync("/ui/api/failures?code=model_not_found")).Json.GetProperty("total").GetInt32());
        Assert.Equal("chta", (await gw.GetAsync("/ui/api/failures?route=chta")).Json.GetProperty("data")[0].GetProperty("route").GetString());
        Assert.Equal(2, (await gw.GetAsync("/ui/api/failures?deployment=flaky")).Json.GetProperty("total").GetInt32());
        Assert.Equal(2, (await gw.GetAsync("/ui/api/failures?provider_family=openai&code=upstream_server_error")).Json.GetProperty("total").GetInt32());
        Assert.Equal(0, (await gw.GetAsync("/ui/api/failures?provider_family=anthropic")).Json.GetProperty("total").GetInt32());

        var page2 = (await gw.GetAsync("/ui/api/failures?page=2&page_size=1")).Json;
        Assert.Equal((3, 1), (page2.GetProperty("total").GetInt32(), page2.GetProperty("data").GetArrayLength()));
        Assert.Equal("model_not_found", page2.GetProperty("data")[0].GetProperty("code").GetString());
        Assert.Equal(0, (await gw.GetAsync("/ui/api/failures?page=9")).Json.GetProperty("data").GetArrayLength());
        foreach (var bad in new[] { "page=0", "page_size=501", "page_size=x" })
        {
            var r = await gw.GetAsync("/ui/api/failures?" + bad);
            Assert.Equal((400, "invalid_value"), (r.Status, r.ErrorCode));
        }
    }

    [Fact]
    public async Task Call_ByCorrelationId_HasRequestAttemptsFailureSpendRowAndAccessLine()
    {
        _flaky.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Yaml()); // the system clock: the spend writer flushes on its timer
        var answer = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chat"), new Dictionary<string, string> { ["X-Correlation-Id"] = "dash-call-1" });
        Assert.Equal(200, (int)answer.StatusCode);

        JsonElement call = default;
        for (var tries = 0; tries < 300; tries++)
        {
            var r = await gw.GetAsync("/ui/api/calls/dash-call-1");
            Assert.Equal(200, r.Status);
            call = r.Json;
            if (call.GetProperty("spend").GetArrayLength() > 0)
            {
                break;
            }

            await Task.Delay(20); // the spend row reaches the store with the writer's next flush
        }

        Assert.Equal("memory", call.GetProperty("source").GetString());
        var request = call.GetProperty("request");
        Assert.Equal(("chat", "backup", "steady", 200, false), (request.GetProperty("alias").GetString(), request.GetProperty("fallback").GetString(),
            request.GetProperty("deployment").GetString(), request.GetProperty("status").GetInt32(), request.GetProperty("streamed").GetBoolean()));
        Assert.Equal(("chat", "master", 2), (request.GetProperty("protocol").GetString(), request.GetProperty("key_id").GetString(), request.GetProperty("attempts").GetInt32()));
        var attempts = call.GetProperty("attempts").EnumerateArray().ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.Equal(("flaky", "openai", "server_error", 500, false), (attempts[0].GetProperty("deployment").GetString(), attempts[0].GetProperty("provider_family").GetString(),
            attempts[0].GetProperty("outcome").GetString(), attempts[0].GetProperty("upstream_status").GetInt32(), attempts[0].GetProperty("fallback").GetBoolean()));
        Assert.Equal(("steady", "ok", 200, true), (attempts[1].GetProperty("deployment").GetString(), attempts[1].GetProperty("outcome").GetString(),
            attempts[1].GetProperty("upstream_status").GetInt32(), attempts[1].GetProperty("fallback").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, call.GetProperty("failure").ValueKind);
        var spend = Assert.Single(call.GetProperty("spend").EnumerateArray());
        Assert.Equal(("steady", 11, 3, 200), (spend.GetProperty("deployment").GetString(), spend.GetProperty("prompt_tokens").GetInt32(), spend.GetProperty("completion_tokens").GetInt32(), spend.GetProperty("status").GetInt32()));
        Assert.Equal("chatcmpl-fake1", spend.GetProperty("request_id").GetString());
        var line = call.GetProperty("access_log");
        Assert.Equal(("dash-call-1", "/v1/chat/completions", "backup"), (line.GetProperty("correlation_id").GetString(), line.GetProperty("path").GetString(), line.GetProperty("fallback").GetString()));

        // a failed call carries its failure summary
        var failed = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chta"), new Dictionary<string, string> { ["X-Correlation-Id"] = "dash-call-2" });
        Assert.Equal(404, (int)failed.StatusCode);
        // the call is recorded as the request's pipeline unwinds, which can be just after the client has its answer
        var lookup = await gw.GetAsync("/ui/api/calls/dash-call-2");
        for (var tries = 0; lookup.Status == 404 && tries < 300; tries++)
        {
            await Task.Delay(20);
            lookup = await gw.GetAsync("/ui/api/calls/dash-call-2");
        }

        Assert.Equal(200, lookup.Status);
        var f = lookup.Json;
        Assert.Equal(("model_not_found", "dash-call-2"), (f.GetProperty("failure").GetProperty("code").GetString(), f.GetProperty("failure").GetProperty("correlation_id").GetString()));
        Assert.Equal(0, f.GetProperty("attempts").GetArrayLength());

        var unknown = await gw.GetAsync("/ui/api/calls/no-such-call");
        Assert.Equal((404, "call_not_found"), (unknown.Status, unknown.ErrorCode));
    }

    [Fact]
    public async Task Reloads_ListsTheLastReloads_NewestFirst_WithOutcomeHashAndDiagnostics()
    {
        _flaky.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "ok");
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml(fallbacks: ""));
        Assert.Equal(0, (await gw.GetAsync("/ui/api/reloads")).Json.GetProperty("data").GetArrayLength());
        Assert.Equal(200, (await gw.SendAsync(HttpMethod.Post, "/config/reload", GatewayFixture.MasterKey, "{}")).Status);
        gw.WriteConfig("model_list: [\n");
        Assert.Equal(422, (await gw.SendAsync(HttpMethod.Post, "/config/reload", GatewayFixture.MasterKey, "{}")).Status);

        var reloads = (await gw.GetAsync("/ui/api/reloads")).Json;
        var data = reloads.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(["refused", "reloaded"], data.Select(d => d.GetProperty("outcome").GetString()));
        Assert.True(data[0].GetProperty("errors").GetArrayLength() > 0);
        Assert.Equal("POST /config/reload", data[1].GetProperty("trigger").GetString());
        Assert.StartsWith("sha256:", data[1].GetProperty("config_hash").GetString(), StringComparison.Ordinal);
        Assert.Equal(reloads.GetProperty("config_hash").GetString(), data[1].GetProperty("config_hash").GetString());
        Assert.Equal(0, data[1].GetProperty("errors").GetArrayLength());
    }
}
