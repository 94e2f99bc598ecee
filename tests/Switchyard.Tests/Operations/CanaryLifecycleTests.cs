using System.Text.Json;
using Switchyard.Core.Config;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>
/// Safe canaries: promotion checks the canary's live evidence per side and refuses with the figures; the old primary
/// backs the alias up for the grace period; status, rollback, finalize and auto_rollback; every edit keeps the file's
/// comments.
/// </summary>
public sealed class CanaryLifecycleTests
{
    /// <summary>A commented config: primary group 'primary' (stable-1), canary group 'next' (next-1) at <paramref name="percent"/>.</summary>
    private static string Config(int percent, string canaryParams = "", string canaryExtra = "") => $$"""
        # Switchyard config for the canary tests -- this comment must survive every edit
        model_list:
          - model_name: primary        # the group agents use today
            litellm_params:
              model: mock/stable
              mock_response: stable
            model_info:
              id: stable-1
          - model_name: next
            litellm_params:
              model: mock/next
              mock_response: next{{canaryParams}}
            model_info:
              id: next-1
        router_settings:
          num_retries: 0
          model_group_alias:
            router.default: primary   # agents call this
        switchyard:
          retry: { base_delay: 0 }
          breaker: { consecutive_failures: 1000, failure_ratio: 0 }
          canaries:
            # trying the next model on a share of the traffic
            router.default:
              target: next      # the canary group
              percent: {{percent}}   # its share{{canaryExtra}}
        """;

    private const string Failing = "\n      mock_fail_status: 503";

    private static async Task<ApiResponse[]> CallAsync(GatewayFixture gw, int count)
    {
        var answers = new List<ApiResponse>();
        for (var i = 0; i < count; i++)
        {
            answers.Add(await gw.ChatAsync(GatewayFixture.MasterKey, "router.default"));
        }

        return answers.ToArray();
    }

    private static void AssertCommentsKept(string text)
    {
        Assert.Contains("# Switchyard config for the canary tests -- this comment must survive every edit", text, StringComparison.Ordinal);
        Assert.Contains("# the group agents use today", text, StringComparison.Ordinal);
        Assert.Contains("# agents call this", text, StringComparison.Ordinal);
        Assert.Contains("# trying the next model on a share of the traffic", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_CanaryFailingEveryCall_IsRefusedWithTheFigures_FileUnchanged()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(100, Failing));
        var before = await File.ReadAllTextAsync(gw.ConfigPath!);
        Assert.All(await CallAsync(gw, 30), a => Assert.Equal("stable-1", a.Header("x-switchyard-deployment"))); // the primary covers

        var refused = await gw.PostAsync("/alias/promote", new { alias = "router.default" });

        Assert.Equal(409, refused.Status);
        Assert.Equal("canary_not_fit", refused.ErrorCode);
        Assert.Contains("30 of 30 canary calls failed (100.0 %", refused.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var evidence = refused.Json.GetProperty("evidence");
        Assert.Equal(30, evidence.GetProperty("canary").GetProperty("failures").GetInt64());
        Assert.Equal(1.0, evidence.GetProperty("canary").GetProperty("error_rate").GetDouble());
        Assert.Equal(30, evidence.GetProperty("primary").GetProperty("requests").GetInt64());
        Assert.Equal(0, evidence.GetProperty("primary").GetProperty("failures").GetInt64());
        Assert.Equal(before, await File.ReadAllTextAsync(gw.ConfigPath!));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(gw.ConfigPath!)!));
    }

    [Fact]
    public async Task Promote_TooFewCanaryCalls_IsRefused_ForceOverrides()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(100));
        await CallAsync(gw, 3);

        var refused = await gw.PostAsync("/alias/promote", new { alias = "router.default" });
        Assert.Equal(409, refused.Status);
        Assert.Contains("only 3 canary call(s)", refused.Error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var forced = await gw.PostAsync("/alias/promote", new { alias = "router.default", force = true });
        Assert.True(forced.Status == 200, forced.ToString());
        Assert.Equal("next-1", (await gw.ChatAsync(GatewayFixture.MasterKey, "router.default")).Header("x-switchyard-deployment"));
    }

    [Fact]
    public async Task Promote_KeepsComments_OldPrimaryBacksUpDuringGrace_RollbackRestores_FinalizeDropsTheRecord()
    {
        // a canary that answers while evidence is gathered, then fails once it is the primary
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(100));
        await CallAsync(gw, 25);
        var promoted = await gw.PostAsync("/alias/promote", new { alias = "router.default", grace = "1h" });
        Assert.True(promoted.Status == 200, promoted.ToString());
        var text = await File.ReadAllTextAsync(gw.ConfigPath!);
        AssertCommentsKept(text);
        Assert.Contains("router.default: next   # agents call this", text, StringComparison.Ordinal);

        // the promoted group breaks: the old primary takes the calls during the grace period
        gw.WriteConfig(text.Replace("mock_response: next", "mock_response: next" + Failing, StringComparison.Ordinal), addMasterKey: false);
        Assert.Equal(200, (await gw.PostAsync("/config/reload", (object)"")).Status);
        var covered = await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");
        Assert.True(covered.Status == 200, covered.ToString());
        Assert.Equal("stable-1", covered.Header("x-switchyard-deployment"));

        var status = await gw.GetAsync("/alias/status?alias=router.default");
        Assert.True(status.Status == 200, status.ToString());
        Assert.Equal("next", status.Json.GetProperty("primary").GetString());
        Assert.True(status.Json.GetProperty("promotion").GetProperty("grace_active").GetBoolean());
        var grace = status.Json.GetProperty("sides").EnumerateArray().Single(s => s.GetProperty("role").GetString() == "grace_fallback");
        Assert.Equal("primary", grace.GetProperty("group").GetString());

        var rolledBack = await gw.PostAsync("/alias/rollback", new { alias = "router.default" });
        Assert.True(rolledBack.Status == 200, rolledBack.ToString());
        text = await File.ReadAllTextAsync(gw.ConfigPath!);
        AssertCommentsKept(text);
        var config = ConfigLoader.LoadFile(gw.ConfigPath!);
        Assert.Equal("primary", config.Router.ModelGroupAlias["router.default"]);
        Assert.Equal("next", config.Canaries["router.default"].Target);
        Assert.False(config.Canaries["router.default"].IsActive);
        Assert.Null(config.Canaries["router.default"].PromotedFrom);
        Assert.All(await CallAsync(gw, 5), a => Assert.Equal("stable-1", a.Header("x-switchyard-deployment")));

        // nothing left to roll back or finalize
        Assert.Equal("nothing_to_roll_back", (await gw.PostAsync("/alias/rollback", new { alias = "router.default" })).ErrorCode);
        Assert.Equal("nothing_to_finalize", (await gw.PostAsync("/alias/finalize", new { alias = "router.default" })).ErrorCode);
    }

    [Fact]
    public async Task Promote_GraceZero_NoFallback_FinalizeRemovesTheEntry()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(100, Failing));
        await CallAsync(gw, 5);
        var promoted = await gw.PostAsync("/alias/promote", new { alias = "router.default", force = true, grace = "0" });
        Assert.True(promoted.Status == 200, promoted.ToString());

        var failed = await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");
        Assert.Equal(502, failed.Status); // no grace: the failing promoted group is all there is

        var finalized = await gw.PostAsync("/alias/finalize", new { alias = "router.default" });
        Assert.True(finalized.Status == 200, finalized.ToString());
        var text = await File.ReadAllTextAsync(gw.ConfigPath!);
        AssertCommentsKept(text);
        Assert.DoesNotContain("promoted_from", text, StringComparison.Ordinal);
        Assert.Empty(ConfigLoader.LoadFile(gw.ConfigPath!).Canaries);
    }

    [Fact]
    public async Task Rollback_ActiveCanary_SetsItsShareToZero_KeepingComments()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(100));

        var rolledBack = await gw.PostAsync("/alias/rollback", new { alias = "router.default" });

        Assert.True(rolledBack.Status == 200, rolledBack.ToString());
        var text = await File.ReadAllTextAsync(gw.ConfigPath!);
        AssertCommentsKept(text);
        Assert.Contains("percent: 0   # its share", text, StringComparison.Ordinal);
        Assert.All(await CallAsync(gw, 5), a => Assert.Equal("stable-1", a.Header("x-switchyard-deployment")));
    }

    [Fact]
    public async Task Status_ShowsTheSplitAndPerSideFigures()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(100, Failing));
        await CallAsync(gw, 4);

        var status = await gw.GetAsync("/alias/status?alias=router.default&window=5m");

        Assert.True(status.Status == 200, status.ToString());
        Assert.Equal(300, status.Json.GetProperty("window_seconds").GetDouble());
        var sides = status.Json.GetProperty("sides").EnumerateArray().ToDictionary(s => s.GetProperty("role").GetString()!);
        Assert.Equal(0, sides["primary"].GetProperty("share_percent").GetDouble());
        Assert.Equal(100, sides["canary"].GetProperty("share_percent").GetDouble());
        Assert.Equal(4, sides["canary"].GetProperty("failures").GetInt64());
        Assert.Equal(1.0, sides["canary"].GetProperty("error_rate").GetDouble());
        Assert.Equal(4, sides["primary"].GetProperty("requests").GetInt64());
        Assert.Equal(0.0, sides["primary"].GetProperty("error_rate").GetDouble());
        Assert.Equal(JsonValueKind.Number, sides["primary"].GetProperty("latency_ms").GetProperty("p95").ValueKind);
        Assert.Equal("closed", sides["canary"].GetProperty("deployments")[0].GetProperty("breaker").GetString());

        Assert.Equal(404, (await gw.GetAsync("/alias/status?alias=router.defualt")).Status);
    }

    [Fact]
    public async Task AutoRollback_CanaryBreachingItsThreshold_StopsTakingTraffic_AlertsAndWritesShareZero()
    {
        await using var receiver = await FakeUpstream.StartAsync();
        receiver.Handler = (c, _) => { c.Response.StatusCode = 200; return Task.CompletedTask; };
        await using var canary = await FakeUpstream.StartAsync();
        canary.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 503, "overloaded");
        var yaml = Config(100, "", """

                  auto_rollback: { error_rate: 0.5, min_requests: 5, window: 1m }
            """).Replace("""
                  model: mock/next
                  mock_response: next
            """, $$"""
                  model: openai/gpt-4o
                  api_base: {{canary.BaseUrl}}/v1
                  api_key: sk-test
            """, StringComparison.Ordinal) + $$"""

              alerts:
                merge_window: 50ms
                retry_base_delay: 10ms
                sinks: [{ type: webhook, url: "{{receiver.BaseUrl}}/hook" }]
            """;
        await using var gw = await GatewayFixture.StartFromFileAsync(yaml);

        Assert.All(await CallAsync(gw, 5), a => Assert.Equal("stable-1", a.Header("x-switchyard-deployment")));
        Assert.Equal(5, canary.Count);
        Assert.All(await CallAsync(gw, 10), a => Assert.Equal("stable-1", a.Header("x-switchyard-deployment")));
        Assert.Equal(5, canary.Count); // the canary's share went to 0 at the fifth failure

        await GatewayApi.WaitUntilAsync(() => receiver.Requests.Any(r => r.Body.Contains("canary_rolled_back", StringComparison.Ordinal)), "the canary_rolled_back alert");
        await GatewayApi.WaitUntilAsync(() => ConfigLoader.LoadFile(gw.ConfigPath!).Canaries["router.default"].Percent == 0, "the share of 0 in the file");
        AssertCommentsKept(await File.ReadAllTextAsync(gw.ConfigPath!));
        var status = await gw.GetAsync("/alias/status?alias=router.default");
        Assert.Equal(0, status.Json.GetProperty("canary").GetProperty("effective_percent").GetDouble());
    }
}
